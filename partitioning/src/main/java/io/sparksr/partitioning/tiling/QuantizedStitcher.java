package io.sparksr.partitioning.tiling;

import io.sparksr.partitioning.image.Quantized;
import java.util.BitSet;

/**
 * A {@link Stitcher} for tile cores that travel as {@link Quantized} samples: places them into one
 * quantised raster (1 or 2 bytes per sample instead of the 4 of a float image), so an output can be
 * encoded without a float copy. Same rules: every tile exactly once, no incomplete result.
 */
public final class QuantizedStitcher {
  private final TilePlan plan;
  private final int channels;
  private final int bitDepth;
  private final byte[] out;
  private final BitSet placed;

  public QuantizedStitcher(TilePlan plan, int channels, int bitDepth) {
    if (bitDepth != 8 && bitDepth != 16) {
      throw new IllegalArgumentException("bit depth is " + bitDepth + " but must be 8 or 16");
    }
    long n = (long) channels * plan.outputHeight() * plan.outputWidth() * (bitDepth / 8);
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("output " + plan.outputWidth() + "x"
          + plan.outputHeight() + "x" + channels + " at " + bitDepth + " bits has " + n
          + " bytes: too large for one array; write it as a tiled TIFF");
    }
    this.plan = plan;
    this.channels = channels;
    this.bitDepth = bitDepth;
    this.out = new byte[(int) n];
    this.placed = new BitSet(plan.tiles().size());
  }

  /** @param core the tile's upscaled core, {@code tile.output()} in size */
  public void place(TileSpec tile, Quantized core) {
    Stitcher.checkTile(plan, tile, core.width(), core.height());
    Rect r = tile.output();
    if (core.channels() != channels || core.bitDepth() != bitDepth) {
      throw new IllegalArgumentException("tile " + tile.index() + " has " + core.channels()
          + " channels at " + core.bitDepth() + " bits but the output has " + channels + " at "
          + bitDepth);
    }
    if (placed.get(tile.index())) {
      throw new IllegalStateException("tile " + tile.index() + " placed twice");
    }
    int bytes = bitDepth / 8;
    int ow = plan.outputWidth();
    int oh = plan.outputHeight();
    byte[] src = core.samples();
    int rowBytes = r.width() * bytes;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < r.height(); y++) {
        int from = ((c * r.height() + y) * r.width()) * bytes;
        int to = (int) ((((long) c * oh + r.y() + y) * ow + r.x()) * bytes);
        System.arraycopy(src, from, out, to, rowBytes);
      }
    }
    placed.set(tile.index());
  }

  public Quantized result() {
    if (placed.cardinality() != plan.tiles().size()) {
      throw new IllegalStateException("image incomplete: " + placed.cardinality() + " of "
          + plan.tiles().size() + " tiles placed (first missing: " + placed.nextClearBit(0) + ")");
    }
    return new Quantized(channels, plan.outputHeight(), plan.outputWidth(), bitDepth, out);
  }
}
