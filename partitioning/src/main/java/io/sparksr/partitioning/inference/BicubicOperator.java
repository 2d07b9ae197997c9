package io.sparksr.partitioning.inference;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.io.Serializable;

/**
 * Bicubic upscaling (MATLAB imresize) as a {@link TileOperator}: the classic baseline and the
 * reference that tiling must reproduce exactly. Its whole-image border is MATLAB's symmetric
 * mirror; every nonzero tap of an output pixel lies within 2 input pixels of it.
 */
public final class BicubicOperator implements TileOperator, Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public ImageTensor apply(ImageTensor tile, int scale) {
    if (!supportsScale(scale)) {
      throw new IllegalArgumentException("scale is " + scale + " but must be >= 1");
    }
    return Resize.imresize(tile, scale);
  }

  @Override
  public int radius() {
    return 2;
  }

  @Override
  public boolean supportsScale(int scale) {
    return scale >= 1;
  }

  @Override
  public BorderPolicy defaultBorder() {
    return BorderPolicy.SYMMETRIC;
  }
}
