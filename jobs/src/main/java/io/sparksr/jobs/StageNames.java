package io.sparksr.jobs;

import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Names the Spark jobs and stages a step runs, so the Spark UI and the progress lines say what
 * they do ("upscale: infer and write 12 tiles in 3 partitions") instead of a call site
 * ("mapPartitions at UpscaleJob.java:150"). Spark names a stage after the call site current when
 * its action runs; this sets it (and the job description) for the action, then clears both.
 */
public final class StageNames {
  private StageNames() {}

  /** Runs {@code action} with its jobs and stages named {@code name}. */
  public static <T> T run(JavaSparkContext jsc, String name, Supplier<T> action) {
    jsc.sc().setCallSite(name);
    jsc.setJobDescription(name);
    try {
      return action.get();
    } finally {
      jsc.sc().clearCallSite();
      jsc.setJobDescription(null);
    }
  }
}
