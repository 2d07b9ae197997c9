package io.sparksr.jobs.upscale;

import io.sparksr.io.Failures;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.InputListing;
import io.sparksr.jobs.RunIds;
import io.sparksr.jobs.SparkSr;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import io.sparksr.partitioning.inference.SelfEnsemble;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.pipeline.ImageAssembler;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.OperatorCache;
import io.sparksr.pipeline.OutputSettings;
import io.sparksr.pipeline.PartitionUpscaler;
import io.sparksr.pipeline.TileOutput;
import io.sparksr.pipeline.TileTask;
import io.sparksr.pipeline.Tiling;
import io.sparksr.pipeline.Upscaled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;

/**
 * The upscale job without Spark: the same plan ({@link UpscalePlanner}) and the same tile pipeline
 * ({@link PartitionUpscaler}, {@link ImageAssembler}) on a plain thread pool in this JVM, one
 * partition per pool task. The bench times it against the job to measure what Spark costs; it
 * converts no inputs and writes no manifest (inputs that would need a conversion fail).
 */
public final class UpscaleLoop {
  private UpscaleLoop() {}

  /**
   * @param cfg     resolved for the operator ({@link UpscaleJobConfig#forOperator}) with a tile size
   * @param threads pool size (the bench uses Spark's default parallelism)
   * @return one outcome per input
   */
  public static List<ImageOutcome> run(Configuration conf, TileOperator op, UpscaleJobConfig cfg,
      int threads) throws Exception {
    ImageStore store = new ImageStore(conf);
    String output = HadoopFiles.qualify(conf, cfg.output()).replaceAll("/+$", "");
    InputListing.Listing listing = InputListing.list(conf, cfg.inputs());
    List<Probe> probes = new ArrayList<>();
    for (InputListing.Found in : listing.images()) {
      try {
        probes.add(new Probe(in.path(), in.relative(), store.info(in.path()), null));
      } catch (Exception e) {
        probes.add(new Probe(in.path(), in.relative(), null, Failures.reason(e)));
      }
    }
    HadoopFiles.Tree existing = HadoopFiles.listTree(conf, output);
    UpscalePlan plan = UpscalePlanner.plan(cfg, output, probes, listing.ignored(),
        existing.files(), existing.hiddenFolders(), Double.NaN, UpscaleJob.modelId(op), threads,
        output + "/" + UpscaleJob.WORK_DIR);
    Tiling tiling = cfg.tiling();
    OutputSettings settings = new OutputSettings(SparkSr.VERSION, cfg.model(),
        OperatorCache.sha256(op), op instanceof SelfEnsemble, RunIds.next(), cfg.jpegQuality(),
        cfg.pngCompression());
    List<ImageOutcome> outcomes = new ArrayList<>(plan.settled());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Upscaled>>> parts = new ArrayList<>();
      for (List<TileTask> partition : plan.partitions()) {
        parts.add(pool.submit(() -> new PartitionUpscaler(conf, op, tiling, settings,
            PartitionUpscaler.Listener.NONE, PartitionUpscaler.workersFor(op)).run(partition)));
      }
      Map<Integer, List<TileOutput>> split = new HashMap<>();
      for (Future<List<Upscaled>> f : parts) {
        for (Upscaled u : f.get()) {
          if (u instanceof ImageOutcome done) {
            outcomes.add(done);
          } else {
            split.computeIfAbsent(u.imageIndex(), k -> new ArrayList<>()).add((TileOutput) u);
          }
        }
      }
      for (List<TileOutput> tiles : split.values()) {
        outcomes.add(ImageAssembler.finish(conf, tiling, settings, tiles));
      }
    } finally {
      pool.shutdownNow();
    }
    return outcomes;
  }
}
