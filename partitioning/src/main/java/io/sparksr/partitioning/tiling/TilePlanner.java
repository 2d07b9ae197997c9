package io.sparksr.partitioning.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * Plans the tiles of one image. The tiling rules:
 * <ul>
 *   <li>The cores form a grid of {@code tileSize x tileSize} squares from the top-left corner; the
 *       last column and row are narrower when the size is not a multiple. The cores partition the
 *       image: every pixel belongs to exactly one core. An image smaller than a tile is one tile.</li>
 *   <li>Each tile is inferred on its core grown by {@code halo} pixels on every side (the padded
 *       rectangle). Outside the image the pixels come from a {@link BorderPolicy}; the same policy
 *       pads a whole-image run, so tiling never changes the output as long as the operator's
 *       receptive-field radius is at most the halo.</li>
 *   <li>Only the upscaled core of each tile is kept ({@link TileSpec#coreInPaddedOutput}); the
 *       {@link Stitcher} places it at {@code core * scale}. Cores do not overlap, so there is
 *       nothing to blend and no seam.</li>
 * </ul>
 * Pure: no I/O, no Spark; the driver calls it and ships the specs.
 */
public final class TilePlanner {
  private TilePlanner() {}

  public static TilePlan plan(int width, int height, int tileSize, int halo, int scale) {
    if (width <= 0) {
      throw new IllegalArgumentException("image width is " + width + " but must be > 0");
    }
    if (height <= 0) {
      throw new IllegalArgumentException("image height is " + height + " but must be > 0");
    }
    if (tileSize <= 0) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize + " but must be > 0");
    }
    if (halo < 0) {
      throw new IllegalArgumentException("'halo' is " + halo + " but must be >= 0");
    }
    if (scale < 1) {
      throw new IllegalArgumentException("'scale' is " + scale + " but must be >= 1");
    }
    if ((long) width * scale > Integer.MAX_VALUE || (long) height * scale > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("output " + ((long) width * scale) + "x"
          + ((long) height * scale) + " exceeds " + Integer.MAX_VALUE + " pixels per side");
    }
    int columns = ceilDiv(width, tileSize);
    int rows = ceilDiv(height, tileSize);
    Rect image = new Rect(0, 0, width, height);
    List<TileSpec> tiles = new ArrayList<>(columns * rows);
    for (int r = 0; r < rows; r++) {
      int y = r * tileSize;
      int h = Math.min(tileSize, height - y);
      for (int c = 0; c < columns; c++) {
        int x = c * tileSize;
        int w = Math.min(tileSize, width - x);
        Rect core = new Rect(x, y, w, h);
        Rect padded = core.expand(halo);
        tiles.add(new TileSpec(tiles.size(), c, r, core, padded, padded.intersect(image),
            core.scale(scale)));
      }
    }
    return new TilePlan(width, height, tileSize, halo, scale, columns, rows, tiles);
  }

  private static int ceilDiv(int a, int b) {
    return (int) (((long) a + b - 1) / b);
  }
}
