package io.sparksr.jobs.prepare;

import io.sparksr.jobs.SparkOptions;
import io.sparksr.jobs.SparkSessions;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code sparksr prepare}: the command line of {@link PrepareJob}. */
@Command(name = "prepare", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Turn HR image folders into SR training data: aligned LR/HR patch pairs "
        + "(MATLAB bicubic) in a Parquet dataset partitioned by scale.")
public final class PrepareCommand implements Callable<Integer> {

  @Option(names = "--input", split = ",", paramLabel = "<dir|glob|file>",
      description = "HR images: folders, globs or files on any Hadoop FS (comma-separated or "
          + "repeated; a path holding ',' in double quotes: '\"/a/Smith, John/\"').")
  List<String> input;

  @Option(names = "--output", paramLabel = "<dataset>",
      description = "Dataset folder: Parquet partitioned by scale, plus _SUMMARY.json.")
  String output;

  @Option(names = "--scales", split = ",", defaultValue = "2,3,4",
      description = "Scales (default: ${DEFAULT-VALUE}).")
  List<Integer> scales;

  @Option(names = "--patch-size", defaultValue = "48", paramLabel = "<px>",
      description = "LR patch size; HR patches are scale times larger (default: ${DEFAULT-VALUE}).")
  int patchSize;

  @Option(names = "--stride", paramLabel = "<px>",
      description = "Grid step in LR pixels (default: half the patch size).")
  Integer stride;

  @Option(names = "--patches-per-image", defaultValue = "0", paramLabel = "<n>",
      description = "Random patches per image and scale instead of the grid (default: "
          + "${DEFAULT-VALUE} = grid).")
  int patchesPerImage;

  @Option(names = "--seed", defaultValue = "0",
      description = "Seed for random positions and the split (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--min-std", defaultValue = "0.01", paramLabel = "<std>",
      description = "Drop flat patches: LR standard deviation below this, in [0,1] units "
          + "(default: ${DEFAULT-VALUE}).")
  double minStd;

  @Option(names = "--augment", split = ",", paramLabel = "<flips|rot90>",
      description = "Materialise augmented copies: flips, rot90 (default: none; train "
          + "augments on the fly).")
  List<String> augment;

  @Option(names = "--val-fraction", defaultValue = "0.05", paramLabel = "<f>",
      description = "Share of source images in the val split (default: ${DEFAULT-VALUE}).")
  double valFraction;

  @Option(names = "--compression", defaultValue = "zstd",
      description = "Parquet codec: zstd, snappy, gzip, none (default: ${DEFAULT-VALUE}).")
  String compression;

  @Option(names = "--row-group-mb", defaultValue = "32", paramLabel = "<MB>",
      description = "Parquet row group size (default: ${DEFAULT-VALUE}).")
  int rowGroupMb;

  @Option(names = "--overwrite", description = "Replace an existing dataset.")
  boolean overwrite;



  @Option(names = "--degradation", paramLabel = "<preset|file.yaml>",
      defaultValue = PrepareJobConfig.DEFAULT_DEGRADATION,
      description = "How LR patches are made: 'clean' (MATLAB bicubic, the default), 'archive' "
          + "(noise and a JPEG save at the LR size, for real photos), 'archive-chain' (the "
          + "Real-ESRGAN-style blur/resize/noise/JPEG chain), or a preset YAML "
          + "(conf/degradations/). Every drawn parameter is a column of the data set.")
  String degradation;

  @CommandLine.Mixin
  SparkOptions sparkOptions;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  PrepareJobConfig toConfig() {
    try {
      boolean flips = false;
      boolean rot90 = false;
      for (String a : augment == null ? List.<String>of() : augment) {
        switch (a.trim()) {
          case "flips" -> flips = true;
          case "rot90" -> rot90 = true;
          case "", "none" -> { }
          default -> throw new IllegalArgumentException(
              "'augment' has '" + a + "' but must list flips and/or rot90");
        }
      }
      return new PrepareJobConfig(input, output, scales, patchSize,
          stride == null ? Math.max(1, patchSize / 2) : stride, patchesPerImage, seed, minStd,
          flips, rot90, valFraction, compression, rowGroupMb, overwrite, sparkOptions.master(),
          sparkOptions.conf(), degradation);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrepareJobConfig cfg = toConfig();
    if (!cfg.overwrite() && io.sparksr.io.HadoopFiles.exists(
        new org.apache.hadoop.conf.Configuration(), cfg.output())) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "'output' " + cfg.output() + " exists; pass --overwrite to replace it");
    }
    try (SparkSession spark = SparkSessions.create("sparksr prepare", cfg.master(), cfg.sparkConf())) {
      PrepareJobResult r = PrepareJob.run(spark, cfg);
      spec.commandLine().getOut().println(r.summary());
      return r.failed() == 0 ? 0 : 1;
    }
  }
}
