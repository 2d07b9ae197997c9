package io.sparksr.jobs.upscale;

import io.sparksr.io.Failures;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.ImageStore;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/** Step 1: reads an input's header (no pixels) on an executor, or says why it cannot. */
final class ProbeImage implements Function<String, Probe> {
  private final Broadcast<HadoopConf> conf;

  ProbeImage(Broadcast<HadoopConf> conf) {
    this.conf = conf;
  }

  @Override
  public Probe call(String path) {
    try {
      return new Probe(path, new ImageStore(conf.value().get()).info(path), null);
    } catch (Exception e) {
      return new Probe(path, null, Failures.reason(e));
    }
  }
}
