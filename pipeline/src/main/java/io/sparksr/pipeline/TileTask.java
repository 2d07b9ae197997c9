package io.sparksr.pipeline;

import io.sparksr.partitioning.tiling.TileSpec;
import java.io.Serializable;

/** One unit of work: a tile of an image (tasks of one image share the {@link ImageJob}). */
public record TileTask(ImageJob image, TileSpec tile) implements Serializable {

  /** Cost of the tile: output pixels of its padded rectangle. */
  public long cost(int scale) {
    return tile.padded().area() * scale * scale;
  }
}
