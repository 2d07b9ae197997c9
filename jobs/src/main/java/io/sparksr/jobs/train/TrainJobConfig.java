package io.sparksr.jobs.train;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The resolved settings of one training run, checked before Spark starts.
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
 * @param seed              seed of batches and initialisation
 */
public record TrainJobConfig(String data, String output, String modelConfig, boolean resume,
    double maxMinutes, long maxSteps, long totalSteps, int batchSize, int crop, double lr,
    double minLr, long warmupSteps, List<Integer> scales, String val, long valEvery, long logEvery,
    double checkpointMinutes, double emaDecay, long seed, String master, Map<String, String> sparkConf)
    implements Serializable {

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
    if (maxSteps > totalSteps) {
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
    if (totalSteps > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("'total-steps' is " + totalSteps + " but must be <= "
          + Integer.MAX_VALUE);
    }
    scales = List.copyOf(scales);
    sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
  }
}
