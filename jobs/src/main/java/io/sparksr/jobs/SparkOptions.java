package io.sparksr.jobs;

import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
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

  /**
   * The Hadoop configuration a Spark context of these settings would give its tasks, before one
   * exists: the defaults plus every {@code spark.hadoop.*} setting (from spark-submit's
   * properties, i.e. the JVM's {@code spark.*} system properties, then {@code sparkConf}) with the
   * prefix removed, as Spark does. Used to load a model on the driver from a file system that
   * only those settings configure.
   */
  public static Configuration hadoopConfiguration(Map<String, String> sparkConf) {
    SparkConf spark = new SparkConf(true);
    sparkConf.forEach(spark::set);
    Configuration hadoop = new Configuration();
    for (scala.Tuple2<String, String> kv : spark.getAllWithPrefix("spark.hadoop.")) {
      hadoop.set(kv._1(), kv._2());
    }
    return hadoop;
  }
}
