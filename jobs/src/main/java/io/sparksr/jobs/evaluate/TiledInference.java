package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.inference.TileUpscaler;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Stitcher;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TilePlanner;
import io.sparksr.partitioning.tiling.TileSpec;

/**
 * Super-resolves an in-memory image by the upscale job's tiling rules ({@link TilePlanner},
 * {@link TileUpscaler}, {@link Stitcher}): cores of {@code tileSize} LR pixels, each inferred with
 * a halo of the operator's receptive-field radius and its default border policy, so the output
 * equals whole-image inference. Tile size 0, or one at least the image's longer side, is one tile.
 */
final class TiledInference {
  private TiledInference() {}

  /** The super-resolved image and the number of tiles it took. */
  record Output(ImageTensor image, int tiles) {}

  static Output upscale(TileOperator op, ImageTensor lr, int scale, int tileSize, int halo,
      BorderPolicy border) {
    int side = Math.max(lr.width(), lr.height());
    int core = tileSize <= 0 || tileSize >= side ? side : tileSize;
    TilePlan plan = TilePlanner.plan(lr.width(), lr.height(), core, halo, scale);
    Stitcher stitcher = new Stitcher(plan, lr.channels());
    for (TileSpec tile : plan.tiles()) {
      ImageTensor read = tile.read().equals(lr.bounds()) ? lr : lr.crop(tile.read());
      stitcher.place(tile, TileUpscaler.upscale(op, plan, tile, read, border));
    }
    return new Output(stitcher.result(), plan.tiles().size());
  }
}
