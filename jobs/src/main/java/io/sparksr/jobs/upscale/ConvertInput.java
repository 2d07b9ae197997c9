package io.sparksr.jobs.upscale;

import io.sparksr.io.Failures;
import io.sparksr.io.HadoopConf;
import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.InputConverter;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Step 3: converts an input without random access to its tiled TIFF ({@link InputConverter}).
 * Returns the image index and null, or the reason it failed.
 */
final class ConvertInput implements Function<ImageJob, Tuple2<Integer, String>> {
  private final Broadcast<HadoopConf> conf;

  ConvertInput(Broadcast<HadoopConf> conf) {
    this.conf = conf;
  }

  @Override
  public Tuple2<Integer, String> call(ImageJob job) {
    try {
      InputConverter.convert(conf.value().get(), job);
      return new Tuple2<>(job.index(), null);
    } catch (Exception e) {
      return new Tuple2<>(job.index(), "cannot convert to a tiled TIFF: " + Failures.reason(e));
    }
  }
}
