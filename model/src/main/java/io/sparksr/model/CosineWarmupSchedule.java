package io.sparksr.model;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning rate per iteration: linear warm-up from peak/warmup to {@code peak} over
 * {@code warmupSteps}, then half a cosine from {@code peak} down to {@code min} at
 * {@code totalSteps}, then {@code min}. Serialised with the training graph (ND4J's shaded Jackson),
 * so a resumed run continues the same curve.
 */
public final class CosineWarmupSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;

  private final double peak;
  private final double min;
  private final int warmupSteps;
  private final int totalSteps;

  public CosineWarmupSchedule(@JsonProperty("peak") double peak, @JsonProperty("min") double min,
      @JsonProperty("warmupSteps") int warmupSteps, @JsonProperty("totalSteps") int totalSteps) {
    this.peak = peak;
    this.min = min;
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
  }

  /** The rate at 0-based iteration {@code iteration}. */
  public double at(long iteration) {
    if (iteration < warmupSteps) {
      return peak * (iteration + 1) / warmupSteps;
    }
    int span = totalSteps - warmupSteps;
    if (span <= 0) {
      return peak;
    }
    double p = Math.min(1.0, (double) (iteration - warmupSteps) / span);
    return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * p));
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    return at(iteration);
  }

  @Override
  public ISchedule clone() {
    return new CosineWarmupSchedule(peak, min, warmupSteps, totalSteps);
  }

  public double getPeak() {
    return peak;
  }

  public double getMin() {
    return min;
  }

  public int getWarmupSteps() {
    return warmupSteps;
  }

  public int getTotalSteps() {
    return totalSteps;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CosineWarmupSchedule s && s.peak == peak && s.min == min
        && s.warmupSteps == warmupSteps && s.totalSteps == totalSteps;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(peak, min, warmupSteps, totalSteps);
  }

  @Override
  public String toString() {
    return "CosineWarmupSchedule(peak=" + peak + ", min=" + min + ", warmup=" + warmupSteps
        + ", total=" + totalSteps + ")";
  }
}
