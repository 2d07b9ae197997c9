package io.sparksr.jobs.upscale;

import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.TileTask;
import java.util.List;
import java.util.Locale;

/**
 * What a run will do ({@link UpscalePlanner#plan}).
 *
 * @param images              the images to upscale
 * @param settled             inputs decided on the driver: unreadable or colliding ones (failed),
 *                            existing outputs (skipped), files that are not images (ignored)
 * @param tasks               every tile of every image
 * @param partitions          the tiles packed into Spark partitions
 * @param outputPixels        output pixels of all images
 * @param outputBytes         their uncompressed size
 * @param flops               estimated floating-point operations of the model over all tiles (as
 *                            inferred, edge tiles grown to their batch shape); NaN when unknown
 * @param flopsPerOutputPixel the model's, NaN when unknown
 */
record UpscalePlan(List<ImageJob> images, List<ImageOutcome> settled, List<TileTask> tasks,
    List<List<TileTask>> partitions, long outputPixels, long outputBytes, double flops,
    double flopsPerOutputPixel) {

  UpscalePlan {
    images = List.copyOf(images);
    settled = List.copyOf(settled);
    tasks = List.copyOf(tasks);
    partitions = List.copyOf(partitions);
  }

  /** The plan in counts. */
  PlanTotals totals() {
    return PlanTotals.of(this);
  }

  /** The one-screen description {@code --dry-run} prints. */
  String describe(UpscaleJobConfig cfg) {
    return totals().describe(cfg, partitions.size(), flopsPerOutputPixel);
  }

  static String bytes(long n) {
    if (n < 1L << 20) {
      return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
    }
    if (n < 1L << 30) {
      return String.format(Locale.ROOT, "%.1f MB", n / (double) (1L << 20));
    }
    return String.format(Locale.ROOT, "%.2f GB", n / (double) (1L << 30));
  }
}
