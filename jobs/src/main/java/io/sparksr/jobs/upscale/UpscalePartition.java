package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopConf;
import io.sparksr.model.ForwardLanes;
import io.sparksr.model.SrModel;
import io.sparksr.partitioning.inference.SelfEnsemble;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.OperatorCache;
import io.sparksr.pipeline.OutputSettings;
import io.sparksr.pipeline.PartitionUpscaler;
import io.sparksr.pipeline.TileTask;
import io.sparksr.pipeline.Tiling;
import io.sparksr.pipeline.Upscaled;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * Step 4: one Spark task runs the tile pipeline ({@link PartitionUpscaler}) on its partition of
 * the plan, counting tiles and output pixels for the progress line.
 */
final class UpscalePartition implements FlatMapFunction<Iterator<List<TileTask>>, Upscaled> {
  private final Broadcast<HadoopConf> conf;
  private final String model;
  private final int forwardPermits;
  private final Tiling tiling;
  private final OutputSettings settings;
  private final LongAccumulator tilesDone;
  private final LongAccumulator pixelsDone;

  /** @param forwardPermits forward lanes per executor JVM; 0 = the model's own default */
  UpscalePartition(Broadcast<HadoopConf> conf, String model, int forwardPermits, Tiling tiling,
      OutputSettings settings, LongAccumulator tilesDone, LongAccumulator pixelsDone) {
    this.conf = conf;
    this.model = model;
    this.forwardPermits = forwardPermits;
    this.tiling = tiling;
    this.settings = settings;
    this.tilesDone = tilesDone;
    this.pixelsDone = pixelsDone;
  }

  @Override
  public Iterator<Upscaled> call(Iterator<List<TileTask>> partition) {
    List<TileTask> tasks = new ArrayList<>();
    partition.forEachRemaining(tasks::addAll);
    FaultHooks hooks = FaultHooks.forTask();
    List<Upscaled> out = run(conf.value().get(), model, forwardPermits, tiling, settings,
        tilesDone, pixelsDone, hooks, tasks);
    hooks.failOnce();
    return out.iterator();
  }

  /** Runs the tile pipeline on {@code tasks} in this task, counting tiles and pixels. */
  static List<Upscaled> run(Configuration c, String model, int forwardPermits, Tiling tiling,
      OutputSettings settings, LongAccumulator tilesDone, LongAccumulator pixelsDone,
      FaultHooks hooks, List<TileTask> tasks) {
    GpuDevice.selectForTask();
    TileOperator op = OperatorCache.get(model, settings.selfEnsemble(), c);
    String sha = OperatorCache.sha256(op);
    if (!sha.equals(settings.modelSha256())) {
      // the outputs' provenance names the driver's weights: never write others under it
      throw new IllegalStateException("model '" + model + "' changed during the run: the driver "
          + "loaded SHA-256 " + settings.modelSha256() + ", this executor " + sha + "; copy a "
          + "bundle that is being written (e.g. a training checkpoint) before upscaling with it");
    }
    if (forwardPermits > 0 && SelfEnsemble.unwrap(op) instanceof SrModel) {
      ForwardLanes.shared().resize(forwardPermits);
    }
    return new PartitionUpscaler(c, op, tiling, settings, new PartitionUpscaler.Listener() {
      @Override
      public void done(ImageJob image, TileSpec tile, boolean computed) {
        tilesDone.add(1);
        pixelsDone.add(tile.output().area());
        if (computed && hooks != null) {
          hooks.tileDone(image.index(), tile.index());
        }
      }

      @Override
      public void failed(ImageJob image, TileSpec tile) {
        tilesDone.add(1);
      }
    }, PartitionUpscaler.workersFor(op)).run(tasks);
  }
}
