package io.sparksr.jobs.upscale;

import io.sparksr.jobs.SparkSessions;
import io.sparksr.partitioning.BorderPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparksr upscale}: the command line of {@link UpscaleJob}. */
@Command(name = "upscale", mixinStandardHelpOptions = true,
    description = "Upscale images: tiles are the unit of work, stitched back seam-free.",
    sortOptions = false)
public final class UpscaleCommand implements Callable<Integer> {

  @Option(names = "--input", split = ",", paramLabel = "<file|dir|glob>",
      description = "Input images: files, directories or globs on any Hadoop FS (repeatable, or "
          + "comma-separated).")
  List<String> input;

  @Option(names = "--output", paramLabel = "<dir>",
      description = "Output directory: <name>_x<scale>.<ext> per image and _manifest.csv.")
  String output;

  @Option(names = "--scale", defaultValue = "2", description = "Upscaling factor: 2, 3 or 4 "
      + "(default: ${DEFAULT-VALUE}).")
  int scale;

  @Option(names = "--model", defaultValue = "bicubic",
      description = "Model: 'default' (the shipped multi-scale network), 'bicubic' "
          + "(MATLAB-compatible) or the path of a model bundle (.srm) on any Hadoop FS "
          + "(default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--tile-size", defaultValue = "256", paramLabel = "<px>",
      description = "Tile core size in input pixels (default: ${DEFAULT-VALUE}).")
  int tileSize;

  @Option(names = "--halo", paramLabel = "<px>",
      description = "Context pixels around each tile (default: the model's receptive-field "
          + "radius, which makes tiled output equal whole-image output).")
  Integer halo;

  @Option(names = "--border", paramLabel = "<policy>",
      description = "What the model sees outside the image: replicate, reflect, symmetric or zero"
          + " (default: the model's own; bicubic: symmetric, as MATLAB).")
  String border;

  @Option(names = "--partition-megapixels", defaultValue = "16", paramLabel = "<MP>",
      description = "Output megapixels per Spark partition (default: ${DEFAULT-VALUE}).")
  double partitionMegapixels;

  @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*]).")
  String master;

  @Option(names = "--conf", paramLabel = "<key=value>", split = ",",
      description = "Extra Spark settings, e.g. --conf spark.executor.memory=4g.")
  Map<String, String> conf;

  @Option(names = "--config", paramLabel = "<file.yaml>",
      description = "YAML file with any of these options (see conf/upscale.yaml).")
  Path config;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The checked, model-resolved config; every error is a usage error, before Spark starts. */
  UpscaleJobConfig toConfig() {
    try {
      UpscaleJobConfig cfg = new UpscaleJobConfig(input, output, scale, model, tileSize, halo,
          border == null ? null : BorderPolicy.parse(border), partitionMegapixels, master, conf);
      return cfg.forOperator(OperatorCache.get(cfg.model()));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    UpscaleJobConfig cfg = toConfig();
    try (SparkSession spark = SparkSessions.create("sparksr upscale", cfg.master(), cfg.sparkConf())) {
      UpscaleJobResult result = UpscaleJob.run(spark, cfg);
      spec.commandLine().getOut().println(result.summary());
      return result.failed() == 0 ? 0 : 1;
    }
  }
}
