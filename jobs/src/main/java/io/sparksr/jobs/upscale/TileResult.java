package io.sparksr.jobs.upscale;

import io.sparksr.partitioning.Quantized;
import java.io.Serializable;

/** The upscaled core of one tile, or why it could not be made. */
record TileResult(int image, int tile, Quantized pixels, String error) implements Serializable {

  static TileResult ok(int image, int tile, Quantized pixels) {
    return new TileResult(image, tile, pixels, null);
  }

  static TileResult failed(int image, int tile, String error) {
    return new TileResult(image, tile, null, error);
  }
}
