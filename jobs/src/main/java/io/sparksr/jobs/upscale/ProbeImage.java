package io.sparksr.jobs.upscale;

import io.sparksr.io.Failures;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.ImageStore;
import io.sparksr.io.InputListing;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/** Step 1: reads an input's header (no pixels) on an executor, or says why it cannot. */
final class ProbeImage implements Function<InputListing.Found, Probe> {
  private final Broadcast<HadoopConf> conf;

  ProbeImage(Broadcast<HadoopConf> conf) {
    this.conf = conf;
  }

  @Override
  public Probe call(InputListing.Found found) {
    try {
      return new Probe(found.path(), found.relative(),
          new ImageStore(conf.value().get()).info(found.path()), null);
    } catch (Exception e) {
      return new Probe(found.path(), found.relative(), null, Failures.reason(e));
    }
  }
}
