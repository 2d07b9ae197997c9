package io.sparksr.jobs;

import com.holdenkarau.spark.testing.SharedJavaSparkContext;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The one local[2] Spark context all Spark tests of this module share (spark-testing-base keeps
 * it for the whole JVM), with the UI off and everything on loopback.
 */
public abstract class SharedSpark extends SharedJavaSparkContext {

  @Override
  public SparkConf conf() {
    return new SparkConf().setMaster("local[2]").setAppName("sparksr-test")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.sql.shuffle.partitions", "4")
        .set("spark.app.id", "sparksr-test")
        // a file system only this spark.hadoop.* setting configures (ModelFileSystemTest)
        .set(SchemeOnlyFileSystem.SPARK_KEY, SchemeOnlyFileSystem.class.getName())
        // the local disk with folders that cannot be listed (ArchiveTreeTest)
        .set(io.sparksr.io.DenyingFileSystem.SPARK_KEY,
            io.sparksr.io.DenyingFileSystem.class.getName());
  }

  /** A session over the shared context (never close it: the context is shared). */
  protected SparkSession spark() {
    return SparkSession.builder().sparkContext(sc()).getOrCreate();
  }
}
