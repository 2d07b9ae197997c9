package io.sparksr.jobs.upscale;

import io.sparksr.pipeline.ImageOutcome;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an upscale run did, image by image.
 *
 * @param plan   the plan's description (what {@code --dry-run} prints)
 * @param dryRun nothing was run
 */
public record UpscaleJobResult(String runId, String output, String manifest,
    List<ImageOutcome> images, int tiles, int partitions, double seconds, String plan,
    boolean dryRun) {

  public UpscaleJobResult {
    images = List.copyOf(images);
  }

  public long succeeded() {
    return images.stream().filter(ImageOutcome::ok).count();
  }

  public long skipped() {
    return images.stream().filter(ImageOutcome::skipped).count();
  }

  public long failed() {
    return images.stream().filter(ImageOutcome::isFailed).count();
  }

  /** Files found under the inputs that were not read (not supported images). */
  public long ignored() {
    return images.stream().filter(ImageOutcome::ignored).count();
  }

  /** The one-screen summary printed at the end of a run. */
  public String summary() {
    if (dryRun) {
      return plan + "\n(dry run: nothing was read or written)";
    }
    StringBuilder sb = new StringBuilder();
    long outPixels = 0;
    long outBytes = 0;
    double busy = 0;
    for (ImageOutcome o : images) {
      if (o.ok()) {
        outPixels += o.outputWidth() * o.outputHeight();
        outBytes += Math.max(0, o.outputBytes());
        busy += o.seconds();
      }
    }
    sb.append(String.format(Locale.ROOT, "upscale run %s: %d image(s) written, %d failed, "
        + "%d skipped, %d ignored (%d files found), %d tiles in %d partitions, %.1f s%n", runId,
        succeeded(), failed(), skipped(), ignored(), images.size(), tiles, partitions, seconds));
    Map<String, Long> why = new TreeMap<>();
    images.stream().filter(ImageOutcome::ignored)
        .forEach(o -> why.merge(o.reason(), 1L, Long::sum));
    why.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> sb.append(String.format(Locale.ROOT, "  ignored %,d: %s%n", e.getValue(),
            e.getKey())));
    sb.append(String.format(Locale.ROOT, "  output: %,.1f MP in %s, %.2f MP/s wall, %.1f "
        + "executor-seconds%n", outPixels / 1e6, UpscalePlan.bytes(outBytes),
        seconds > 0 ? outPixels / 1e6 / seconds : 0, busy));
    int shown = 0;
    for (ImageOutcome o : images) {
      if (o.isFailed()) {
        if (shown++ == 20) {
          sb.append("  ... ").append(failed() - 20).append(" more failures in the manifest\n");
          break;
        }
        sb.append("  FAILED ").append(o.input()).append(": ").append(o.reason()).append('\n');
      }
    }
    sb.append("output: ").append(output).append('\n');
    sb.append("manifest: ").append(manifest);
    return sb.toString();
  }
}
