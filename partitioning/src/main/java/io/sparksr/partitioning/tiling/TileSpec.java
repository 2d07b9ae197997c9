package io.sparksr.partitioning.tiling;

import java.io.Serializable;

/**
 * One tile of a {@link TilePlan}, all rectangles in the coordinates of the whole image.
 *
 * @param index  position in {@link TilePlan#tiles()} (row-major)
 * @param column tile column in the grid
 * @param row    tile row in the grid (a "band" of the output is one tile row)
 * @param core   the input pixels this tile owns; the cores of a plan cover the image exactly once
 * @param padded core grown by the halo on every side; may reach outside the image, where the
 *               plan's {@link BorderPolicy} supplies the pixels
 * @param read   padded clipped to the image: the pixels to read from the source
 * @param output core multiplied by the scale: where this tile's result goes in the output image
 */
public record TileSpec(int index, int column, int row, Rect core, Rect padded, Rect read,
    Rect output) implements Serializable {

  /** Where the core sits inside the upscaled padded tile (what to keep of the operator's output). */
  public Rect coreInPaddedOutput(int scale) {
    return new Rect((core.x() - padded.x()) * scale, (core.y() - padded.y()) * scale,
        core.width() * scale, core.height() * scale);
  }
}
