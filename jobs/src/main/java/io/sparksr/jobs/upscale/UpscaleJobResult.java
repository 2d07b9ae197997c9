package io.sparksr.jobs.upscale;

import io.sparksr.pipeline.ImageOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * What an upscale run did, in counts (summed from the tasks that wrote the manifest: a run of
 * millions of images holds no row per image on the driver); {@link #images} reads the run's rows
 * back from the manifest.
 */
public final class UpscaleJobResult {
  private final String runId;
  private final String output;
  private final String manifest;
  private final RunTotals totals;
  private final long tiles;
  private final int partitions;
  private final double seconds;
  private final String plan;
  private final boolean dryRun;
  private final Configuration hadoop;
  private final String manifestParquet;
  private List<ImageOutcome> images;

  /**
   * @param plan   the plan's description (what {@code --dry-run} prints)
   * @param dryRun nothing was run
   * @param hadoop reads the manifest back
   * @param manifestParquet the manifest's Parquet folder in the output folder
   */
  UpscaleJobResult(String runId, String output, String manifest, RunTotals totals, long tiles,
      int partitions, double seconds, String plan, boolean dryRun, Configuration hadoop,
      String manifestParquet) {
    this.runId = runId;
    this.output = output;
    this.manifest = manifest;
    this.totals = totals;
    this.tiles = tiles;
    this.partitions = partitions;
    this.seconds = seconds;
    this.plan = plan;
    this.dryRun = dryRun;
    this.hadoop = hadoop;
    this.manifestParquet = manifestParquet;
  }

  public String runId() {
    return runId;
  }

  public String output() {
    return output;
  }

  /** The run's {@code _manifest.csv}. */
  public String manifest() {
    return manifest;
  }

  public long tiles() {
    return tiles;
  }

  public int partitions() {
    return partitions;
  }

  public double seconds() {
    return seconds;
  }

  public String plan() {
    return plan;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /**
   * This run's manifest rows, in path order, read from {@code manifest.parquet} (once; a run of
   * millions of rows is better queried there); empty for a dry run.
   */
  public synchronized List<ImageOutcome> images() {
    if (images == null) {
      try {
        images = dryRun ? List.of() : List.copyOf(Manifest.read(hadoop, output, manifestParquet,
            runId));
      } catch (IOException e) {
        throw new UncheckedIOException("reading the manifest of run " + runId, e);
      }
    }
    return images;
  }

  public long succeeded() {
    return totals.ok();
  }

  public long skipped() {
    return totals.skipped();
  }

  public long failed() {
    return totals.failed();
  }

  /** Files found under the inputs that were not read (not supported images). */
  public long ignored() {
    return totals.ignored();
  }

  /** The one-screen summary printed at the end of a run. */
  public String summary() {
    if (dryRun) {
      return plan + "\n(dry run: nothing was read or written)";
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "upscale run %s: %,d image(s) written, %,d failed, "
        + "%,d skipped, %,d ignored (%,d files found), %,d tiles in %,d partitions, %.1f s%n",
        runId, succeeded(), failed(), skipped(), ignored(), totals.rows(), tiles, partitions,
        seconds));
    totals.ignoredByWhy().entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sb.append(String.format(Locale.ROOT, "  ignored %,d: %s%n", e.getValue(),
            e.getKey())));
    sb.append(String.format(Locale.ROOT, "  output: %,.1f MP in %s, %.2f MP/s wall, %.1f "
        + "executor-seconds%n", totals.outputPixels() / 1e6,
        UpscalePlan.bytes(totals.outputBytes()),
        seconds > 0 ? totals.outputPixels() / 1e6 / seconds : 0, totals.busySeconds()));
    for (String f : totals.failures()) {
      sb.append("  FAILED ").append(f).append('\n');
    }
    if (failed() > totals.failures().size()) {
      sb.append("  ... ").append(failed() - totals.failures().size())
          .append(" more failures in the manifest\n");
    }
    sb.append("output: ").append(output).append('\n');
    sb.append("manifest: ").append(manifest);
    return sb.toString();
  }
}
