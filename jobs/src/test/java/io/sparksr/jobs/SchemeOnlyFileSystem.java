package io.sparksr.jobs;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@value #SCHEME}, which Hadoop only knows when a configuration
 * sets {@code fs.sparksrtest.impl} to this class (as {@code spark.hadoop.fs.sparksrtest.impl}
 * does for a Spark job): stands for a file system whose settings come only from the job's
 * {@code spark.hadoop.*} settings (s3a credentials, a custom implementation).
 */
public class SchemeOnlyFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "sparksrtest";
  public static final String SPARK_KEY = "spark.hadoop.fs." + SCHEME + ".impl";

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }
}
