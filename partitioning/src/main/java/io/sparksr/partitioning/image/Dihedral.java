package io.sparksr.partitioning.image;

/**
 * The 8 flips/rotations of a square patch stored as interleaved bytes (row-major H x W x C),
 * the usual SR augmentation, and of an {@link ImageTensor} of any shape (the x8 self-ensemble).
 * Transform d in 0..7: bit 0 = flip left-right, bit 1 = flip top-bottom, bit 2 = transpose
 * (applied last); d = 0 is the identity, 5 and 6 are rotations by 90 degrees.
 */
public final class Dihedral {
  private Dihedral() {}

  /** The transforms allowed by an augmentation spec: "" (none), "flips", "rot90", "flips,rot90". */
  public static int[] transforms(boolean flips, boolean rot90) {
    if (flips && rot90) {
      return new int[] {0, 1, 2, 3, 4, 5, 6, 7};
    }
    if (flips) {
      return new int[] {0, 1, 2};
    }
    if (rot90) {
      return new int[] {0, 5, 3, 6}; // 0, 90, 180, 270 degrees
    }
    return new int[] {0};
  }

  /** Applies transform {@code d} to a {@code size x size x channels} patch. */
  public static byte[] apply(byte[] hwc, int size, int channels, int d) {
    if (d < 0 || d > 7) {
      throw new IllegalArgumentException("transform is " + d + " but must be in 0..7");
    }
    if (hwc.length != size * size * channels) {
      throw new IllegalArgumentException("patch has " + hwc.length + " bytes, not " + size + "x"
          + size + "x" + channels);
    }
    if (d == 0) {
      return hwc.clone();
    }
    boolean flipX = (d & 1) != 0;
    boolean flipY = (d & 2) != 0;
    boolean transpose = (d & 4) != 0;
    byte[] out = new byte[hwc.length];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        // output (y, x) <- source after flips, then transpose
        int sy = transpose ? x : y;
        int sx = transpose ? y : x;
        if (flipY) {
          sy = size - 1 - sy;
        }
        if (flipX) {
          sx = size - 1 - sx;
        }
        System.arraycopy(hwc, (sy * size + sx) * channels, out, (y * size + x) * channels,
            channels);
      }
    }
    return out;
  }

  /**
   * Applies transform {@code d} to a planar tensor of any shape (flips first, then the transpose,
   * as for patches; a transform with the transpose bit swaps width and height).
   */
  public static ImageTensor apply(ImageTensor t, int d) {
    if (d < 0 || d > 7) {
      throw new IllegalArgumentException("transform is " + d + " but must be in 0..7");
    }
    if (d == 0) {
      return t.copy();
    }
    boolean flipX = (d & 1) != 0;
    boolean flipY = (d & 2) != 0;
    boolean transpose = (d & 4) != 0;
    int h = t.height();
    int w = t.width();
    int oh = transpose ? w : h;
    int ow = transpose ? h : w;
    float[] in = t.data();
    float[] out = new float[in.length];
    int plane = h * w;
    for (int c = 0; c < t.channels(); c++) {
      int base = c * plane;
      for (int y = 0; y < oh; y++) {
        int dst = base + y * ow;
        for (int x = 0; x < ow; x++) {
          int sy = transpose ? x : y;
          int sx = transpose ? y : x;
          if (flipY) {
            sy = h - 1 - sy;
          }
          if (flipX) {
            sx = w - 1 - sx;
          }
          out[dst + x] = in[base + sy * w + sx];
        }
      }
    }
    return new ImageTensor(t.channels(), oh, ow, out);
  }

  /**
   * The transform that undoes {@code d}: 5 and 6 (the rotations by 90 and 270 degrees) undo each
   * other; every other transform is its own inverse.
   */
  public static int inverse(int d) {
    if (d < 0 || d > 7) {
      throw new IllegalArgumentException("transform is " + d + " but must be in 0..7");
    }
    return d == 5 ? 6 : d == 6 ? 5 : d;
  }
}
