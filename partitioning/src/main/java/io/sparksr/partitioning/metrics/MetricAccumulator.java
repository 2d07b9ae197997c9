package io.sparksr.partitioning.metrics;

import java.io.Serializable;

/**
 * Mergeable mean of PSNR/SSIM scores over a data set (add / merge / result), for Spark's
 * {@code aggregate} and for plain loops alike. Means are over images (the literature's
 * convention), not over pixels. An image with infinite PSNR (identical to the reference) makes
 * the mean PSNR infinite; it is counted in {@link Result#infinitePsnr()}.
 */
public final class MetricAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  private long count;
  private double psnrSum;
  private double ssimSum;
  private long infinite;
  private double psnrMin = Double.POSITIVE_INFINITY;
  private double psnrMax = Double.NEGATIVE_INFINITY;

  public MetricAccumulator add(Metrics.Score s) {
    count++;
    psnrSum += s.psnr();
    ssimSum += s.ssim();
    if (Double.isInfinite(s.psnr())) {
      infinite++;
    }
    psnrMin = Math.min(psnrMin, s.psnr());
    psnrMax = Math.max(psnrMax, s.psnr());
    return this;
  }

  /** Adds {@code other} into this accumulator and returns this. */
  public MetricAccumulator merge(MetricAccumulator other) {
    count += other.count;
    psnrSum += other.psnrSum;
    ssimSum += other.ssimSum;
    infinite += other.infinite;
    psnrMin = Math.min(psnrMin, other.psnrMin);
    psnrMax = Math.max(psnrMax, other.psnrMax);
    return this;
  }

  public Result result() {
    if (count == 0) {
      return new Result(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
    }
    return new Result(count, psnrSum / count, ssimSum / count, psnrMin, psnrMax, infinite);
  }

  /** Means over {@code count} images; NaN when empty. */
  public record Result(long count, double psnr, double ssim, double psnrMin, double psnrMax,
      long infinitePsnr) implements Serializable {}
}
