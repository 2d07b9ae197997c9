package io.sparksr.jobs;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the SparkSession a job runs in: local mode unless a master is given or submitted. */
public final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  private SparkSessions() {}

  /**
   * @param master    --master, or null: spark-submit's master if there is one, else local[*]
   * @param sparkConf extra Spark settings (--conf key=value)
   */
  public static SparkSession create(String appName, String master, Map<String, String> sparkConf) {
    SparkConf submitted = new SparkConf();
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    String resolved = master != null ? master
        : submitted.contains("spark.master") ? submitted.get("spark.master") : "local[*]";
    b.master(resolved);
    if (resolved.startsWith("local")) {
      // no web UI and no network beyond loopback for local runs, unless asked for
      if (!submitted.contains("spark.ui.enabled")) {
        b.config("spark.ui.enabled", "false");
      }
      if (!submitted.contains("spark.driver.host")) {
        b.config("spark.driver.host", "127.0.0.1");
      }
    }
    sparkConf.forEach(b::config);
    SparkSession s = b.getOrCreate();
    s.sparkContext().addSparkListener(new Progress());
    LOG.info("Spark {} master {} default parallelism {}", s.version(), resolved,
        s.sparkContext().defaultParallelism());
    return s;
  }
}
