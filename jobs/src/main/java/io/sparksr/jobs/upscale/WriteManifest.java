package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopConf;
import io.sparksr.pipeline.ImageOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Step 6, in each task of the last stage: writes the task's rows as its part of the manifest
 * ({@link Manifest#writePart}) and returns their counts, which the driver sums.
 */
final class WriteManifest implements Function2<Integer, Iterator<ImageOutcome>, Iterator<RunTotals>> {
  private final Broadcast<HadoopConf> conf;
  private final String output;
  private final String runId;

  WriteManifest(Broadcast<HadoopConf> conf, String output, String runId) {
    this.conf = conf;
    this.output = output;
    this.runId = runId;
  }

  @Override
  public Iterator<RunTotals> call(Integer part, Iterator<ImageOutcome> rows) {
    List<ImageOutcome> all = new ArrayList<>();
    rows.forEachRemaining(all::add);
    all.sort(java.util.Comparator.comparing(ImageOutcome::input));
    try {
      Manifest.writePart(conf.value().get(), output, UpscaleJob.MANIFEST_PARQUET, runId, part,
          all);
    } catch (IOException e) {
      throw new UncheckedIOException("writing part " + part + " of the manifest", e);
    }
    return List.of(RunTotals.of(all)).iterator();
  }
}
