package io.sparksr.jobs.train;

import io.sparksr.jobs.SparkOptions;
import io.sparksr.jobs.SparkSessions;
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
      description = "Architecture YAML (default: conf/model/default.yaml's built-in values).")
  String modelConfig;

  @Option(names = "--resume", description = "Continue from --output on the same trajectory.")
  boolean resume;

  @Option(names = "--max-minutes", defaultValue = "0", paramLabel = "<min>",
      description = "Stop (after a checkpoint) after this many minutes; 0 = no limit.")
  double maxMinutes;

  @Option(names = "--max-steps", defaultValue = "0", paramLabel = "<n>",
      description = "Stop at this step; 0 = the end of the schedule.")
  long maxSteps;

  @Option(names = "--total-steps", defaultValue = "300000", paramLabel = "<n>",
      description = "Length of the cosine learning-rate schedule (default: ${DEFAULT-VALUE}).")
  long totalSteps;

  @Option(names = "--batch-size", defaultValue = "16", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--crop", defaultValue = "48", paramLabel = "<px>",
      description = "LR crop inside the stored patches (default: ${DEFAULT-VALUE}).")
  int crop;

  @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate (default: "
      + "${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--min-lr", defaultValue = "1e-6", description = "Final learning rate "
      + "(default: ${DEFAULT-VALUE}).")
  double minLr;

  @Option(names = "--warmup-steps", defaultValue = "1000", description = "Default: "
      + "${DEFAULT-VALUE}.")
  long warmupSteps;

  @Option(names = "--scales", split = ",", defaultValue = "2,3,4",
      description = "Scales, one per batch drawn uniformly (default: ${DEFAULT-VALUE}).")
  List<Integer> scales;

  @Option(names = "--val", paramLabel = "<dir>",
      description = "Validation images (full-image PSNR on Y at each scale), e.g. "
          + "../shared/datasets/Set5. Unset: no validation.")
  String val;

  @Option(names = "--val-every", defaultValue = "2000", paramLabel = "<steps>",
      description = "Default: ${DEFAULT-VALUE}.")
  long valEvery;

  @Option(names = "--log-every", defaultValue = "100", paramLabel = "<steps>",
      description = "Default: ${DEFAULT-VALUE}.")
  long logEvery;

  @Option(names = "--checkpoint-minutes", defaultValue = "10", paramLabel = "<min>",
      description = "Save the bundle at least this often (default: ${DEFAULT-VALUE}).")
  double checkpointMinutes;

  @Option(names = "--ema-decay", defaultValue = "0.999", description = "EMA of the weights "
      + "used for inference; 0 = raw weights (default: ${DEFAULT-VALUE}).")
  double emaDecay;

  @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}.")
  long seed;



  @CommandLine.Mixin
  SparkOptions sparkOptions;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  TrainJobConfig toConfig() {
    try {
      return new TrainJobConfig(data, output, modelConfig, resume, maxMinutes, maxSteps,
          totalSteps, batchSize, crop, lr, minLr, warmupSteps, scales, val, valEvery, logEvery,
          checkpointMinutes, emaDecay, seed, sparkOptions.master(),
          sparkOptions.conf());
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
