package io.sparksr.jobs.train;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The resolved settings of one training run, checked before Spark starts. Made with
 * {@link #builder()} (named values; the canonical constructor, which a record cannot hide, is for
 * the builder only). Every option's default is a constant of {@link Defaults}: the builder starts
 * from them and {@code TrainCommand}'s options name them, so the command line, a YAML file that
 * omits a key and a program get the same value.
 *
 * @param data              prepare output (Parquet); its train split is used
 * @param output            the model bundle to write (also the resume checkpoint)
 * @param modelConfig       model YAML (architecture and its hyper-parameters); null = built-in
 * @param resume            continue from {@code output} (same trajectory)
 * @param maxMinutes        stop after this many minutes (0 = no limit)
 * @param maxSteps          stop at this step (0 = run the whole schedule)
 * @param totalSteps        length of the learning-rate schedule (cosine to minLr)
 * @param batchSize         patches per batch
 * @param crop              LR crop size drawn inside the stored patches
 * @param lr                peak learning rate (Adam, beta 0.9 / 0.99)
 * @param minLr             final learning rate of the cosine schedule
 * @param warmupSteps       linear warm-up steps
 * @param scales            scales to train (one per batch, uniform)
 * @param val               validation image folder (Set5); null = none
 * @param valEvery          validate every this many steps
 * @param logEvery          log and record the loss every this many steps
 * @param checkpointMinutes save the bundle at least this often
 * @param emaDecay          EMA of the weights used for inference (0 = raw weights)
 * @param fftL1Weight       weight w of the FFT-L1 term, loss = L1 + w * FFT-L1 (orthonormal DFT;
 *                          see {@code io.sparksr.model.FftL1Loss}); 0 = the plain L1 loss.
 *                          With {@code resume}: 0 keeps the bundle's own weight; a non-zero
 *                          weight turns the term on in a bundle trained without it (a bundle
 *                          with another non-zero weight is refused)
 * @param seed              seed of batches and initialisation
 * @param master            Spark master (null = the session's default)
 * @param sparkConf         extra Spark settings
 * @param init              a new run starts from this bundle's weights ({@code default} or a
 *                          bundle path: fine-tuning) instead of a random initialisation; its
 *                          architecture is used (or, with {@code modelConfig}, that wider
 *                          architecture, widened from the bundle's: the same function at step
 *                          0), fresh Adam state and schedule; null = random.
 *                          Ignored by {@code resume}, which continues the output's own state
 */
public record TrainJobConfig(String data, String output, String modelConfig, boolean resume,
    double maxMinutes, long maxSteps, long totalSteps, int batchSize, int crop, double lr,
    double minLr, long warmupSteps, List<Integer> scales, String val, long valEvery, long logEvery,
    double checkpointMinutes, double emaDecay, long seed, String master, Map<String, String> sparkConf,
    String init, double fftL1Weight) implements Serializable {

  public TrainJobConfig {
    if (data == null || data.isBlank()) {
      throw new IllegalArgumentException("'data' is missing: give a prepare output folder");
    }
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException("'output' is missing: give the bundle path to write");
    }
    io.sparksr.jobs.PathRules.checkDisjoint("output", output, "data", data);
    if (val != null && !val.isBlank()) {
      io.sparksr.jobs.PathRules.checkDisjoint("output", output, "val", val);
    }
    if (maxMinutes < 0) {
      throw new IllegalArgumentException("'max-minutes' is " + maxMinutes + " but must be >= 0");
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("'max-steps' is " + maxSteps + " but must be >= 0");
    }
    if (totalSteps < 1) {
      throw new IllegalArgumentException("'total-steps' is " + totalSteps + " but must be >= 1");
    }
    if (maxSteps > totalSteps && !resume) { // a resume: against the bundle's (TrainJob)
      throw new IllegalArgumentException("'max-steps' is " + maxSteps
          + " but must be <= 'total-steps' (= " + totalSteps + ")");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("'batch-size' is " + batchSize + " but must be >= 1");
    }
    if (crop < 8) {
      throw new IllegalArgumentException("'crop' is " + crop + " but must be >= 8");
    }
    if (!(lr > 0) || lr > 1) {
      throw new IllegalArgumentException("'lr' is " + lr + " but must be in (0, 1]");
    }
    if (minLr < 0 || minLr > lr) {
      throw new IllegalArgumentException("'min-lr' is " + minLr + " but must be in [0, 'lr' = "
          + lr + "]");
    }
    if (warmupSteps < 0 || warmupSteps >= totalSteps) {
      throw new IllegalArgumentException("'warmup-steps' is " + warmupSteps
          + " but must be in [0, 'total-steps' = " + totalSteps + ")");
    }
    if (scales == null || scales.isEmpty()) {
      throw new IllegalArgumentException("'scales' is empty but must list 2, 3 and/or 4");
    }
    for (int s : scales) {
      if (s < 2 || s > 4) {
        throw new IllegalArgumentException("'scales' has " + s + " but each must be 2, 3 or 4");
      }
    }
    if (valEvery < 1) {
      throw new IllegalArgumentException("'val-every' is " + valEvery + " but must be >= 1");
    }
    if (logEvery < 1) {
      throw new IllegalArgumentException("'log-every' is " + logEvery + " but must be >= 1");
    }
    if (!(checkpointMinutes > 0)) {
      throw new IllegalArgumentException(
          "'checkpoint-minutes' is " + checkpointMinutes + " but must be > 0");
    }
    if (emaDecay < 0 || emaDecay >= 1) {
      throw new IllegalArgumentException("'ema-decay' is " + emaDecay + " but must be in [0, 1)");
    }
    if (!(fftL1Weight >= 0) || Double.isInfinite(fftL1Weight)) {
      throw new IllegalArgumentException("'fft-l1-weight' is " + fftL1Weight
          + " but must be finite and >= 0");
    }
    if (totalSteps > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("'total-steps' is " + totalSteps + " but must be <= "
          + Integer.MAX_VALUE);
    }
    scales = List.copyOf(scales);
    sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
  }

  /** The one place of each option's default (constants, so picocli's annotations can name them). */
  public static final class Defaults {
    public static final double MAX_MINUTES = 0;
    public static final long MAX_STEPS = 0;
    /** The schedule of the shipped model (MODEL.md, conf/train/default.yaml). */
    public static final long TOTAL_STEPS = 60_000;
    public static final int BATCH_SIZE = 16;
    public static final int CROP = 48;
    public static final double LR = 5e-4;
    public static final double MIN_LR = 1e-6;
    public static final long WARMUP_STEPS = 1000;
    /** Comma-separated, as on the command line. */
    public static final String SCALES = "2,3,4";
    public static final long VAL_EVERY = 1000;
    public static final long LOG_EVERY = 100;
    public static final double CHECKPOINT_MINUTES = 10;
    public static final double EMA_DECAY = 0.999;
    /** No FFT-L1 term: the plain L1 loss. */
    public static final double FFT_L1_WEIGHT = 0;
    public static final long SEED = 0;

    private Defaults() {}

    /** {@link #SCALES} as a list. */
    public static List<Integer> scales() {
      return Arrays.stream(SCALES.split(",")).map(Integer::valueOf).toList();
    }
  }

  /** A builder holding {@link Defaults}; {@code data} and {@code output} have none. */
  public static Builder builder() {
    return new Builder();
  }

  /** Named setters, one per option; {@link #build()} checks the whole. */
  public static final class Builder {
    private String data;
    private String output;
    private String modelConfig;
    private String init;
    private boolean resume;
    private double maxMinutes = Defaults.MAX_MINUTES;
    private long maxSteps = Defaults.MAX_STEPS;
    private long totalSteps = Defaults.TOTAL_STEPS;
    private int batchSize = Defaults.BATCH_SIZE;
    private int crop = Defaults.CROP;
    private double lr = Defaults.LR;
    private double minLr = Defaults.MIN_LR;
    private long warmupSteps = Defaults.WARMUP_STEPS;
    private List<Integer> scales = Defaults.scales();
    private String val;
    private long valEvery = Defaults.VAL_EVERY;
    private long logEvery = Defaults.LOG_EVERY;
    private double checkpointMinutes = Defaults.CHECKPOINT_MINUTES;
    private double emaDecay = Defaults.EMA_DECAY;
    private double fftL1Weight = Defaults.FFT_L1_WEIGHT;
    private long seed = Defaults.SEED;
    private String master;
    private Map<String, String> sparkConf = Map.of();

    private Builder() {}

    public Builder data(String v) {
      data = v;
      return this;
    }

    public Builder output(String v) {
      output = v;
      return this;
    }

    public Builder init(String v) {
      init = v;
      return this;
    }

    public Builder modelConfig(String v) {
      modelConfig = v;
      return this;
    }

    public Builder resume(boolean v) {
      resume = v;
      return this;
    }

    public Builder maxMinutes(double v) {
      maxMinutes = v;
      return this;
    }

    public Builder maxSteps(long v) {
      maxSteps = v;
      return this;
    }

    public Builder totalSteps(long v) {
      totalSteps = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder crop(int v) {
      crop = v;
      return this;
    }

    public Builder lr(double v) {
      lr = v;
      return this;
    }

    public Builder minLr(double v) {
      minLr = v;
      return this;
    }

    public Builder warmupSteps(long v) {
      warmupSteps = v;
      return this;
    }

    public Builder scales(List<Integer> v) {
      scales = v;
      return this;
    }

    public Builder val(String v) {
      val = v;
      return this;
    }

    public Builder valEvery(long v) {
      valEvery = v;
      return this;
    }

    public Builder logEvery(long v) {
      logEvery = v;
      return this;
    }

    public Builder checkpointMinutes(double v) {
      checkpointMinutes = v;
      return this;
    }

    public Builder emaDecay(double v) {
      emaDecay = v;
      return this;
    }

    public Builder fftL1Weight(double v) {
      fftL1Weight = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder master(String v) {
      master = v;
      return this;
    }

    public Builder sparkConf(Map<String, String> v) {
      sparkConf = v;
      return this;
    }

    /** @throws IllegalArgumentException naming the key, the value and the rule */
    public TrainJobConfig build() {
      return new TrainJobConfig(data, output, modelConfig, resume, maxMinutes, maxSteps,
          totalSteps, batchSize, crop, lr, minLr, warmupSteps, scales, val, valEvery, logEvery,
          checkpointMinutes, emaDecay, seed, master, sparkConf, init, fftL1Weight);
    }
  }
}
