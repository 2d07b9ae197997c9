package io.sparksr.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Phil Harvey's exiftool (Debian's libimage-exiftool-perl), the independent reader and writer of
 * metadata the tests use: tags are written onto sources with it and read back from outputs with it.
 */
public final class Exiftool {
  public static final String SKIPPED =
      "skipped: exiftool not installed (apt-get install libimage-exiftool-perl)";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Boolean available;

  private Exiftool() {}

  public static synchronized boolean available() {
    if (available == null) {
      try {
        Process p = new ProcessBuilder("exiftool", "-ver").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        available = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException | InterruptedException e) {
        available = false;
      }
    }
    return available;
  }

  /** Runs exiftool with {@code args}; fails with its output if it exits non-zero. */
  public static String run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("exiftool"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": "
          + out);
    }
    return out.trim();
  }

  /** Every tag of {@code file}, numeric values, keys "group1:Tag" ({@code -j -G1 -a -n}). */
  public static JsonNode read(Path file) throws Exception {
    return JSON.readTree(run("-j", "-G1", "-a", "-struct", "-n", file.toString())).get(0);
  }
}
