package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.metrics.MetricAccumulator;
import io.sparksr.partitioning.metrics.Metrics;
import java.io.Serializable;
import java.util.List;

/**
 * Mergeable means of one summary row (a data set, scale, model and setting): PSNR/SSIM through
 * {@link MetricAccumulator} (means over images, the literature's convention) plus inference time.
 * Failed rows are counted, not averaged. For Spark's {@code aggregateByKey} and plain loops alike.
 */
public final class EvalAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final MetricAccumulator metrics = new MetricAccumulator();
  private long images;
  private long failed;
  private double seconds;
  private long outputPixels;
  /** The runs whose rows were averaged (their times are comparable only within one run). */
  private final java.util.TreeSet<String> runs = new java.util.TreeSet<>();

  public EvalAccumulator add(EvalResult r) {
    if (!r.ok()) {
      failed++;
      return this;
    }
    metrics.add(new Metrics.Score(r.psnr(), r.ssim()));
    images++;
    seconds += r.seconds();
    outputPixels += (long) r.hrWidth() * r.hrHeight();
    runs.add(r.runId());
    return this;
  }

  /** Adds {@code other} into this accumulator and returns this. */
  public EvalAccumulator merge(EvalAccumulator other) {
    metrics.merge(other.metrics);
    images += other.images;
    failed += other.failed;
    seconds += other.seconds;
    outputPixels += other.outputPixels;
    runs.addAll(other.runs);
    return this;
  }

  public Result result() {
    MetricAccumulator.Result m = metrics.result();
    return new Result(images, failed, m.psnr(), m.ssim(), m.psnrMin(), m.psnrMax(),
        m.infinitePsnr(), images == 0 ? Double.NaN : seconds / images, seconds,
        seconds > 0 ? outputPixels / 1e6 / seconds : Double.NaN, List.copyOf(runs));
  }

  /**
   * @param images             images averaged
   * @param failed             failed rows seen (not averaged)
   * @param psnr               mean PSNR over images, dB (NaN when empty)
   * @param ssim               mean SSIM over images
   * @param psnrMin            lowest image PSNR
   * @param psnrMax            highest image PSNR
   * @param infinitePsnr       images identical to their reference
   * @param secondsMean        mean inference seconds per image
   * @param secondsTotal       total inference seconds
   * @param megapixelsPerSecond output megapixels per inference second
   * @param runs               the runs whose rows were averaged, sorted (times measured in
   *                           different runs, maybe on other machines or loads, do not compare)
   */
  public record Result(long images, long failed, double psnr, double ssim, double psnrMin,
      double psnrMax, long infinitePsnr, double secondsMean, double secondsTotal,
      double megapixelsPerSecond, List<String> runs) implements Serializable {
    public Result {
      runs = List.copyOf(runs);
    }
  }
}
