package io.sparksr.jobs.bench;

import io.sparksr.jobs.SparkOptions;
import io.sparksr.jobs.SparkSessions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparksr bench}: throughput of this node, printed as Markdown tables. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure this node: peak GFLOP/s of ND4J (sgemm, 3x3 conv), the model's forward "
        + "pass, the upscale job against a plain single-JVM loop, bicubic against libvips, and "
        + "time against output size. Prints Markdown tables (medians of --reps after --warmup).")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--sections", split = ",", defaultValue = "peak,model,job,bicubic,scaling,photos",
      description = "Which parts to run (default: ${DEFAULT-VALUE}).")
  List<String> sections;

  @Option(names = "--model", defaultValue = "default",
      description = "Model: default, archive or a bundle path (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--scales", split = ",", defaultValue = "2,3,4",
      description = "Scales of the model section (default: ${DEFAULT-VALUE}).")
  List<Integer> scales;

  @Option(names = "--tile-size",
      defaultValue = "" + io.sparksr.jobs.upscale.UpscaleJobConfig.DEFAULT_TILE_SIZE,
      description = "Tile core size; 0 (the default) = the upscale job's choice per run, and "
          + "its largest automatic tile for the model section.")
  int tileSize;

  @Option(names = "--reps", defaultValue = "5",
      description = "Timed repetitions per measurement (default: ${DEFAULT-VALUE}).")
  int reps;

  @Option(names = "--warmup", defaultValue = "2",
      description = "Untimed runs before them (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--images", paramLabel = "<dir>",
      description = "Images for the job/bicubic sections (default: 8 synthetic 480x360 photos).")
  String images;

  @Option(names = "--photos", paramLabel = "<dir>",
      description = "PNG photos for the photos section, used as they are (default: mosaics of "
          + "../shared/datasets/B100 cut to 960x640 and 2000x1200).")
  String photos;

  @Option(names = "--photo-sizes", split = ",", paramLabel = "<WxH>",
      description = "Mosaic sizes of the photos section (default: 960x640,2000x1200).")
  List<String> photoSizes;

  @Option(names = "--work", paramLabel = "<dir>",
      description = "Scratch folder (default: a temporary folder, deleted at the end).")
  Path work;

  @Option(names = "--report", paramLabel = "<file.md>",
      description = "Also write the tables to this file.")
  Path report;

  @CommandLine.Mixin
  SparkOptions sparkOptions;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  BenchConfig toConfig() {
    try {
      return new BenchConfig(sections, model, scales, tileSize, reps, warmup, images, photos,
          photoSizes, work,
          report, sparkOptions.master(), sparkOptions.conf());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    BenchConfig cfg = toConfig();
    if (!cfg.needsSpark()) {
      BenchJob.run(null, cfg, spec.commandLine().getOut());
      return 0;
    }
    try (SparkSession spark = SparkSessions.create("sparksr bench", cfg.master(),
        cfg.sparkConf())) {
      BenchJob.run(spark, cfg, spec.commandLine().getOut());
    }
    return 0;
  }
}
