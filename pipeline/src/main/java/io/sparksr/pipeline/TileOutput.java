package io.sparksr.pipeline;

import io.sparksr.io.png.PngBands;
import io.sparksr.partitioning.image.Quantized;
import java.util.List;

/**
 * The upscaled core of one tile of an image that several partitions share: its samples, the size
 * of its compressed part file (tiled outputs), a whole tile row already filtered and deflated as a
 * PNG band ({@link PngBanding}), or why it could not be made.
 */
public sealed interface TileOutput extends Upscaled {

  ImageJob image();

  /** The tile's index in its image's plan (a band: its row's first tile). */
  int tile();

  /** How many of the image's tiles this output stands for. */
  default int tiles() {
    return 1;
  }

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

  /**
   * Tile row {@code row} of a PNG output, every tile of it upscaled here, deflated as bands of
   * consecutive rows (top to bottom).
   *
   * @param tile  the row's first tile
   * @param tiles the row's tile count
   */
  record Band(ImageJob image, int tile, int tiles, int row, List<PngBands.Band> bands,
      double seconds) implements TileOutput {}

  /** The tile could not be made. */
  record Failed(ImageJob image, int tile, String reason) implements TileOutput {
    @Override
    public double seconds() {
      return 0;
    }
  }
}
