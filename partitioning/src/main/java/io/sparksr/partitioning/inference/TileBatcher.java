package io.sparksr.partitioning.inference;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Rect;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.partitioning.tiling.Tiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Batched tiled inference: collects the padded inputs of tiles, groups them by inference shape,
 * runs each full group through one {@link TileOperator#applyBatch} call and hands every tile's
 * upscaled core to a {@link Sink}. Pure Java, no Spark; one instance per task.
 *
 * <p><b>Shapes.</b> Tiles batch together when they have the same channel count and inference
 * size. A tile's inference size is its padded size, except that a side of at least 3/4 of the
 * standard padded side ({@code tile-size + 2 * halo}) is grown to the standard side, and a shorter
 * side to the next multiple of {@value #QUANTUM} ({@link #inferenceExtent}). So edge tiles that are
 * nearly full batch with the full tiles, the narrow last column of an image batches with itself,
 * and small images of similar sizes batch with each other, while no tile pays more than a third
 * more per side (or {@value #QUANTUM} pixels) for it: a forward pass costs about 0.25 s of fixed
 * overhead plus 7 us per pixel for the default model on 2 cores, so growing a small image to a
 * full tile would cost more than the pass it saves. The growth is at the right and bottom, filled
 * by replicating the padded tile's last column/row, and does not change the output: a kept core
 * pixel depends only on input within the operator's radius (at most the halo), which lies inside
 * the original padded tile.
 *
 * <p><b>Batch size</b> per shape = the memory budget divided by
 * {@link TileOperator#workingBytes} of the shape, at least 1, at most {@value #MAX_BATCH}. A
 * partial group is run by {@link #flush()}.
 *
 * <p><b>Failures.</b> A batch that throws {@link OutOfMemoryError} (or a runtime exception whose
 * message says the device is out of memory) is split in halves which are retried, and the shape's
 * batch size is halved for the rest of the task; a single tile that still does not fit fails. A
 * batch that throws anything else is retried tile by tile, so that only the tiles that really fail
 * are reported to {@link Sink#failed}, each with its own exception.
 *
 * <p>How many forward passes run at once in a JVM is the operator's business (the model runs
 * them on its forward lanes); the batcher only decides what goes into one.
 *
 * @param <K> what identifies a tile for the sink
 */
public final class TileBatcher<K> {
  /** Small sides are rounded up to a multiple of this many pixels. */
  public static final int QUANTUM = 16;
  /** Upper bound of a batch, whatever the budget. */
  public static final int MAX_BATCH = 256;

  /** Receives results, in the order batches complete. */
  public interface Sink<K> {
    /**
     * @param core    the tile's upscaled core, {@code tile.output()} in size
     * @param seconds this tile's share of its forward pass
     */
    void done(K key, TileSpec tile, ImageTensor core, double seconds) throws Exception;

    void failed(K key, TileSpec tile, Throwable error);
  }

  private record Shape(int channels, int height, int width) {}

  private record Pending<K>(K key, TileSpec tile, ImageTensor input) {}

  private final TileOperator op;
  private final int scale;
  private final int standard;
  private final long budgetBytes;
  private final Sink<K> sink;
  private final Map<Shape, List<Pending<K>>> pending = new LinkedHashMap<>();
  private final Map<Shape, Integer> limits = new LinkedHashMap<>();
  private int pendingCount;
  private long forwardPasses;
  private long halvings;

  /**
   * @param standard    the padded side of a full tile: {@code tile-size + 2 * halo}
   * @param budgetBytes working memory one forward pass may use
   */
  public TileBatcher(TileOperator op, int scale, int standard, long budgetBytes,
      Sink<K> sink) {
    if (standard <= 0) {
      throw new IllegalArgumentException("standard padded side is " + standard + " but must be > 0");
    }
    if (budgetBytes <= 0) {
      throw new IllegalArgumentException("'batch-memory-mb' gives " + budgetBytes
          + " bytes but must be > 0");
    }
    this.op = op;
    this.scale = scale;
    this.standard = standard;
    this.budgetBytes = budgetBytes;
    this.sink = sink;
  }

  /** The inference side for a padded side {@code extent} (see the class comment). */
  public static int inferenceExtent(int extent, int standard) {
    if (extent >= standard) {
      return extent;
    }
    if (4L * extent >= 3L * standard) {
      return standard;
    }
    return Math.min(standard, (extent + QUANTUM - 1) / QUANTUM * QUANTUM);
  }

  /** Tiles per forward pass for a {@code height x width} inference shape under the budget. */
  public static int batchSize(TileOperator op, int height, int width, int scale, long budgetBytes) {
    long per = Math.max(1, op.workingBytes(height, width, scale));
    return (int) Math.max(1, Math.min(MAX_BATCH, budgetBytes / per));
  }

  /**
   * Queues a tile; runs its group when full.
   *
   * @param paddedInput the pixels of {@code tile.padded()} (see {@link Tiles#pad})
   */
  public void add(K key, TileSpec tile, ImageTensor paddedInput) {
    if (paddedInput.width() != tile.padded().width()
        || paddedInput.height() != tile.padded().height()) {
      throw new IllegalArgumentException("input of tile " + tile.index() + " is "
          + paddedInput.width() + "x" + paddedInput.height() + " but its padded rect is "
          + tile.padded());
    }
    Shape shape = new Shape(paddedInput.channels(),
        inferenceExtent(paddedInput.height(), standard),
        inferenceExtent(paddedInput.width(), standard));
    List<Pending<K>> group = pending.computeIfAbsent(shape, s -> new ArrayList<>());
    group.add(new Pending<>(key, tile, paddedInput));
    pendingCount++;
    if (group.size() >= limit(shape)) {
      runGroup(shape);
    } else if (pendingCount > 4 * MAX_BATCH) {
      runLargestGroup();
    }
  }

  /** Runs every queued tile (the last, partial batches). */
  public void flush() {
    for (Shape s : new ArrayList<>(pending.keySet())) {
      runGroup(s);
    }
  }

  /** Forward passes run so far. */
  public long forwardPasses() {
    return forwardPasses;
  }

  /** How often a batch was halved after running out of memory. */
  public long halvings() {
    return halvings;
  }

  /** The current batch size of full tiles with {@code channels} channels. */
  public int batchSizeOfFullTiles(int channels) {
    return limit(new Shape(channels, standard, standard));
  }

  private int limit(Shape s) {
    return limits.computeIfAbsent(s,
        k -> batchSize(op, k.height(), k.width(), scale, budgetBytes));
  }

  private void runLargestGroup() {
    Shape largest = null;
    for (Map.Entry<Shape, List<Pending<K>>> e : pending.entrySet()) {
      if (largest == null || e.getValue().size() > pending.get(largest).size()) {
        largest = e.getKey();
      }
    }
    runGroup(largest);
  }

  private void runGroup(Shape shape) {
    List<Pending<K>> group = pending.remove(shape);
    if (group == null || group.isEmpty()) {
      return;
    }
    pendingCount -= group.size();
    int i = 0;
    while (i < group.size()) {
      int end = Math.min(group.size(), i + limit(shape)); // the limit may shrink after an OOM
      run(shape, group.subList(i, end));
      i = end;
    }
  }

  private void run(Shape shape, List<Pending<K>> batch) {
    List<ImageTensor> outputs;
    long t0 = System.nanoTime();
    try {
      outputs = forward(shape, batch);
    } catch (CancellationException e) {
      throw e;
    } catch (OutOfMemoryError | RuntimeException e) {
      if (batch.size() > 1 && isOutOfMemory(e)) {
        halvings++;
        int half = batch.size() / 2;
        limits.put(shape, Math.max(1, Math.min(limit(shape), half)));
        run(shape, batch.subList(0, half));
        run(shape, batch.subList(half, batch.size()));
      } else if (batch.size() > 1) {
        for (Pending<K> p : batch) {
          run(shape, List.of(p));
        }
      } else {
        Pending<K> p = batch.get(0);
        sink.failed(p.key(), p.tile(), isOutOfMemory(e)
            ? new IllegalStateException("out of memory for one " + shape.width() + "x"
                + shape.height() + " tile at x" + scale + ": lower 'tile-size' or give the "
                + "executor more memory" + (op instanceof SelfEnsemble
                    ? " (the self-ensemble holds 8 outputs' sum per tile)" : ""), e)
            : e);
      }
      return;
    }
    double seconds = (System.nanoTime() - t0) / 1e9 / batch.size();
    for (int i = 0; i < batch.size(); i++) {
      Pending<K> p = batch.get(i);
      try {
        sink.done(p.key(), p.tile(), keepCore(outputs.get(i), p.tile(), shape), seconds);
      } catch (CancellationException e) {
        throw e;
      } catch (Exception e) {
        sink.failed(p.key(), p.tile(), e);
      }
    }
  }

  private List<ImageTensor> forward(Shape shape, List<Pending<K>> batch) {
    List<ImageTensor> inputs = new ArrayList<>(batch.size());
    for (Pending<K> p : batch) {
      inputs.add(grow(p.input(), shape));
    }
    forwardPasses++;
    List<ImageTensor> out = op.applyBatch(inputs, scale);
    if (out.size() != inputs.size()) {
      throw new IllegalStateException("operator returned " + out.size() + " tiles for a batch of "
          + inputs.size());
    }
    return out;
  }

  /** The input grown at the right and bottom to the inference shape. */
  private static ImageTensor grow(ImageTensor input, Shape shape) {
    if (input.height() == shape.height() && input.width() == shape.width()) {
      return input;
    }
    return Tiles.pad(input, input.bounds(), new Rect(0, 0, shape.width(), shape.height()),
        input.width(), input.height(), BorderPolicy.REPLICATE);
  }

  private ImageTensor keepCore(ImageTensor output, TileSpec tile, Shape shape) {
    if (output.width() != shape.width() * scale || output.height() != shape.height() * scale) {
      throw new IllegalStateException("operator returned " + output.width() + "x"
          + output.height() + " for a " + shape.width() + "x" + shape.height() + " tile at scale "
          + scale);
    }
    return output.crop(tile.coreInPaddedOutput(scale));
  }

  /** An {@link OutOfMemoryError}, or a device allocation failure reported as a runtime exception. */
  static boolean isOutOfMemory(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return true;
      }
      String m = t.getMessage();
      if (m != null) {
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("out of memory") || lower.contains("failed to allocate")
            || lower.contains("cannot allocate")) {
          return true;
        }
      }
    }
    return false;
  }
}
