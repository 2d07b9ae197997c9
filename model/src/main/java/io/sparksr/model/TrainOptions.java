package io.sparksr.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a model is trained: Adam (beta1, beta2, epsilon) on the L1 loss (plus, optionally, the
 * {@link FftL1Loss} term) with a {@link CosineWarmupSchedule}, optional EMA of the weights. Stored
 * in the bundle's metadata (a bundle written before the FFT-L1 term reads as weight 0).
 *
 * @param seed            parameter initialisation seed
 * @param learningRate    peak learning rate (after warm-up)
 * @param minLearningRate learning rate at {@code totalSteps} and after
 * @param warmupSteps     linear warm-up steps
 * @param totalSteps      length of the cosine schedule (the planned run length)
 * @param emaDecay        decay of the exponential moving average of the weights that inference
 *                        uses; 0 = no EMA (inference uses the raw weights)
 * @param fftL1Weight     weight w of the FFT-L1 term: loss = L1 + w * {@link FftL1Loss}; 0 = the
 *                        plain L1 loss (the training graph has no FFT part at all)
 */
public record TrainOptions(
    @JsonProperty("seed") long seed,
    @JsonProperty("learning-rate") double learningRate,
    @JsonProperty("min-learning-rate") double minLearningRate,
    @JsonProperty("warmup-steps") int warmupSteps,
    @JsonProperty("total-steps") int totalSteps,
    @JsonProperty("beta1") double beta1,
    @JsonProperty("beta2") double beta2,
    @JsonProperty("epsilon") double epsilon,
    @JsonProperty("ema-decay") double emaDecay,
    @JsonProperty("fft-l1-weight") double fftL1Weight) {

  /** The options without the FFT-L1 term (weight 0). */
  public TrainOptions(long seed, double learningRate, double minLearningRate, int warmupSteps,
      int totalSteps, double beta1, double beta2, double epsilon, double emaDecay) {
    this(seed, learningRate, minLearningRate, warmupSteps, totalSteps, beta1, beta2, epsilon,
        emaDecay, 0);
  }

  /** Adam 0.9/0.99, peak 1e-3 -> 1e-6 over {@code totalSteps}, 2 % warm-up, EMA 0.999. */
  public static TrainOptions defaults(int totalSteps) {
    return new TrainOptions(1, 1e-3, 1e-6, Math.max(1, totalSteps / 50), totalSteps, 0.9, 0.99,
        1e-8, 0.999);
  }

  public TrainOptions withSeed(long s) {
    return new TrainOptions(s, learningRate, minLearningRate, warmupSteps, totalSteps, beta1, beta2,
        epsilon, emaDecay, fftL1Weight);
  }

  public TrainOptions withEmaDecay(double d) {
    return new TrainOptions(seed, learningRate, minLearningRate, warmupSteps, totalSteps, beta1,
        beta2, epsilon, d, fftL1Weight);
  }

  public TrainOptions withFftL1Weight(double w) {
    return new TrainOptions(seed, learningRate, minLearningRate, warmupSteps, totalSteps, beta1,
        beta2, epsilon, emaDecay, w);
  }

  public TrainOptions validate() {
    check(learningRate > 0, "'learning-rate' is " + learningRate + " but must be > 0");
    check(minLearningRate >= 0 && minLearningRate <= learningRate, "'min-learning-rate' is "
        + minLearningRate + " but must be in [0, 'learning-rate' (= " + learningRate + ")]");
    check(warmupSteps >= 1, "'warmup-steps' is " + warmupSteps + " but must be >= 1");
    check(totalSteps >= warmupSteps, "'total-steps' is " + totalSteps
        + " but must be >= 'warmup-steps' (= " + warmupSteps + ")");
    check(beta1 >= 0 && beta1 < 1, "'beta1' is " + beta1 + " but must be in [0, 1)");
    check(beta2 >= 0 && beta2 < 1, "'beta2' is " + beta2 + " but must be in [0, 1)");
    check(epsilon > 0, "'epsilon' is " + epsilon + " but must be > 0");
    check(emaDecay >= 0 && emaDecay < 1, "'ema-decay' is " + emaDecay + " but must be in [0, 1)");
    check(fftL1Weight >= 0 && Double.isFinite(fftL1Weight),
        "'fft-l1-weight' is " + fftL1Weight + " but must be finite and >= 0");
    return this;
  }

  public CosineWarmupSchedule schedule() {
    return new CosineWarmupSchedule(learningRate, minLearningRate, warmupSteps, totalSteps);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
