package io.sparksr.jobs;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every job shares (a picocli mixin): where Spark runs, extra Spark settings, and
 * the YAML file the job's other options may come from ({@link YamlDefaults}).
 */
public final class SparkOptions {

  @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*]).")
  String master;

  @Option(names = "--conf", paramLabel = "<key=value>", split = ",",
      description = "Extra Spark settings, e.g. --conf spark.executor.memory=4g.")
  Map<String, String> conf;

  @Option(names = "--config", paramLabel = "<file.yaml>",
      description = "YAML file with any of this job's options (keys = option names; the command "
          + "line wins; unknown keys are an error). See conf/.")
  Path config;

  /** --master, or null. */
  public String master() {
    return master;
  }

  /** --conf settings (never null). */
  public Map<String, String> conf() {
    return conf == null ? Map.of() : conf;
  }
}
