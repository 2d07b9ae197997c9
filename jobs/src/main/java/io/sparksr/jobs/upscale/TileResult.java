package io.sparksr.jobs.upscale;

import io.sparksr.partitioning.Quantized;
import java.io.Serializable;

/**
 * The upscaled core of one tile (its samples, or for a tiled output the size of its compressed
 * part file), or why it could not be made.
 *
 * @param seconds executor time spent on the tile (read share, forward-pass share, encode)
 */
record TileResult(ImageJob image, int tile, Quantized pixels, long partBytes, String error,
    double seconds) implements Serializable {

  static TileResult ok(ImageJob image, int tile, Quantized pixels, double seconds) {
    return new TileResult(image, tile, pixels, -1, null, seconds);
  }

  static TileResult part(ImageJob image, int tile, long partBytes, double seconds) {
    return new TileResult(image, tile, null, partBytes, null, seconds);
  }

  static TileResult failed(ImageJob image, int tile, String error) {
    return new TileResult(image, tile, null, -1, error, 0);
  }
}
