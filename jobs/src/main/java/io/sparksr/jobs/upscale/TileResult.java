package io.sparksr.jobs.upscale;

import io.sparksr.partitioning.image.Quantized;
import java.io.Serializable;

/**
 * The upscaled core of one tile (its samples, or for a tiled output the size of its compressed
 * part file), or why it could not be made; or, when one partition held every tile of the image
 * and stitched it there, the image's outcome ({@code tile} -1).
 *
 * @param seconds executor time spent on the tile (read share, forward-pass share, encode)
 */
record TileResult(ImageJob image, int tile, Quantized pixels, long partBytes, String error,
    double seconds, ImageOutcome outcome) implements Serializable {

  static TileResult ok(ImageJob image, int tile, Quantized pixels, double seconds) {
    return new TileResult(image, tile, pixels, -1, null, seconds, null);
  }

  static TileResult part(ImageJob image, int tile, long partBytes, double seconds) {
    return new TileResult(image, tile, null, partBytes, null, seconds, null);
  }

  static TileResult failed(ImageJob image, int tile, String error) {
    return new TileResult(image, tile, null, -1, error, 0, null);
  }

  static TileResult stitched(ImageJob image, ImageOutcome outcome) {
    return new TileResult(image, -1, null, -1, null, outcome.seconds(), outcome);
  }
}
