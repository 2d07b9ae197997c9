package io.sparksr.jobs.upscale;

import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.ImageOutcome;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a plan holds, in counts: the plan of each part of the inputs is summed on the driver
 * ({@link #plus}), so the driver never holds the plan of every image.
 *
 * @param images       images to upscale
 * @param skipped      inputs whose output exists
 * @param failed       inputs that failed before starting
 * @param ignored      files found that are not read
 * @param tiles        tiles of the images to upscale
 * @param converts     inputs converted to tiled TIFF first
 * @param tiledOutputs outputs written as tiled TIFF
 * @param outputPixels output pixels of the images to upscale
 * @param outputBytes  their uncompressed size
 * @param flops        estimated FLOPs (NaN when unknown)
 * @param failures     the first {@value #SHOWN} failures in path order, "input: reason"
 */
record PlanTotals(long images, long skipped, long failed, long ignored, long tiles, long converts,
    long tiledOutputs, long outputPixels, long outputBytes, double flops, List<String> failures)
    implements Serializable {
  /** Failures a summary lists by name. */
  static final int SHOWN = 20;
  static final PlanTotals NONE = new PlanTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of());

  PlanTotals {
    failures = List.copyOf(failures);
  }

  static PlanTotals of(UpscalePlan plan) {
    List<String> failures = new ArrayList<>();
    long skipped = 0;
    long failed = 0;
    long ignored = 0;
    for (ImageOutcome o : plan.settled()) {
      if (o.isFailed()) {
        failed++;
        if (failures.size() < SHOWN) {
          failures.add(o.input() + ": " + o.reason());
        }
      } else if (o.skipped()) {
        skipped++;
      } else if (o.ignored()) {
        ignored++;
      }
    }
    return new PlanTotals(plan.images().size(), skipped, failed, ignored, plan.tasks().size(),
        plan.images().stream().filter(ImageJob::convert).count(),
        plan.images().stream().filter(ImageJob::tiledOutput).count(), plan.outputPixels(),
        plan.outputBytes(), plan.flops(), failures);
  }

  PlanTotals plus(PlanTotals o) {
    return new PlanTotals(images + o.images, skipped + o.skipped, failed + o.failed,
        ignored + o.ignored, tiles + o.tiles, converts + o.converts, tiledOutputs + o.tiledOutputs,
        outputPixels + o.outputPixels, outputBytes + o.outputBytes, flops + o.flops,
        firstInOrder(failures, o.failures, SHOWN));
  }

  /** The first {@code n} of two sorted lists, sorted. */
  static List<String> firstInOrder(List<String> a, List<String> b, int n) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    all.sort(null);
    return all.subList(0, Math.min(n, all.size()));
  }

  long found() {
    return images + skipped + failed + ignored;
  }

  /** The one-screen description {@code --dry-run} prints. */
  String describe(UpscaleJobConfig cfg, int partitions, double flopsPerOutputPixel) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "upscale plan: %,d file(s) found: %,d to upscale, %,d "
        + "skipped (output exists), %,d failed before starting, %,d ignored (not a supported "
        + "image)%n", found(), images, skipped, failed, ignored));
    sb.append(String.format(Locale.ROOT, "  model %s%s, x%d, tile %d + halo %d px, border %s%n",
        cfg.model(), cfg.selfEnsemble() ? " (x8 self-ensemble)" : "", cfg.scale(), cfg.tileSize(), cfg.halo(),
        cfg.border().name().toLowerCase(Locale.ROOT)));
    sb.append(String.format(Locale.ROOT, "  %,d tiles in %,d partitions (about %s output MP "
        + "each)%n", tiles, partitions, trim(cfg.partitionMegapixels())));
    if (converts > 0) {
      sb.append(String.format(Locale.ROOT, "  %,d input(s) above %s MP without random access: "
          + "converted to tiled TIFF first%n", converts, trim(cfg.convertThresholdMp())));
    }
    if (tiledOutputs > 0) {
      sb.append(String.format(Locale.ROOT, "  %,d output(s) above %s MP: tiled TIFF (BigTIFF "
          + "over 4 GiB) from compressed tiles%n", tiledOutputs, trim(cfg.tiffThresholdMp())));
    }
    sb.append(String.format(Locale.ROOT, "  output: %,.1f MP, %s uncompressed%n",
        outputPixels / 1e6, UpscalePlan.bytes(outputBytes)));
    if (Double.isNaN(flops)) {
      sb.append("  estimated compute: n/a (the model does not report FLOPs per pixel)\n");
    } else {
      sb.append(String.format(Locale.ROOT, "  estimated compute: %.3g FLOPs (%,.0f per output "
          + "pixel)%n", flops, flopsPerOutputPixel));
    }
    for (String f : failures) {
      sb.append("  FAILED ").append(f).append('\n');
    }
    if (failed > failures.size()) {
      sb.append(String.format(Locale.ROOT, "  ... %,d more failures%n", failed - failures.size()));
    }
    return sb.toString().stripTrailing();
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
