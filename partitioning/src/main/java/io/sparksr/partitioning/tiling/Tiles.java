package io.sparksr.partitioning.tiling;

import io.sparksr.partitioning.image.ImageTensor;

/** Builds the padded input of a tile from the pixels read for it. */
public final class Tiles {
  private Tiles() {}

  /**
   * The tile's padded rectangle filled from {@code source} and the border policy.
   *
   * @param source     pixels of {@code sourceRect} (image coordinates); must contain every image
   *                   pixel the padded rectangle maps to, which {@link TileSpec#read()} does
   * @param sourceRect where {@code source} sits in the image
   * @param padded     the rectangle to produce (image coordinates, may reach outside the image)
   */
  public static ImageTensor pad(ImageTensor source, Rect sourceRect, Rect padded, int imageWidth,
      int imageHeight, BorderPolicy policy) {
    if (source.width() != sourceRect.width() || source.height() != sourceRect.height()) {
      throw new IllegalArgumentException(
          "source is " + source.width() + "x" + source.height() + " but its rect is " + sourceRect);
    }
    int[] cols = new int[padded.width()];
    for (int i = 0; i < cols.length; i++) {
      cols[i] = local(policy.map(padded.x() + i, imageWidth), sourceRect.x(), source.width(), "x");
    }
    int[] rows = new int[padded.height()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = local(policy.map(padded.y() + i, imageHeight), sourceRect.y(), source.height(), "y");
    }
    int channels = source.channels();
    int pw = padded.width();
    int ph = padded.height();
    float[] out = new float[channels * ph * pw];
    float[] in = source.data();
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < ph; y++) {
        int dst = (c * ph + y) * pw;
        if (rows[y] < 0) {
          continue; // zero row
        }
        int srcRow = source.index(c, rows[y], 0);
        for (int x = 0; x < pw; x++) {
          int sx = cols[x];
          out[dst + x] = sx < 0 ? 0f : in[srcRow + sx];
        }
      }
    }
    return new ImageTensor(channels, ph, pw, out);
  }

  /** Convenience: the padded input of {@code tile} when the whole image is in memory. */
  public static ImageTensor pad(ImageTensor image, TileSpec tile, BorderPolicy policy) {
    return pad(image, image.bounds(), tile.padded(), image.width(), image.height(), policy);
  }

  private static int local(int imageCoord, int origin, int extent, String axis) {
    if (imageCoord < 0) {
      return -1;
    }
    int l = imageCoord - origin;
    if (l < 0 || l >= extent) {
      throw new IllegalArgumentException("padding needs image " + axis + "=" + imageCoord
          + " but the source covers [" + origin + "," + (origin + extent) + ")");
    }
    return l;
  }
}
