package io.sparksr.pipeline;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.TileBatcher;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Stitcher;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TilePlanner;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.partitioning.tiling.Tiles;

/**
 * The tile pipeline on an image held in memory (evaluate scores its float output): the same
 * tiles, padding and batched inference ({@link TileBatcher}) as the upscale job's
 * {@link PartitionUpscaler}, stitched in float ({@link Stitcher}) instead of quantised and
 * written. The output equals whole-image inference whenever the halo covers the operator's
 * receptive-field radius.
 */
public final class TensorUpscaler {
  private TensorUpscaler() {}

  /** The super-resolved image and the number of tiles it took. */
  public record Output(ImageTensor image, int tiles) {}

  /**
   * @param tileSize core side in LR pixels; 0, or one at least the image's longer side, is one
   *                 tile covering the image
   */
  public static Output upscale(TileOperator op, ImageTensor lr, int scale, int tileSize, int halo,
      BorderPolicy border, long budgetBytes) {
    int side = Math.max(lr.width(), lr.height());
    int core = tileSize <= 0 || tileSize >= side ? side : tileSize;
    Tiling tiling = new Tiling(scale, border, halo, budgetBytes, core);
    TilePlan plan = TilePlanner.plan(lr.width(), lr.height(), core, halo, scale);
    Stitcher stitcher = new Stitcher(plan, lr.channels());
    TileBatcher<TileSpec> batcher = new TileBatcher<>(op, scale, tiling.standard(), budgetBytes,
        new TileBatcher.Sink<>() {
          @Override
          public void done(TileSpec key, TileSpec tile, ImageTensor coreOut, double seconds) {
            stitcher.place(tile, coreOut);
          }

          @Override
          public void failed(TileSpec key, TileSpec tile, Throwable error) {
            throw new IllegalStateException("tile " + tile.index() + " failed: "
                + error.getMessage(), error);
          }
        });
    for (TileSpec tile : plan.tiles()) {
      batcher.add(tile, tile, Tiles.pad(lr, tile, border));
    }
    batcher.flush();
    return new Output(stitcher.result(), plan.tiles().size());
  }
}
