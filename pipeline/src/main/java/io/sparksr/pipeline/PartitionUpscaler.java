package io.sparksr.pipeline;

import io.sparksr.io.Failures;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.TiledTiff;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.inference.SelfEnsemble;
import io.sparksr.partitioning.inference.TileBatcher;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TileSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tile pipeline of one partition of the upscale plan: read → batched inference → stitch and
 * write, Spark-free (the upscale job's task, the bench's plain loop and the tests all run this).
 * <ol>
 *   <li><b>Read.</b> Consecutive tiles of one image share one read ({@link TileReader}: the band
 *       of rows they span, or each tile's own region when the source allows it), padded by the
 *       border policy.</li>
 *   <li><b>Infer.</b> Tiles of one inference shape go through the operator in batches
 *       ({@link TileBatcher}: memory budget, OOM halving, per-tile failures).</li>
 *   <li><b>Keep.</b> Each upscaled core is quantised to the output's bit depth, or, for a tiled
 *       output, compressed and written as a part file (tiles already there from an earlier run of
 *       the same model and settings are not computed again).</li>
 *   <li><b>Encode and write</b>, on the executor's encoders ({@link Finishers}) while the
 *       network goes on: a PNG's tile row is filtered and deflated as soon as its tiles are all
 *       here ({@link PngBanding}); an image whose every tile is in this partition is written as
 *       soon as its last tile or band is done ({@link ImageAssembler}: from its bands, or
 *       stitched); its pixels never leave the partition. Tiles and bands of the other images
 *       are returned as {@link TileOutput}s for the caller to bring together.</li>
 * </ol>
 * A failing image yields failed outputs for its tiles, never an exception that would stop the
 * partition's other images.
 */
public final class PartitionUpscaler {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionUpscaler.class);

  /** Hears about every tile as it is settled (progress counters, test hooks). */
  public interface Listener {
    /**
     * A tile's core is kept.
     *
     * @param computed false when an earlier run's part file was reused
     */
    void done(ImageJob image, TileSpec tile, boolean computed);

    /** A tile failed. */
    void failed(ImageJob image, TileSpec tile);

    Listener NONE = new Listener() {
      @Override
      public void done(ImageJob image, TileSpec tile, boolean computed) {}

      @Override
      public void failed(ImageJob image, TileSpec tile) {}
    };
  }

  private final Configuration conf;
  private final ImageStore store;
  private final TileOperator op;
  private final Tiling tiling;
  private final OutputSettings settings;
  private final Listener listener;
  private final int workers;

  public PartitionUpscaler(Configuration conf, TileOperator op, Tiling tiling,
      OutputSettings settings, Listener listener) {
    this(conf, op, tiling, settings, listener, 1);
  }

  /**
   * @param workers threads that feed tiles to the operator at once (the forward lanes of the
   *                JVM for a network: a partition that runs alone then keeps them all busy)
   */
  public PartitionUpscaler(Configuration conf, TileOperator op, Tiling tiling,
      OutputSettings settings, Listener listener, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("'workers' is " + workers + " but must be >= 1");
    }
    this.workers = workers;
    this.conf = conf;
    this.store = new ImageStore(conf);
    this.op = op;
    this.tiling = tiling;
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * Workers a partition uses: a network's forward lanes (passes run there; more callers would
   * only wait), the processors for an operator that runs on the caller's thread (bicubic).
   */
  public static int workersFor(TileOperator op) {
    return SelfEnsemble.unwrap(op) instanceof io.sparksr.model.SrModel
        ? io.sparksr.model.ForwardLanes.shared().lanes()
        : Runtime.getRuntime().availableProcessors();
  }

  /** A queued tile and its share of the read time. */
  private record Queued(TileTask task, double readSeconds) {}

  /** A padded tile on its way to a worker's batcher. */
  private record Item(Queued queued, TileSpec tile, ImageTensor padded) {}

  private static final Item END = new Item(null, null, null);

  /**
   * Upscales a partition's tiles (in plan order: an image's tiles are consecutive). With more
   * than one worker, this thread reads and pads while the workers, each with its own batcher,
   * take tiles from a short queue and wait for the forward lanes: a partition that runs alone
   * keeps every lane busy.
   *
   * @return the outcome of each image held whole, and the tile outputs of the others
   */
  public List<Upscaled> run(List<TileTask> tasks) {
    Results out = new Results(tasks);
    long halvings;
    if (workers <= 1) {
      TileBatcher<Queued> batcher = batcher(out);
      readAll(tasks, it -> batcher.add(it.queued(), it.tile(), it.padded()), out);
      batcher.flush();
      halvings = batcher.halvings();
    } else {
      halvings = runWithWorkers(tasks, out);
    }
    if (halvings > 0) {
      LOG.warn("out of memory in a forward pass: batches were halved {} time(s); lower "
          + "'batch-memory-mb' (now {} MiB)", halvings, tiling.budgetBytes() >> 20);
    }
    return out.list();
  }

  private long runWithWorkers(List<TileTask> tasks, Results out) {
    java.util.concurrent.BlockingQueue<Item> queue =
        new java.util.concurrent.ArrayBlockingQueue<>(2 * workers);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
        .newFixedThreadPool(workers, r -> {
          Thread t = new Thread(r, "sparksr-tiles");
          t.setDaemon(true);
          return t;
        });
    List<java.util.concurrent.Future<Long>> running = new ArrayList<>();
    try {
      for (int w = 0; w < workers; w++) {
        running.add(pool.submit(() -> {
          TileBatcher<Queued> batcher = batcher(out);
          for (Item it = queue.take(); it != END; it = queue.take()) {
            batcher.add(it.queued(), it.tile(), it.padded());
          }
          batcher.flush();
          return batcher.halvings();
        }));
      }
      try {
        readAll(tasks, it -> feed(queue, it, running), out);
      } catch (WorkerEnded e) {
        // a worker died (an Error its batcher does not catch): its future below says why
      } finally {
        for (int w = 0; w < workers && offerEnd(queue, running); w++) {
          // one END per worker still taking
        }
      }
      long halvings = 0;
      for (java.util.concurrent.Future<Long> f : running) {
        halvings += f.get();
      }
      return halvings;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a tile worker failed: " + Failures.reason(e.getCause()),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Thrown to stop reading when a worker has ended before its END: nobody may take a tile. */
  private static final class WorkerEnded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkerEnded() {
      super(null, null, false, false);
    }
  }

  /**
   * Puts {@code it} on the queue, waiting while the workers take; a worker that has ended (only a
   * failure ends one before END) stops the reading, so a full queue nobody takes from cannot hang
   * the task.
   */
  private static void feed(java.util.concurrent.BlockingQueue<Item> queue, Item it,
      List<java.util.concurrent.Future<Long>> running) {
    try {
      while (!queue.offer(it, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        if (running.stream().anyMatch(java.util.concurrent.Future::isDone)) {
          throw new WorkerEnded();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Puts one END; false when no worker is left to take it. */
  private static boolean offerEnd(java.util.concurrent.BlockingQueue<Item> queue,
      List<java.util.concurrent.Future<Long>> running) {
    try {
      while (!queue.offer(END, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        if (running.stream().allMatch(java.util.concurrent.Future::isDone)) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A batcher whose results go to {@code out} (one at a time: workers share it). */
  private TileBatcher<Queued> batcher(Results out) {
    return new TileBatcher<>(op, tiling.scale(), tiling.standard(), tiling.budgetBytes(),
        new TileBatcher.Sink<>() {
          @Override
          public void done(Queued q, TileSpec tile, ImageTensor core, double seconds)
              throws Exception {
            TileOutput kept = keep(q, tile, core, seconds);
            synchronized (out) {
              out.add(kept);
              listener.done(q.task().image(), tile, true);
            }
          }

          @Override
          public void failed(Queued q, TileSpec tile, Throwable error) {
            synchronized (out) {
              out.add(new TileOutput.Failed(q.task().image(), tile.index(),
                  Failures.reason(error)));
              listener.failed(q.task().image(), tile);
            }
          }
        });
  }

  /** Reads and pads every image's tiles in turn, handing each to {@code sink}. */
  private void readAll(List<TileTask> tasks, java.util.function.Consumer<Item> sink,
      Results out) {
    int i = 0;
    while (i < tasks.size()) {
      int j = i;
      while (j < tasks.size() && tasks.get(j).image().index() == tasks.get(i).image().index()) {
        j++;
      }
      queueImageTiles(tasks.subList(i, j), sink, out);
      i = j;
    }
  }

  /** The kept form of a tile's core: quantised samples, or a part file of a tiled output. */
  private TileOutput keep(Queued q, TileSpec tile, ImageTensor core, double seconds)
      throws IOException {
    long t0 = System.nanoTime();
    ImageJob im = q.task().image();
    double spent = seconds + q.readSeconds();
    if (im.tiledOutput()) {
      byte[] bytes = TiledTiff.encodeTile(ImageAssembler.layout(im, tiling.scale()), core);
      HadoopFiles.writeBytes(conf, ImageAssembler.partPath(im, tile.index()), bytes);
      return new TileOutput.Part(im, tile.index(), bytes.length,
          spent + (System.nanoTime() - t0) / 1e9);
    }
    Quantized q8 = Quantized.of(core, im.format().bitDepth());
    return new TileOutput.Pixels(im, tile.index(), q8, spent + (System.nanoTime() - t0) / 1e9);
  }

  private void queueImageTiles(List<TileTask> tasks, java.util.function.Consumer<Item> sink,
      Results out) {
    ImageJob im = tasks.get(0).image();
    long t0 = System.nanoTime();
    List<TileTask> todo = tasks;
    try {
      if (im.tiledOutput() && im.parts().resume()) {
        todo = withoutDoneParts(im, tasks, out);
      }
      if (todo.isEmpty()) {
        return;
      }
      List<TileSpec> specs = todo.stream().map(TileTask::tile).toList();
      List<ImageTensor> padded = TileReader.readPadded(store, im, specs, tiling);
      double share = (System.nanoTime() - t0) / 1e9 / todo.size();
      for (int k = 0; k < todo.size(); k++) {
        sink.accept(new Item(new Queued(todo.get(k), share), specs.get(k), padded.get(k)));
      }
    } catch (WorkerEnded e) {
      throw e; // no worker takes tiles any more: stop reading (the worker's failure is reported)
    } catch (Exception e) {
      String why = Failures.reason(e);
      synchronized (out) {
        for (TileTask t : todo) {
          out.add(new TileOutput.Failed(im, t.tile().index(), why));
          listener.failed(im, t.tile());
        }
      }
    }
  }

  /** Tiles whose part file an earlier run left are outputs already. */
  private List<TileTask> withoutDoneParts(ImageJob im, List<TileTask> tasks, Results out)
      throws IOException {
    Map<String, Long> parts = HadoopFiles.list(conf, im.parts().dir());
    if (parts.isEmpty()) {
      return tasks;
    }
    List<TileTask> todo = new ArrayList<>();
    for (TileTask t : tasks) {
      Long size = parts.get(ImageAssembler.partName(t.tile().index()));
      if (size != null) {
        synchronized (out) {
          out.add(new TileOutput.Part(im, t.tile().index(), size, 0));
          listener.done(im, t.tile(), false);
        }
      } else {
        todo.add(t);
      }
    }
    return todo;
  }

  /**
   * A partition's results: tile outputs of images other partitions share, and the outcomes of
   * the images it holds whole. Encoding overlaps the network ({@link Finishers}): a PNG's tile
   * row is deflated as soon as its tiles are all here ({@link PngBanding}); an image held whole
   * is written as soon as its last tile (or band) is done; {@link #list} waits for both.
   */
  private final class Results {
    private final List<Upscaled> out = new ArrayList<>();
    /** Work on the encoders whose outputs are this partition's (bands of split images). */
    private final List<CompletableFuture<List<TileOutput>>> bands = new ArrayList<>();
    /** Images held whole, being written. */
    private final List<CompletableFuture<ImageOutcome>> images = new ArrayList<>();
    /** Of each image whose every tile is in this partition: its outputs so far, and how many. */
    private final Map<Integer, List<CompletableFuture<List<TileOutput>>>> whole = new HashMap<>();
    private final Map<Integer, Integer> accounted = new HashMap<>();
    private final Map<Integer, Integer> expected = new HashMap<>();
    /** Pixels of banded images by image and tile row, until the row is complete. */
    private final Map<Integer, Map<Integer, List<TileOutput.Pixels>>> rows = new HashMap<>();
    private final Map<Integer, TilePlan> plans = new HashMap<>();
    /** Pixel bytes an image held whole keeps until written (not its deflated bands). */
    private final Map<Integer, Long> heldBytes = new HashMap<>();

    Results(List<TileTask> partition) {
      Map<Integer, Integer> here = new HashMap<>();
      Map<Integer, ImageJob> jobs = new HashMap<>();
      for (TileTask t : partition) {
        here.merge(t.image().index(), 1, Integer::sum);
        jobs.putIfAbsent(t.image().index(), t.image());
      }
      here.forEach((image, n) -> {
        if (n == jobs.get(image).plan(tiling.halo(), tiling.scale()).tiles().size()) {
          whole.put(image, new ArrayList<>());
          expected.put(image, n);
        }
      });
    }

    void add(TileOutput t) {
      int image = t.imageIndex();
      boolean held = whole.containsKey(image);
      if (t instanceof TileOutput.Pixels p && PngBanding.banded(p.image())) {
        TilePlan plan = plans.computeIfAbsent(image,
            k -> p.image().plan(tiling.halo(), tiling.scale()));
        int row = plan.tiles().get(p.tile()).row();
        List<TileOutput.Pixels> sofar = rows.computeIfAbsent(image, k -> new HashMap<>())
            .computeIfAbsent(row, k -> new ArrayList<>());
        sofar.add(p);
        if (sofar.size() == plan.columns()) {
          rows.get(image).remove(row);
          CompletableFuture<List<TileOutput>> band = Finishers.submit(bytes(sofar), tiling,
              () -> encode(p.image(), plan, row, sofar));
          (held ? whole.get(image) : bands).add(band);
        }
      } else if (held) {
        whole.get(image).add(CompletableFuture.completedFuture(List.of(t)));
        if (t instanceof TileOutput.Pixels p) {
          heldBytes.merge(image, (long) p.pixels().samples().length, Long::sum);
        }
      } else {
        out.add(t);
      }
      if (held && accounted.merge(image, 1, Integer::sum).equals(expected.get(image))) {
        // rows a failed tile left incomplete go to the assembler as they are (it fails them)
        for (List<TileOutput.Pixels> left : rowsLeft(image)) {
          whole.get(image).add(CompletableFuture.completedFuture(List.copyOf(left)));
        }
        List<CompletableFuture<List<TileOutput>>> parts = whole.remove(image);
        long pixels = heldBytes.getOrDefault(image, 0L);
        images.add(Finishers.after(parts, pixels, tiling, () -> ImageAssembler.finish(conf, tiling,
            settings, parts.stream().flatMap(f -> f.join().stream()).toList())));
      }
    }

    private static long bytes(List<TileOutput.Pixels> pixels) {
      return pixels.stream().mapToLong(p -> p.pixels().samples().length).sum();
    }

    /** A row's band, or a failed output per tile if it could not be deflated. */
    private List<TileOutput> encode(ImageJob image, TilePlan plan, int row,
        List<TileOutput.Pixels> pixels) {
      try {
        return List.of(PngBanding.encode(image, plan, row, pixels, settings.pngLevel()));
      } catch (RuntimeException | Error e) {
        String why = "row " + row + " not encoded: " + Failures.reason(e);
        return pixels.stream().<TileOutput>map(p -> new TileOutput.Failed(image, p.tile(), why))
            .toList();
      }
    }

    private List<List<TileOutput.Pixels>> rowsLeft(int image) {
      Map<Integer, List<TileOutput.Pixels>> left = rows.remove(image);
      return left == null ? List.of() : new ArrayList<>(left.values());
    }

    List<Upscaled> list() {
      if (!whole.isEmpty()) {
        throw new IllegalStateException("images " + whole.keySet() + " lack tiles at the end of "
            + "their partition");
      }
      for (CompletableFuture<List<TileOutput>> b : bands) {
        out.addAll(b.join());
      }
      for (Integer image : new ArrayList<>(rows.keySet())) {
        rowsLeft(image).forEach(out::addAll); // rows other partitions complete
      }
      for (CompletableFuture<ImageOutcome> f : images) {
        out.add(f.join());
      }
      return out;
    }
  }
}
