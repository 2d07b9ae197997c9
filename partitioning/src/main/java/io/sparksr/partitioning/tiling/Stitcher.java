package io.sparksr.partitioning.tiling;

import io.sparksr.partitioning.image.ImageTensor;
import java.util.BitSet;

/**
 * Places the upscaled cores of a {@link TilePlan}'s tiles into one output raster. Each tile must
 * arrive exactly once; {@link #result()} refuses an incomplete image, so a lost tile can never
 * turn into a silent black square. For outputs too large to hold, see {@link QuantizedStitcher}
 * (8/16-bit samples) and the tiled-TIFF assembly of io.sparksr.io.TiledTiff.
 */
public final class Stitcher {
  private final TilePlan plan;
  private final ImageTensor out;
  private final BitSet placed;

  public Stitcher(TilePlan plan, int channels) {
    this.plan = plan;
    this.out = ImageTensor.zeros(channels, plan.outputHeight(), plan.outputWidth());
    this.placed = new BitSet(plan.tiles().size());
  }

  /** @param coreOutput the tile's upscaled core, {@code tile.output()} in size */
  public void place(TileSpec tile, ImageTensor coreOutput) {
    checkTile(plan, tile, coreOutput.width(), coreOutput.height());
    if (coreOutput.channels() != out.channels()) {
      throw new IllegalArgumentException("tile " + tile.index() + " has " + coreOutput.channels()
          + " channels but the output has " + out.channels());
    }
    if (placed.get(tile.index())) {
      throw new IllegalStateException("tile " + tile.index() + " placed twice");
    }
    out.paste(coreOutput, tile.output().x(), tile.output().y());
    placed.set(tile.index());
  }

  public boolean isComplete() {
    return placed.cardinality() == plan.tiles().size();
  }

  public ImageTensor result() {
    if (!isComplete()) {
      throw new IllegalStateException("image incomplete: " + placed.cardinality() + " of "
          + plan.tiles().size() + " tiles placed (first missing: " + placed.nextClearBit(0) + ")");
    }
    return out;
  }

  /** That {@code tile} is one of {@code plan}'s and its core output is {@code width x height}. */
  static void checkTile(TilePlan plan, TileSpec tile, int width, int height) {
    if (tile.index() < 0 || tile.index() >= plan.tiles().size()
        || !plan.tiles().get(tile.index()).equals(tile)) {
      throw new IllegalArgumentException("tile " + tile + " is not part of this plan");
    }
    if (width != tile.output().width() || height != tile.output().height()) {
      throw new IllegalArgumentException("tile " + tile.index() + " output is " + width + "x"
          + height + " but must be " + tile.output().width() + "x" + tile.output().height());
    }
  }
}
