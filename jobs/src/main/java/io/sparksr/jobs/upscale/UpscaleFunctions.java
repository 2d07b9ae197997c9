package io.sparksr.jobs.upscale;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.ImageInfo;
import io.sparksr.io.ImageStore;
import io.sparksr.partitioning.BorderPolicy;
import io.sparksr.partitioning.ImageTensor;
import io.sparksr.partitioning.Quantized;
import io.sparksr.partitioning.Stitcher;
import io.sparksr.partitioning.TileOperator;
import io.sparksr.partitioning.TilePlan;
import io.sparksr.partitioning.TilePlanner;
import io.sparksr.partitioning.TileUpscaler;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/** The per-record steps of the upscale job: small serializable classes with explicit fields. */
final class UpscaleFunctions {
  private UpscaleFunctions() {}

  /** The tiling settings every step needs. */
  record Tiling(String model, int tileSize, int halo, int scale, BorderPolicy border)
      implements Serializable {
    TilePlan plan(int width, int height) {
      return TilePlanner.plan(width, height, tileSize, halo, scale);
    }
  }

  /** Header of one input, or why it cannot be read. */
  record Probe(String path, ImageInfo info, String error) implements Serializable {}

  /** Reads image headers (no pixels) on executors. */
  static final class ProbeImage implements Function<String, Probe> {
    private final Broadcast<HadoopConf> conf;

    ProbeImage(Broadcast<HadoopConf> conf) {
      this.conf = conf;
    }

    @Override
    public Probe call(String path) {
      try {
        return new Probe(path, new ImageStore(conf.value().get()).info(path), null);
      } catch (Exception e) {
        return new Probe(path, null, reason(e));
      }
    }
  }

  /**
   * Upscales the tiles of a partition. Consecutive tiles of one image share one decode (or read
   * only their region when the file allows it). A failing image yields failed results for its
   * tiles, never an exception that would kill the task for the other images.
   */
  static final class InferTiles implements FlatMapFunction<Iterator<List<TileTask>>, TileResult> {
    private final Broadcast<HadoopConf> conf;
    private final Tiling tiling;

    InferTiles(Broadcast<HadoopConf> conf, Tiling tiling) {
      this.conf = conf;
      this.tiling = tiling;
    }

    @Override
    public Iterator<TileResult> call(Iterator<List<TileTask>> groups) {
      TileOperator op = OperatorCache.get(tiling.model());
      ImageStore store = new ImageStore(conf.value().get());
      List<TileResult> out = new ArrayList<>();
      while (groups.hasNext()) {
        List<TileTask> tasks = groups.next();
        int i = 0;
        while (i < tasks.size()) {
          int j = i;
          while (j < tasks.size() && tasks.get(j).image() == tasks.get(i).image()) {
            j++;
          }
          upscaleImageTiles(op, store, tasks.subList(i, j), out);
          i = j;
        }
      }
      return out.iterator();
    }

    private void upscaleImageTiles(TileOperator op, ImageStore store, List<TileTask> tasks,
        List<TileResult> out) {
      TileTask first = tasks.get(0);
      TilePlan plan = tiling.plan(first.width(), first.height());
      try {
        DecodedImage whole = first.regionReadable() ? null : store.read(first.path());
        for (TileTask t : tasks) {
          ImageTensor read;
          if (whole != null) {
            read = whole.tensor().crop(t.tile().read());
          } else {
            read = store.readRegion(t.path(), t.tile().read());
          }
          ImageTensor core = TileUpscaler.upscale(op, plan, t.tile(), read, tiling.border());
          out.add(TileResult.ok(t.image(), t.tile().index(), Quantized.of(core, t.bitDepth())));
        }
      } catch (Exception e) {
        String why = reason(e);
        for (TileTask t : tasks) {
          out.add(TileResult.failed(t.image(), t.tile().index(), why));
        }
      }
    }
  }

  /** Stitches all tiles of one image and writes it atomically. */
  static final class StitchImage
      implements Function<Tuple2<Integer, Iterable<TileResult>>, ImageOutcome> {
    private final Broadcast<HadoopConf> conf;
    private final Broadcast<List<ImageJob>> images;
    private final Tiling tiling;

    StitchImage(Broadcast<HadoopConf> conf, Broadcast<List<ImageJob>> images, Tiling tiling) {
      this.conf = conf;
      this.images = images;
      this.tiling = tiling;
    }

    @Override
    public ImageOutcome call(Tuple2<Integer, Iterable<TileResult>> byImage) {
      ImageJob job = images.value().get(byImage._1());
      TilePlan plan = tiling.plan(job.width(), job.height());
      try {
        Stitcher stitcher = null;
        for (TileResult r : byImage._2()) {
          if (r.error() != null) {
            return ImageOutcome.failed(job.input(), job.output(), r.error());
          }
          if (stitcher == null) {
            stitcher = new Stitcher(plan, r.pixels().channels());
          }
          stitcher.place(plan.tiles().get(r.tile()), r.pixels().toTensor());
        }
        if (stitcher == null) {
          return ImageOutcome.failed(job.input(), job.output(), "no tiles were produced");
        }
        ImageTensor result = stitcher.result();
        new ImageStore(conf.value().get()).write(job.output(), result, job.format());
        return new ImageOutcome(job.input(), job.output(), true, job.width(), job.height(),
            result.width(), result.height(), plan.tiles().size(), null);
      } catch (Exception e) {
        return ImageOutcome.failed(job.input(), job.output(), reason(e));
      }
    }
  }

  /** A one-line reason for the manifest: the message, or the exception type if it has none. */
  static String reason(Throwable e) {
    String m = e.getMessage();
    String s = m == null || m.isBlank() ? e.getClass().getName()
        : (e instanceof java.io.IOException ? m : e.getClass().getSimpleName() + ": " + m);
    return s.replace('\n', ' ').replace('\r', ' ');
  }
}
