package io.sparksr.pipeline;

import io.sparksr.partitioning.image.Quantized;

/**
 * The upscaled core of one tile of an image that several partitions share: its samples, the size
 * of its compressed part file (tiled outputs), or why it could not be made.
 */
public sealed interface TileOutput extends Upscaled {

  ImageJob image();

  /** The tile's index in its image's plan. */
  int tile();

  /** Executor seconds spent on the tile (read share, forward-pass share, encode). */
  double seconds();

  @Override
  default int imageIndex() {
    return image().index();
  }

  /** The core's samples, quantised to the output's bit depth. */
  record Pixels(ImageJob image, int tile, Quantized pixels, double seconds)
      implements TileOutput {}

  /** The core compressed into the image's parts folder ({@link ImageAssembler#partPath}). */
  record Part(ImageJob image, int tile, long bytes, double seconds) implements TileOutput {}

  /** The tile could not be made. */
  record Failed(ImageJob image, int tile, String reason) implements TileOutput {
    @Override
    public double seconds() {
      return 0;
    }
  }
}
