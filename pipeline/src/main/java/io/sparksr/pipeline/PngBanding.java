package io.sparksr.pipeline;

import io.sparksr.io.png.PngBands;
import io.sparksr.io.png.PngRows;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.tiling.Rect;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TileSpec;
import java.util.Arrays;
import java.util.List;

/**
 * PNG outputs written from bands, one per tile row ({@link PngBands}): a row is filtered and
 * deflated as soon as all of its tiles are upscaled, by the partition that holds them, while the
 * network goes on with the next tiles ({@link Finishers}); the image's file is then written from
 * the bands alone, never stitched. Rows split between partitions are deflated where the image is
 * put together ({@link ImageAssembler}).
 */
final class PngBanding {
  private PngBanding() {}

  /**
   * Whether the image's output is written from bands: a PNG written whole whose pixels keep the
   * stored order (an EXIF orientation other than 1 turns the stitched image first).
   */
  static boolean banded(ImageJob job) {
    return job.format().formatName().equals("png") && !job.tiledOutput()
        && job.input().orientation() == 1;
  }

  /** Filters and deflates tile row {@code row} from all of its tiles' pixels (any order). */
  static TileOutput.Band encode(ImageJob job, TilePlan plan, int row,
      List<TileOutput.Pixels> tiles, int level) {
    long t0 = System.nanoTime();
    List<TileSpec> specs = plan.band(row);
    Quantized[] q = new Quantized[specs.size()];
    double seconds = 0;
    for (TileOutput.Pixels p : tiles) {
      TileSpec s = plan.tiles().get(p.tile());
      if (s.row() != row) {
        throw new IllegalArgumentException("tile " + p.tile() + " is in row " + s.row()
            + ", not " + row);
      }
      q[s.column()] = p.pixels();
      seconds += p.seconds();
    }
    for (int c = 0; c < q.length; c++) {
      if (q[c] == null) {
        throw new IllegalStateException("row " + row + " lacks tile " + specs.get(c).index());
      }
    }
    int[] xs = specs.stream().mapToInt(s -> s.output().x()).toArray();
    Rect out = plan.bandOutput(row);
    // deflated as sub-bands in parallel: the last row of a run is not one thread's
    List<PngBands.Band> bands = PngBands.encodeParallel(
        PngRows.ofTiles(Arrays.asList(q), xs, out.y()), out.y(), out.height(), out.width(),
        job.format().channels(), job.format().bitDepth(), level);
    return new TileOutput.Band(job, specs.get(0).index(), specs.size(), row, bands,
        seconds + (System.nanoTime() - t0) / 1e9);
  }
}
