package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.InputListing.Found;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * A file found under the inputs after step 1: an image with its header (or why it cannot be
 * read), or a file that is ignored.
 */
record Scanned(Probe probe, Found ignored) implements Serializable {

  /** Step 1 on an executor: reads the header of each image of a partition of the listing. */
  static final class Probing implements FlatMapFunction<Iterator<Found>, Scanned> {
    private final ProbeImage probe;

    Probing(Broadcast<HadoopConf> conf) {
      this.probe = new ProbeImage(conf);
    }

    @Override
    public Iterator<Scanned> call(Iterator<Found> files) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return files.hasNext();
        }

        @Override
        public Scanned next() {
          Found f = files.next();
          return f.ignored() ? new Scanned(null, f) : new Scanned(probe.call(f), null);
        }
      };
    }
  }
}
