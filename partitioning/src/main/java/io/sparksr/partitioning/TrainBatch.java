package io.sparksr.partitioning;

import java.util.List;

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

  /**
   * A batch from uint8 HWC RGB patches (e.g. PatchSampler/Parquet rows), divided by 255.
   *
   * @param lr LR patches, each {@code lrHeight * lrWidth * 3} bytes
   * @param hr the matching HR patches, each {@code scale^2} times larger
   */
  public static TrainBatch fromHwcBytes(int scale, int lrHeight, int lrWidth, List<byte[]> lr,
      List<byte[]> hr) {
    if (lr.size() != hr.size()) {
      throw new IllegalArgumentException(
          lr.size() + " LR patches but " + hr.size() + " HR patches: must be equal");
    }
    int n = lr.size();
    int lrPatch = lrHeight * lrWidth * 3;
    int hrPatch = lrPatch * scale * scale;
    float[] l = new float[n * lrPatch];
    float[] h = new float[n * hrPatch];
    for (int i = 0; i < n; i++) {
      copy(lr.get(i), lrPatch, l, i * lrPatch, "LR", i);
      copy(hr.get(i), hrPatch, h, i * hrPatch, "HR", i);
    }
    return new TrainBatch(scale, n, lrHeight, lrWidth, l, h);
  }

  private static void copy(byte[] src, int len, float[] dst, int off, String what, int i) {
    if (src.length != len) {
      throw new IllegalArgumentException(
          what + " patch " + i + " has " + src.length + " bytes but must have " + len);
    }
    for (int k = 0; k < len; k++) {
      dst[off + k] = (src[k] & 0xff) / 255f;
    }
  }

  public int hrHeight() {
    return lrHeight * scale;
  }

  public int hrWidth() {
    return lrWidth * scale;
  }
}
