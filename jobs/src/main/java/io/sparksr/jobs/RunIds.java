package io.sparksr.jobs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** The one format of run ids (manifest and results rows, the files a run appends). */
public final class RunIds {
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private RunIds() {}

  /** Sortable and unique: UTC start time plus 24 random bits, e.g. 20261206T024713Z-3fa9c1. */
  public static String next() {
    return UTC.format(Instant.now()) + "-"
        + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
  }
}
