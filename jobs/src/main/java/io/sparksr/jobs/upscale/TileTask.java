package io.sparksr.jobs.upscale;

import io.sparksr.partitioning.TileSpec;
import java.io.Serializable;

/**
 * One unit of work: a tile of an image.
 *
 * @param image          index of the image in the run
 * @param path           the input image
 * @param width          image width
 * @param height         image height
 * @param regionReadable whether the tile can be read without decoding the whole image
 * @param bitDepth       bits per sample of the output (that of the input)
 * @param tile           the tile
 */
record TileTask(int image, String path, int width, int height, boolean regionReadable,
    int bitDepth, TileSpec tile) implements Serializable {

  /** Cost of the tile: output pixels of its padded rectangle. */
  long cost(int scale) {
    return tile.padded().area() * scale * scale;
  }
}
