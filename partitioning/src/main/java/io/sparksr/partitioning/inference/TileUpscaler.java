package io.sparksr.partitioning.inference;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Rect;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TilePlanner;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.partitioning.tiling.Tiles;

/**
 * The per-tile step of tiled inference: pad the pixels read for a tile, run the operator, keep the
 * upscaled core. Pure and stateless; the job only wires it.
 */
public final class TileUpscaler {
  private TileUpscaler() {}

  /**
   * @param read   the image pixels of {@code tile.read()}
   * @return the upscaled core, {@code tile.output()} in size
   */
  public static ImageTensor upscale(TileOperator op, TilePlan plan, TileSpec tile, ImageTensor read,
      BorderPolicy border) {
    ImageTensor padded =
        Tiles.pad(read, tile.read(), tile.padded(), plan.width(), plan.height(), border);
    return keepCore(op.apply(padded, plan.scale()), tile, plan.scale());
  }

  /** Crops an operator's output for the padded tile to the tile's upscaled core. */
  public static ImageTensor keepCore(ImageTensor paddedOutput, TileSpec tile, int scale) {
    Rect keep = tile.coreInPaddedOutput(scale);
    if (paddedOutput.width() != tile.padded().width() * scale
        || paddedOutput.height() != tile.padded().height() * scale) {
      throw new IllegalStateException("operator returned " + paddedOutput.width() + "x"
          + paddedOutput.height() + " for a " + tile.padded().width() + "x"
          + tile.padded().height() + " tile at scale " + scale);
    }
    return paddedOutput.crop(keep);
  }

  /** Whole-image inference by the same rules: one tile covering the image. */
  public static ImageTensor upscaleWhole(TileOperator op, ImageTensor image, int scale, int halo,
      BorderPolicy border) {
    int side = Math.max(image.width(), image.height());
    TilePlan plan = TilePlanner.plan(image.width(), image.height(), side, halo, scale);
    return upscale(op, plan, plan.tiles().get(0), image, border);
  }
}
