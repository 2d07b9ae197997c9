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

  long failedCount() {
    return settled.stream().filter(ImageOutcome::isFailed).count();
  }

  long skippedCount() {
    return settled.stream().filter(ImageOutcome::skipped).count();
  }

  long ignoredCount() {
    return settled.stream().filter(ImageOutcome::ignored).count();
  }

  /** The one-screen description {@code --dry-run} prints. */
  String describe(UpscaleJobConfig cfg) {
    StringBuilder sb = new StringBuilder();
    int inputs = images.size() + settled.size();
    sb.append(String.format(Locale.ROOT, "upscale plan: %,d file(s) found: %,d to upscale, %,d "
        + "skipped (output exists), %,d failed before starting, %,d ignored (not a supported "
        + "image)%n", inputs, images.size(), skippedCount(), failedCount(), ignoredCount()));
    sb.append(String.format(Locale.ROOT, "  model %s, x%d, tile %d + halo %d px, border %s%n",
        cfg.model(), cfg.scale(), cfg.tileSize(), cfg.halo(),
        cfg.border().name().toLowerCase(Locale.ROOT)));
    sb.append(String.format(Locale.ROOT, "  %,d tiles in %,d partitions (about %s output MP "
        + "each)%n", tasks.size(), partitions.size(), trim(cfg.partitionMegapixels())));
    long converts = images.stream().filter(ImageJob::convert).count();
    long tiled = images.stream().filter(ImageJob::tiledOutput).count();
    if (converts > 0) {
      sb.append(String.format(Locale.ROOT, "  %,d input(s) above %s MP without random access: "
          + "converted to tiled TIFF first%n", converts, trim(cfg.convertThresholdMp())));
    }
    if (tiled > 0) {
      sb.append(String.format(Locale.ROOT, "  %,d output(s) above %s MP: tiled TIFF (BigTIFF "
          + "over 4 GiB) from compressed tiles%n", tiled, trim(cfg.tiffThresholdMp())));
    }
    sb.append(String.format(Locale.ROOT, "  output: %,.1f MP, %s uncompressed%n",
        outputPixels / 1e6, bytes(outputBytes)));
    if (Double.isNaN(flops)) {
      sb.append("  estimated compute: n/a (the model does not report FLOPs per pixel)%n"
          .formatted());
    } else {
      sb.append(String.format(Locale.ROOT, "  estimated compute: %.3g FLOPs (%,.0f per output "
          + "pixel)%n", flops, flopsPerOutputPixel));
    }
    for (ImageOutcome o : settled) {
      if (o.isFailed()) {
        sb.append("  FAILED ").append(o.input()).append(": ").append(o.reason()).append('\n');
      }
    }
    return sb.toString().stripTrailing();
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
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
