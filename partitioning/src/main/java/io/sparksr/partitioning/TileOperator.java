package io.sparksr.partitioning;

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
}
