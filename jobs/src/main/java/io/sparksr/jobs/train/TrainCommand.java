package io.sparksr.jobs.train;

import io.sparksr.jobs.SparkOptions;
import io.sparksr.jobs.SparkSessions;
import io.sparksr.jobs.train.TrainJobConfig.Defaults;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparksr train}: the command line of {@link TrainJob}. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train the multi-scale model (one set of weights for x2, x3, x4) from a prepare "
        + "dataset, resumably. Spark reads the data; the optimiser runs in this JVM.")
public final class TrainCommand implements Callable<Integer> {

  @Option(names = "--data", paramLabel = "<dataset>", description = "prepare output (Parquet).")
  String data;

  @Option(names = "--output", paramLabel = "<bundle>",
      description = "Model bundle to write; also the resume checkpoint. Next to it: "
          + "<bundle>.curve.csv, <bundle>.curve.png and <bundle>.best.srm (the weights with the "
          + "best mean validation PSNR so far, inference-only).")
  String output;

  @Option(names = "--model-config", paramLabel = "<model.yaml>",
      description = "Architecture YAML (default: conf/model/default.yaml's built-in values). "
          + "With --init: a wider model (more channels) started from the init bundle's weights, "
          + "computing what it computes at step 0.")
  String modelConfig;

  @Option(names = "--init", paramLabel = "<bundle>",
      description = "Start a new run from this bundle's weights ('default', 'archive' or a "
          + "bundle path: fine-tuning, fresh optimiser state and schedule); ignored with --resume.")
  String init;

  @Option(names = "--resume", description = "Continue from --output on the same trajectory: the bundle's seed, "
      + "schedule, EMA and architecture (a differing option is named in a warning).")
  boolean resume;

  @Option(names = "--max-minutes", defaultValue = "" + Defaults.MAX_MINUTES, paramLabel = "<min>",
      description = "Stop (after a checkpoint) after this many minutes; 0 = no limit.")
  double maxMinutes;

  @Option(names = "--max-steps", defaultValue = "" + Defaults.MAX_STEPS, paramLabel = "<n>",
      description = "Stop at this step; 0 = the end of the schedule.")
  long maxSteps;

  @Option(names = "--total-steps", defaultValue = "" + Defaults.TOTAL_STEPS, paramLabel = "<n>",
      description = "Length of the cosine learning-rate schedule (default: ${DEFAULT-VALUE}).")
  long totalSteps;

  @Option(names = "--batch-size", defaultValue = "" + Defaults.BATCH_SIZE, description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--crop", defaultValue = "" + Defaults.CROP, paramLabel = "<px>",
      description = "LR crop inside the stored patches (default: ${DEFAULT-VALUE}).")
  int crop;

  @Option(names = "--lr", defaultValue = "" + Defaults.LR, description = "Peak learning rate (default: "
      + "${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--min-lr", defaultValue = "" + Defaults.MIN_LR, description = "Final learning rate "
      + "(default: ${DEFAULT-VALUE}).")
  double minLr;

  @Option(names = "--warmup-steps", defaultValue = "" + Defaults.WARMUP_STEPS, description = "Default: "
      + "${DEFAULT-VALUE}.")
  long warmupSteps;

  @Option(names = "--scales", split = ",", defaultValue = Defaults.SCALES,
      description = "Scales, one per batch drawn uniformly (default: ${DEFAULT-VALUE}).")
  List<Integer> scales;

  @Option(names = "--val", paramLabel = "<dir>",
      description = "Validation images (full-image PSNR on Y at each scale), e.g. "
          + "../shared/datasets/Set5. Unset: no validation.")
  String val;

  @Option(names = "--val-every", defaultValue = "" + Defaults.VAL_EVERY, paramLabel = "<steps>",
      description = "Default: ${DEFAULT-VALUE}.")
  long valEvery;

  @Option(names = "--log-every", defaultValue = "" + Defaults.LOG_EVERY, paramLabel = "<steps>",
      description = "Default: ${DEFAULT-VALUE}.")
  long logEvery;

  @Option(names = "--checkpoint-minutes", defaultValue = "" + Defaults.CHECKPOINT_MINUTES, paramLabel = "<min>",
      description = "Save the bundle at least this often (default: ${DEFAULT-VALUE}).")
  double checkpointMinutes;

  @Option(names = "--ema-decay", defaultValue = "" + Defaults.EMA_DECAY, description = "EMA of the weights "
      + "used for inference; 0 = raw weights (default: ${DEFAULT-VALUE}).")
  double emaDecay;

  @Option(names = "--fft-l1-weight", defaultValue = "" + Defaults.FFT_L1_WEIGHT, paramLabel = "<w>",
      description = "Weight of the FFT-L1 term: loss = L1 + w * mean(|Re F| + |Im F|) of the "
          + "orthonormal 2-D DFT of SR - HR per patch and channel; 0 = plain L1 (default: "
          + "${DEFAULT-VALUE}). With --resume: a run trained without the term turns it on from "
          + "the next step (optimiser state and schedule kept); 0 keeps the run's weight; a "
          + "non-zero weight cannot be changed.")
  double fftL1Weight;

  @Option(names = "--seed", defaultValue = "" + Defaults.SEED, description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @CommandLine.Mixin
  SparkOptions sparkOptions;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The options as a config; a YAML key or option not given takes {@link Defaults}. */
  TrainJobConfig toConfig() {
    try {
      return TrainJobConfig.builder().data(data).output(output).modelConfig(modelConfig).init(init)
          .resume(resume).maxMinutes(maxMinutes).maxSteps(maxSteps).totalSteps(totalSteps)
          .batchSize(batchSize).crop(crop).lr(lr).minLr(minLr).warmupSteps(warmupSteps)
          .scales(scales).val(val).valEvery(valEvery).logEvery(logEvery)
          .checkpointMinutes(checkpointMinutes).emaDecay(emaDecay).fftL1Weight(fftL1Weight).seed(seed)
          .master(sparkOptions.master()).sparkConf(sparkOptions.conf()).build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    TrainJobConfig cfg = toConfig();
    try (SparkSession spark = SparkSessions.create("sparksr train", cfg.master(), cfg.sparkConf())) {
      TrainJobResult r = TrainJob.run(spark, cfg);
      spec.commandLine().getOut().println(r.summary());
      return 0;
    }
  }
}
