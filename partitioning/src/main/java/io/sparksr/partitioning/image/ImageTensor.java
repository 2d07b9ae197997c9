package io.sparksr.partitioning.image;

import io.sparksr.partitioning.tiling.Rect;
import java.io.Serializable;
import java.util.Arrays;

/**
 * A decoded image as float32 samples in [0, 1], planar layout {@code [channel][row][column]}
 * (CHW, row-major inside a plane). Channel order is R, G, B (then A) for colour images and
 * Y (then A) for grey ones. The array is owned by the tensor; callers that share it say so.
 */
public final class ImageTensor implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int channels;
  private final int height;
  private final int width;
  private final float[] data;

  public ImageTensor(int channels, int height, int width, float[] data) {
    long n = samples(channels, height, width);
    if (data.length != n) {
      throw new IllegalArgumentException(
          "data has " + data.length + " samples but " + channels + "x" + height + "x" + width
              + " needs " + n);
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.data = data;
  }

  /** A tensor of zeros; the size is checked before the array is allocated. */
  public static ImageTensor zeros(int channels, int height, int width) {
    long n = samples(channels, height, width);
    return new ImageTensor(channels, height, width, new float[(int) n]);
  }

  /** {@code channels * height * width} of a valid shape, in long; at most one array's worth. */
  private static long samples(int channels, int height, int width) {
    if (channels <= 0) {
      throw new IllegalArgumentException("channels is " + channels + " but must be > 0");
    }
    if (height <= 0) {
      throw new IllegalArgumentException("height is " + height + " but must be > 0");
    }
    if (width <= 0) {
      throw new IllegalArgumentException("width is " + width + " but must be > 0");
    }
    long n = (long) channels * height * width;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "tensor " + channels + "x" + height + "x" + width + " has " + n + " samples; at most "
              + (Integer.MAX_VALUE - 8) + " fit in one array: tile the image");
    }
    return n;
  }

  public int channels() {
    return channels;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** The backing array, planar CHW. */
  public float[] data() {
    return data;
  }

  public int planeSize() {
    return height * width;
  }

  public int index(int c, int y, int x) {
    return (c * height + y) * width + x;
  }

  public float get(int c, int y, int x) {
    return data[index(c, y, x)];
  }

  public void set(int c, int y, int x, float v) {
    data[index(c, y, x)] = v;
  }

  public Rect bounds() {
    return new Rect(0, 0, width, height);
  }

  /** A copy of the pixels inside {@code r} (which must lie inside this tensor). */
  public ImageTensor crop(Rect r) {
    if (!bounds().contains(r) || r.isEmpty()) {
      throw new IllegalArgumentException("crop " + r + " is not a non-empty part of " + bounds());
    }
    float[] out = new float[channels * r.height() * r.width()];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < r.height(); y++) {
        System.arraycopy(data, index(c, r.y() + y, r.x()), out, (c * r.height() + y) * r.width(),
            r.width());
      }
    }
    return new ImageTensor(channels, r.height(), r.width(), out);
  }

  /** Copies all of {@code src} into this tensor with its top-left corner at (x, y). */
  public void paste(ImageTensor src, int x, int y) {
    if (src.channels != channels) {
      throw new IllegalArgumentException(
          "paste of " + src.channels + " channels into " + channels + " channels");
    }
    Rect target = new Rect(x, y, src.width, src.height);
    if (!bounds().contains(target)) {
      throw new IllegalArgumentException("paste target " + target + " is outside " + bounds());
    }
    for (int c = 0; c < channels; c++) {
      for (int row = 0; row < src.height; row++) {
        System.arraycopy(src.data, src.index(c, row, 0), data, index(c, y + row, x), src.width);
      }
    }
  }

  /** A new tensor holding the channels {@code [from, to)}. */
  public ImageTensor channels(int from, int to) {
    if (from < 0 || to > channels || from >= to) {
      throw new IllegalArgumentException(
          "channel range [" + from + "," + to + ") is not inside [0," + channels + ")");
    }
    return new ImageTensor(to - from, height, width,
        Arrays.copyOfRange(data, from * planeSize(), to * planeSize()));
  }

  /** The image as RGB: grey (and grey + alpha) replicated to three channels, alpha dropped. */
  public ImageTensor toRgb() {
    return switch (channels) {
      case 3 -> this;
      case 4 -> channels(0, 3);
      case 1, 2 -> {
        float[] d = new float[3 * planeSize()];
        for (int c = 0; c < 3; c++) {
          System.arraycopy(data, 0, d, c * planeSize(), planeSize());
        }
        yield new ImageTensor(3, height, width, d);
      }
      default -> throw new IllegalStateException(channels + " channels cannot be made RGB");
    };
  }

  public ImageTensor copy() {
    return new ImageTensor(channels, height, width, data.clone());
  }

  public boolean sameShape(ImageTensor o) {
    return o.channels == channels && o.height == height && o.width == width;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageTensor t && sameShape(t) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * channels + height) + width) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "ImageTensor[" + channels + "x" + height + "x" + width + "]";
  }
}
