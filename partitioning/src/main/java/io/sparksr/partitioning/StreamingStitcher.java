package io.sparksr.partitioning;

import java.util.HashMap;
import java.util.Map;

/**
 * A stitcher for outputs too large to hold: tiles arrive in any order, and as soon as every tile
 * of a band (one tile row) is in and all earlier bands have been handed out, the band's finished
 * output rows go to the {@link BandSink}, top to bottom. Only bands still waiting for tiles are in
 * memory.
 */
public final class StreamingStitcher {

  /** Receives finished output rows in order: {@code rows} covers output rows [y, y + height). */
  @FunctionalInterface
  public interface BandSink {
    void accept(int y, ImageTensor rows) throws Exception;
  }

  private final TilePlan plan;
  private final int channels;
  private final BandSink sink;
  private final Map<Integer, ImageTensor> pending = new HashMap<>();
  private final int[] arrived;
  private int nextBand;

  public StreamingStitcher(TilePlan plan, int channels, BandSink sink) {
    this.plan = plan;
    this.channels = channels;
    this.sink = sink;
    this.arrived = new int[plan.rows()];
  }

  public void place(TileSpec tile, ImageTensor coreOutput) throws Exception {
    Stitcher.checkTile(plan, tile, coreOutput, channels);
    int row = tile.row();
    if (row < nextBand) {
      throw new IllegalStateException("tile " + tile.index() + " arrived after its band was emitted");
    }
    Rect band = plan.bandOutput(row);
    ImageTensor rows = pending.computeIfAbsent(row,
        r -> ImageTensor.zeros(channels, band.height(), band.width()));
    arrived[row]++;
    if (arrived[row] > plan.columns()) {
      throw new IllegalStateException("tile " + tile.index() + " placed twice");
    }
    rows.paste(coreOutput, tile.output().x(), 0);
    while (nextBand < plan.rows() && arrived[nextBand] == plan.columns()) {
      ImageTensor done = pending.remove(nextBand);
      sink.accept(plan.bandOutput(nextBand).y(), done);
      nextBand++;
    }
  }

  /** Bands currently held in memory. */
  public int pendingBands() {
    return pending.size();
  }

  public boolean isComplete() {
    return nextBand == plan.rows();
  }
}
