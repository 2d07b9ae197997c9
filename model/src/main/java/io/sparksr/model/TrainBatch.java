package io.sparksr.model;


/**
 * One training step's data, all at one scale: {@code size} LR patches {@code [size, lrHeight,
 * lrWidth, 3]} and their HR patches {@code [size, lrHeight*scale, lrWidth*scale, 3]}, both NHWC
 * float32 RGB in [0, 1], flattened row-major. The arrays are owned by the batch.
 */
public record TrainBatch(int scale, int size, int lrHeight, int lrWidth, float[] lr, float[] hr) {

  public TrainBatch {
    if (scale < 1) {
      throw new IllegalArgumentException("'scale' is " + scale + " but must be >= 1");
    }
    if (size < 1) {
      throw new IllegalArgumentException("'size' is " + size + " but must be >= 1");
    }
    if (lrHeight < 1 || lrWidth < 1) {
      throw new IllegalArgumentException(
          "LR patch is " + lrWidth + "x" + lrHeight + " but must be at least 1x1");
    }
    long lrLen = (long) size * lrHeight * lrWidth * 3;
    if (lr.length != lrLen) {
      throw new IllegalArgumentException("'lr' has " + lr.length + " values but " + size + " x "
          + lrHeight + " x " + lrWidth + " x 3 needs " + lrLen);
    }
    long hrLen = lrLen * scale * scale;
    if (hr.length != hrLen) {
      throw new IllegalArgumentException("'hr' has " + hr.length + " values but " + size + " x "
          + lrHeight * scale + " x " + lrWidth * scale + " x 3 needs " + hrLen);
    }
  }

  public int hrHeight() {
    return lrHeight * scale;
  }

  public int hrWidth() {
    return lrWidth * scale;
  }
}
