package io.sparksr.jobs.evaluate;

import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.jobs.Degradations;
import io.sparksr.jobs.ImageTables;
import io.sparksr.jobs.SparkOptions;
import io.sparksr.jobs.SparkSessions;
import io.sparksr.pipeline.OperatorCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code sparksr evaluate}: the command line of {@link EvaluateJob}. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Evaluate models on SR benchmarks (PSNR/SSIM on Y, timing) and write "
        + "results.parquet, summary.csv and a report (report.html, report.md).")
public final class EvaluateCommand implements Callable<Integer> {
  /** The anchors file shipped in conf/, looked up under $SPARKSR_HOME, then the working folder. */
  static final String DEFAULT_ANCHORS = "conf/anchors/published.yaml";

  @Option(names = "--datasets", split = ",", paramLabel = "<NAME=DIR>",
      description = "HR test sets: NAME=DIR (a folder of images, a glob or a file on any Hadoop "
          + "FS), or DIR alone (named after the folder); comma-separated or repeated.")
  List<String> datasets;

  @Option(names = "--scales", split = ",", defaultValue = "2,3,4",
      description = "Scales (default: ${DEFAULT-VALUE}).")
  List<Integer> scales;

  @Option(names = "--models", split = ",", defaultValue = "bicubic", paramLabel = "<model>",
      description = "Models: bicubic (MATLAB), default and archive (the shipped models) or model "
          + "bundle paths (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(names = "--tile-size", defaultValue = "0", paramLabel = "<px>",
      description = "Tile core size in LR pixels, as the upscale job tiles; 0 = whole image "
          + "(default: ${DEFAULT-VALUE}). Tiled output equals whole-image output.")
  int tileSize;

  @Option(names = "--degradations", split = ",", defaultValue = "clean",
      paramLabel = "<name>", description = "What is done to the LR before the models see it, "
          + "one column of results each: clean (the MATLAB-bicubic LR), or names of "
          + "conf/degradations/eval.yaml (jpeg75, noise3+jpeg90, ...) (default: ${DEFAULT-VALUE}).")
  List<String> degradations;

  @Option(names = "--degradations-file", paramLabel = "<file.yaml>",
      description = "Where the degradation names are defined (default: the shipped "
          + "conf/degradations/eval.yaml).")
  String degradationsFile;

  @Option(names = "--self-ensemble",
      description = "Also evaluate the x8 flips/rotations ensemble (report its gain and cost).")
  boolean selfEnsemble;

  @Option(names = "--output", paramLabel = "<dir>",
      description = "Output folder; an existing one is resumed (rows already in its "
          + "results.parquet are not computed again).")
  String output;

  @Option(names = "--crops", defaultValue = "1", paramLabel = "<n>",
      description = "Images per data set (the first by name) shown as side-by-side crops "
          + "(default: ${DEFAULT-VALUE}).")
  int crops;

  @Option(names = "--anchors", paramLabel = "<file.yaml|none>",
      description = "Published numbers shown next to the run's (default: " + DEFAULT_ANCHORS
          + " of the installation).")
  String anchors;



  @CommandLine.Mixin
  SparkOptions sparkOptions;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * The checked config. Every error is a usage error found before Spark starts: bad values, a
   * model that cannot be loaded or does not serve a scale, a data set without images, an
   * unreadable anchors file.
   */
  EvaluateJobConfig toConfig() {
    try {
      List<EvaluateJobConfig.Dataset> ds = datasets == null ? null
          : datasets.stream().map(EvaluateJobConfig.Dataset::parse).toList();
      var hadoop = SparkOptions.hadoopConfiguration(sparkOptions.conf());
      EvaluateJobConfig cfg = new EvaluateJobConfig(ds, scales, models, tileSize, selfEnsemble,
          output, crops, resolveAnchors(anchors), sparkOptions.master(),
          sparkOptions.conf(), Degradations.lr(degradations, degradationsFile, hadoop));
      cfg.checkModels(m -> OperatorCache.get(m, hadoop));
      checkDatasets(cfg, hadoop);
      checkAnchors(cfg, hadoop);
      return cfg;
    } catch (java.io.IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "cannot read the degradations: "
          + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /**
   * Each data set is an image folder (or glob) or a table of image bytes ({@link ImageTables}:
   * its image column must be found), read with the run's Hadoop settings.
   */
  private static void checkDatasets(EvaluateJobConfig cfg, Configuration hadoop) {
    ImageStore store = new ImageStore(hadoop);
    for (EvaluateJobConfig.Dataset d : cfg.datasets()) {
      try {
        if (ImageTables.isTable(hadoop, d.path())) {
          for (ImageTables.TableFile f : ImageTables.files(hadoop, d.path())) {
            ImageTables.imageColumn(ImageTables.schema(hadoop, f.path()), null, f.path());
          }
        } else {
          store.expand(List.of(d.path()));
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("'datasets' has " + d.name() + "=" + d.path()
            + " but it is not a readable image folder or table: " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'datasets' has " + d.name() + "=" + d.path()
            + ": " + e.getMessage(), e);
      }
    }
  }

  private static void checkAnchors(EvaluateJobConfig cfg, Configuration hadoop) {
    if (cfg.anchors() == null) {
      return;
    }
    try {
      Anchors.parse(HadoopFiles.readText(hadoop, cfg.anchors()), cfg.anchors());
    } catch (IOException e) {
      throw new IllegalArgumentException("'anchors' is " + cfg.anchors()
          + " but it cannot be read: " + e.getMessage(), e);
    }
  }

  /** {@code none} = no anchors; unset = the shipped file if it can be found. */
  static String resolveAnchors(String option) {
    if (option != null) {
      return option.equalsIgnoreCase("none") ? null : option;
    }
    String home = System.getenv("SPARKSR_HOME");
    if (home != null && Files.isRegularFile(Path.of(home, DEFAULT_ANCHORS))) {
      return Path.of(home, DEFAULT_ANCHORS).toAbsolutePath().toString();
    }
    if (Files.isRegularFile(Path.of(DEFAULT_ANCHORS))) {
      return Path.of(DEFAULT_ANCHORS).toAbsolutePath().toString();
    }
    return null;
  }

  @Override
  public Integer call() throws Exception {
    EvaluateJobConfig cfg = toConfig();
    try (SparkSession spark = SparkSessions.create("sparksr evaluate", cfg.master(),
        cfg.sparkConf())) {
      EvaluateJobResult r = EvaluateJob.run(spark, cfg);
      spec.commandLine().getOut().println(r.summary());
      return r.failures().isEmpty() ? 0 : 1;
    }
  }
}
