package io.sparksr.partitioning.inference;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Something that upscales a padded tile: a model or a classic resampler. The output of
 * {@link #apply} is the input upscaled by {@code scale} in each dimension. Output pixels whose
 * input neighbourhood of radius {@link #radius()} lies inside the tile must not depend on anything
 * else (no global operations), which is what makes tiled runs equal whole-image runs.
 */
public interface TileOperator {

  /** Upscales {@code tile} by {@code scale}; the result is {@code tile.height()*scale} high. */
  ImageTensor apply(ImageTensor tile, int scale);

  /** Receptive-field radius in input pixels: the smallest halo that makes tiling exact. */
  int radius();

  /** Whether {@code scale} is served. */
  boolean supportsScale(int scale);

  /** The border policy whole-image runs of this operator are defined with. */
  default BorderPolicy defaultBorder() {
    return BorderPolicy.REPLICATE;
  }

  /**
   * Upscales tiles of one shape (same channels, height and width) in one call; the result has the
   * tiles' order. This default loops over {@link #apply}; a network overrides it with one forward
   * pass over the batch.
   */
  default List<ImageTensor> applyBatch(List<ImageTensor> tiles, int scale) {
    List<ImageTensor> out = new ArrayList<>(tiles.size());
    for (ImageTensor t : tiles) {
      out.add(apply(t, scale));
    }
    return out;
  }

  /**
   * Working memory of one tile in a batch: the bytes one more {@code height x width} tile adds to
   * a forward pass at {@code scale} (activations, input and output). The batch size follows from a
   * memory budget divided by this. The default counts a float32 copy of the RGB input and output
   * twice (operator input/output plus the caller's copies).
   */
  default long workingBytes(int height, int width, int scale) {
    long lr = (long) height * width;
    return 2L * Float.BYTES * (lr * 4 + lr * scale * scale * 4);
  }
}
