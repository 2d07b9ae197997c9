package io.sparksr.jobs.upscale;

import io.sparksr.io.ExifOrientation;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageInfo;
import io.sparksr.io.ImageStore;
import io.sparksr.io.TiledTiff;
import io.sparksr.io.TiledTiffConverter;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.inference.TileBatcher;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.QuantizedStitcher;
import io.sparksr.partitioning.tiling.Rect;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.partitioning.tiling.Tiles;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/** The per-record steps of the upscale job: small serializable classes with explicit fields. */
final class UpscaleFunctions {
  private static final Logger LOG = LoggerFactory.getLogger(UpscaleFunctions.class);
  /** Tile side of converted inputs. */
  static final int CONVERTED_TILE = 256;

  private UpscaleFunctions() {}

  /**
   * The inference settings every executor step needs.
   *
   * @param standard    padded side of a full tile (tile-size + 2 * halo): the batch shape
   * @param budgetBytes working memory of one forward pass
   */
  record Tiling(String model, int halo, int scale, BorderPolicy border, int standard,
      long budgetBytes, int forwardPermits) implements Serializable {

    static Tiling of(UpscaleJobConfig cfg) {
      return new Tiling(cfg.model(), cfg.halo(), cfg.scale(), cfg.border(),
          cfg.tileSize() + 2 * cfg.halo(), cfg.batchMemoryMb() * (1L << 20),
          cfg.forwardPermits());
    }
  }

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
   * Converts an input without random access to a tiled TIFF, once, streaming; a conversion left
   * by an earlier run (written atomically, named after the input's path and size) is reused.
   * Returns the image index and null, or the reason it failed.
   */
  static final class ConvertInput implements Function<ImageJob, Tuple2<Integer, String>> {
    private final Broadcast<HadoopConf> conf;

    ConvertInput(Broadcast<HadoopConf> conf) {
      this.conf = conf;
    }

    @Override
    public Tuple2<Integer, String> call(ImageJob job) {
      Configuration c = conf.value().get();
      try {
        if (!HadoopFiles.exists(c, job.source())) {
          ImageInfo info = new ImageStore(c).info(job.input());
          TiledTiffConverter.convert(c, info, job.source(), CONVERTED_TILE);
        }
        return new Tuple2<>(job.index(), null);
      } catch (Exception e) {
        return new Tuple2<>(job.index(), "cannot convert to a tiled TIFF: " + reason(e));
      }
    }
  }

  /**
   * Upscales the tiles of a partition. Consecutive tiles of one image share one read: the band of
   * rows their read rectangles span (or each tile's own region when the file allows it). Tiles of
   * one inference shape go through the model in batches ({@link TileBatcher}). Tiles of a tiled
   * output are compressed here and written as part files (tiles already there from an earlier
   * run of the same model and settings are not computed again). A failing image yields failed
   * results for its tiles, never an exception that would kill the task for the other images.
   * An image whose every tile is in this partition is stitched and written here as soon as its
   * last tile is done ({@link TileResult#stitched}): its pixels never enter a shuffle and do not
   * wait in memory for the rest of the partition.
   */
  static final class InferTiles implements FlatMapFunction<Iterator<List<TileTask>>, TileResult> {
    private final Broadcast<HadoopConf> conf;
    private final Tiling tiling;
    private final LongAccumulator tilesDone;
    private final LongAccumulator pixelsDone;

    InferTiles(Broadcast<HadoopConf> conf, Tiling tiling, LongAccumulator tilesDone,
        LongAccumulator pixelsDone) {
      this.conf = conf;
      this.tiling = tiling;
      this.tilesDone = tilesDone;
      this.pixelsDone = pixelsDone;
    }

    /** A queued tile and its share of the read time. */
    private record Queued(TileTask task, double readSeconds) {}

    @Override
    public Iterator<TileResult> call(Iterator<List<TileTask>> groups) {
      GpuDevice.selectForTask();
      TileOperator op = OperatorCache.get(tiling.model());
      Configuration c = conf.value().get();
      ImageStore store = new ImageStore(c);
      FaultHooks hooks = FaultHooks.forTask();
      List<List<TileTask>> lists = new ArrayList<>();
      groups.forEachRemaining(lists::add);
      Results out = new Results(c, tiling, lists);
      if (tiling.forwardPermits() > 0 && op instanceof io.sparksr.model.SrModel) {
        io.sparksr.model.ForwardLanes.shared().resize(tiling.forwardPermits());
      }
      TileBatcher<Queued> batcher = new TileBatcher<>(op, tiling.scale(), tiling.standard(),
          tiling.budgetBytes(),
          new TileBatcher.Sink<>() {
            @Override
            public void done(Queued q, TileSpec tile, ImageTensor core, double seconds)
                throws Exception {
              long t0 = System.nanoTime();
              ImageJob im = q.task().image();
              double spent = seconds + q.readSeconds();
              if (im.tiledOutput()) {
                byte[] bytes = TiledTiff.encodeTile(layout(im, tiling.scale()), core);
                HadoopFiles.writeBytes(c, partPath(im, tile.index()), bytes);
                out.add(TileResult.part(im, tile.index(), bytes.length,
                    spent + (System.nanoTime() - t0) / 1e9));
              } else {
                Quantized q8 = Quantized.of(core, im.format().bitDepth());
                out.add(TileResult.ok(im, tile.index(), q8,
                    spent + (System.nanoTime() - t0) / 1e9));
              }
              tilesDone.add(1);
              pixelsDone.add(tile.output().area());
              hooks.tileDone(im.index(), tile.index());
            }

            @Override
            public void failed(Queued q, TileSpec tile, Throwable error) {
              out.add(TileResult.failed(q.task().image(), tile.index(), reason(error)));
              tilesDone.add(1);
            }
          });
      for (List<TileTask> tasks : lists) {
        int i = 0;
        while (i < tasks.size()) {
          int j = i;
          while (j < tasks.size() && tasks.get(j).image().index() == tasks.get(i).image().index()) {
            j++;
          }
          queueImageTiles(c, store, tasks.subList(i, j), batcher, out);
          i = j;
        }
      }
      batcher.flush();
      if (batcher.halvings() > 0) {
        LOG.warn("out of memory in a forward pass: batches were halved {} time(s); lower "
            + "'batch-memory-mb' (now {} MiB)", batcher.halvings(), tiling.budgetBytes() >> 20);
      }
      hooks.failOnce();
      return out.list().iterator();
    }

    private void queueImageTiles(Configuration c, ImageStore store, List<TileTask> tasks,
        TileBatcher<Queued> batcher, Results out) {
      ImageJob im = tasks.get(0).image();
      long t0 = System.nanoTime();
      List<TileTask> todo = tasks;
      try {
        if (im.resumeParts()) {
          todo = withoutDoneParts(c, im, tasks, out);
        }
        if (todo.isEmpty()) {
          return;
        }
        List<ImageTensor> padded = new ArrayList<>(todo.size());
        if (im.regionReadable()) {
          for (TileTask t : todo) {
            ImageTensor read = store.readRegion(im.source(), t.tile().read());
            padded.add(pad(read, t.tile(), im));
          }
        } else {
          Rect band = todo.get(0).tile().read();
          for (TileTask t : todo) {
            band = union(band, t.tile().read());
          }
          ImageTensor read = band.equals(new Rect(0, 0, im.width(), im.height()))
              ? store.read(im.source()).tensor() : store.readRegion(im.source(), band);
          for (TileTask t : todo) {
            Rect r = t.tile().read();
            ImageTensor part = read.crop(r.translate(-band.x(), -band.y()));
            padded.add(pad(part, t.tile(), im));
          }
        }
        double share = (System.nanoTime() - t0) / 1e9 / todo.size();
        for (int k = 0; k < todo.size(); k++) {
          batcher.add(new Queued(todo.get(k), share), todo.get(k).tile(), padded.get(k));
        }
      } catch (Exception e) {
        String why = reason(e);
        for (TileTask t : todo) {
          out.add(TileResult.failed(im, t.tile().index(), why));
          tilesDone.add(1);
        }
      }
    }

    private ImageTensor pad(ImageTensor read, TileSpec tile, ImageJob im) {
      return Tiles.pad(read, tile.read(), tile.padded(), im.width(), im.height(),
          tiling.border());
    }

    /** Tiles whose part file an earlier run left are results already. */
    private List<TileTask> withoutDoneParts(Configuration c, ImageJob im, List<TileTask> tasks,
        Results out) throws java.io.IOException {
      Map<String, Long> parts = HadoopFiles.list(c, im.partsDir());
      if (parts.isEmpty()) {
        return tasks;
      }
      List<TileTask> todo = new ArrayList<>();
      for (TileTask t : tasks) {
        Long size = parts.get(partName(t.tile().index()));
        if (size != null) {
          out.add(TileResult.part(im, t.tile().index(), size, 0));
          tilesDone.add(1);
          pixelsDone.add(t.tile().output().area());
        } else {
          todo.add(t);
        }
      }
      return todo;
    }
  }

  /**
   * A partition's results: tile results of images other partitions share, and the outcomes of the
   * images it holds whole, each stitched when its last tile arrives.
   */
  static final class Results {
    private final Configuration conf;
    private final Tiling tiling;
    private final List<TileResult> out = new ArrayList<>();
    /** Results so far of each image whose every tile is in this partition. */
    private final Map<Integer, List<TileResult>> whole = new HashMap<>();
    private final Map<Integer, Integer> expected = new HashMap<>();

    Results(Configuration conf, Tiling tiling, List<List<TileTask>> partition) {
      this.conf = conf;
      this.tiling = tiling;
      Map<Integer, Integer> here = new HashMap<>();
      Map<Integer, ImageJob> jobs = new HashMap<>();
      for (List<TileTask> tasks : partition) {
        for (TileTask t : tasks) {
          here.merge(t.image().index(), 1, Integer::sum);
          jobs.putIfAbsent(t.image().index(), t.image());
        }
      }
      here.forEach((image, n) -> {
        if (n == jobs.get(image).plan(tiling.halo(), tiling.scale()).tiles().size()) {
          whole.put(image, new ArrayList<>(n));
          expected.put(image, n);
        }
      });
    }

    void add(TileResult r) {
      List<TileResult> mine = whole.get(r.image().index());
      if (mine == null) {
        out.add(r);
        return;
      }
      mine.add(r);
      if (mine.size() == expected.get(r.image().index())) {
        whole.remove(r.image().index());
        out.add(TileResult.stitched(r.image(), StitchImage.finish(conf, tiling, mine)));
      }
    }

    List<TileResult> list() {
      if (!whole.isEmpty()) {
        throw new IllegalStateException("images " + whole.keySet() + " lack tiles at the end of "
            + "their partition");
      }
      return out;
    }
  }

  /**
   * Stitches all tiles of one image and writes it atomically: in memory as quantised samples
   * (then turned upright by its EXIF orientation) for ordinary outputs; for a tiled output, by concatenating the
   * compressed part files behind a TIFF directory (the orientation becomes the TIFF tag), in
   * constant memory.
   */
  static final class StitchImage
      implements Function<Tuple2<Integer, Iterable<TileResult>>, ImageOutcome> {
    private final Broadcast<HadoopConf> conf;
    private final Tiling tiling;

    StitchImage(Broadcast<HadoopConf> conf, Tiling tiling) {
      this.conf = conf;
      this.tiling = tiling;
    }

    @Override
    public ImageOutcome call(Tuple2<Integer, Iterable<TileResult>> byImage) {
      List<TileResult> results = new ArrayList<>();
      for (TileResult r : byImage._2()) {
        if (r.outcome() != null) {
          return r.outcome(); // stitched in its partition: the only result of its image
        }
        results.add(r);
      }
      return finish(conf.value().get(), tiling, results);
    }

    /** The image of these tile results (all of its tiles) stitched and written, or why not. */
    static ImageOutcome finish(Configuration c, Tiling tiling, List<TileResult> byImage) {
      long t0 = System.nanoTime();
      ImageJob job = null;
      double seconds = 0;
      int tiles = 0;
      try {
        List<TileResult> results = new ArrayList<>();
        for (TileResult r : byImage) {
          job = r.image();
          seconds += r.seconds();
          if (r.error() != null) {
            return ImageOutcome.failed(job, "tile " + r.tile() + ": " + r.error(), 0, seconds);
          }
          results.add(r);
        }
        TilePlan plan = job.plan(tiling.halo(), tiling.scale());
        tiles = plan.tiles().size();
        ImageOutcome done = job.tiledOutput() ? assemble(c, tiling, job, plan, results)
            : stitch(c, job, plan, results);
        if (job.convert()) {
          HadoopFiles.deleteRecursively(c, job.source());
        }
        double total = seconds + (System.nanoTime() - t0) / 1e9;
        return new ImageOutcome(done.input(), done.output(), done.status(), done.reason(),
            done.width(), done.height(), done.inputBytes(), done.outputWidth(),
            done.outputHeight(), done.outputBytes(), done.format(), tiles, total);
      } catch (Exception e) {
        return ImageOutcome.failed(job, reason(e), tiles,
            seconds + (System.nanoTime() - t0) / 1e9);
      }
    }

    private static ImageOutcome stitch(Configuration c, ImageJob job, TilePlan plan,
        List<TileResult> results) throws Exception {
      QuantizedStitcher stitcher = new QuantizedStitcher(plan, job.format().channels(),
          job.format().bitDepth());
      for (TileResult r : results) {
        stitcher.place(plan.tiles().get(r.tile()), r.pixels());
      }
      Quantized result = stitcher.result();
      ImageStore store = new ImageStore(c);
      long width = result.width();
      long height = result.height();
      if (job.orientation() == 1) {
        store.write(job.output(), result, job.format());
      } else {
        ImageTensor upright = Dihedral.apply(result.toTensor(),
            ExifOrientation.toDihedral(job.orientation()));
        width = upright.width();
        height = upright.height();
        store.write(job.output(), upright, job.format());
      }
      return new ImageOutcome(job.input(), job.output(), ImageOutcome.OK, null, job.width(),
          job.height(), job.inputBytes(), width, height, HadoopFiles.size(c, job.output()),
          job.format().formatName(), 0, 0);
    }

    private static ImageOutcome assemble(Configuration c, Tiling tiling, ImageJob job,
        TilePlan plan, List<TileResult> results) throws Exception {
      long[] counts = new long[plan.tiles().size()];
      java.util.Arrays.fill(counts, -1);
      for (TileResult r : results) {
        counts[r.tile()] = r.partBytes();
      }
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] < 0) {
          throw new IllegalStateException("image incomplete: tile " + i + " of " + counts.length
              + " was not produced");
        }
      }
      TiledTiff.Layout layout = layout(job, tiling.scale());
      boolean big = TiledTiff.write(c, job.output(), layout, counts,
          (i, out) -> HadoopFiles.copyTo(c, partPath(job, i), out), false);
      HadoopFiles.deleteRecursively(c, job.partsDir());
      return new ImageOutcome(job.input(), job.output(), ImageOutcome.OK, null, job.width(),
          job.height(), job.inputBytes(), job.outputWidth(tiling.scale()),
          job.outputHeight(tiling.scale()), HadoopFiles.size(c, job.output()),
          big ? "bigtiff" : "tiled-tiff", 0, 0);
    }
  }

  /** The TIFF layout of a tiled output: one TIFF tile per upscaled tile core. */
  static TiledTiff.Layout layout(ImageJob im, int scale) {
    return new TiledTiff.Layout(im.width() * scale, im.height() * scale, im.tileSize() * scale,
        im.format().channels(), im.format().bitDepth(), true, im.format().iccProfile(),
        im.orientation());
  }

  static String partName(int tile) {
    return String.format("t%07d.bin", tile);
  }

  static String partPath(ImageJob im, int tile) {
    return im.partsDir() + "/" + partName(tile);
  }

  private static Rect union(Rect a, Rect b) {
    int x0 = Math.min(a.x(), b.x());
    int y0 = Math.min(a.y(), b.y());
    return new Rect(x0, y0, Math.max(a.right(), b.right()) - x0,
        Math.max(a.bottom(), b.bottom()) - y0);
  }

  /** A one-line reason for the manifest: the message, or the exception type if it has none. */
  static String reason(Throwable e) {
    String m = e.getMessage();
    String s = m == null || m.isBlank() ? e.getClass().getName()
        : (e instanceof java.io.IOException ? m : e.getClass().getSimpleName() + ": " + m);
    return s.replace('\n', ' ').replace('\r', ' ');
  }
}
