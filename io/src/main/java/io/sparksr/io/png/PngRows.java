package io.sparksr.io.png;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import java.util.List;

/** PNG rows (samples interleaved, 16 bits big-endian) from the project's planar images. */
public final class PngRows {
  private PngRows() {}

  /** Rows of quantised samples (planar, 16 bits big-endian as PNG stores them). */
  public static PngBands.Rows of(Quantized q) {
    return (y, dst) -> copyRow(q, y, dst, 0);
  }

  /**
   * Rows of a band of tiles side by side (a tile row of an upscaled image): tile {@code k}'s
   * samples start at output column {@code xs[k]}; the band's first row is output row {@code y0}.
   * The tiles must cover the row's width exactly and have the band's height.
   */
  public static PngBands.Rows ofTiles(List<Quantized> tiles, int[] xs, int y0) {
    return (y, dst) -> {
      for (int k = 0; k < tiles.size(); k++) {
        copyRow(tiles.get(k), y - y0, dst, xs[k]);
      }
    };
  }

  /** Row {@code y} of {@code q}, interleaved, into {@code dst} from pixel {@code x0} on. */
  private static void copyRow(Quantized q, int y, byte[] dst, int x0) {
    int c = q.channels();
    int w = q.width();
    int bytes = q.bitDepth() / 8;
    int plane = w * q.height() * bytes;
    byte[] s = q.samples();
    for (int k = 0; k < c; k++) {
      int src = k * plane + y * w * bytes;
      if (bytes == 1) {
        for (int x = 0, d = x0 * c + k; x < w; x++, d += c) {
          dst[d] = s[src + x];
        }
      } else {
        for (int x = 0, d = 2 * (x0 * c + k); x < w; x++, d += 2 * c) {
          dst[d] = s[src + 2 * x];
          dst[d + 1] = s[src + 2 * x + 1];
        }
      }
    }
  }

  /** Rows of a float tensor quantised as {@link Quantized#quantize} (the rule of every writer). */
  public static PngBands.Rows of(ImageTensor t, int bitDepth) {
    int c = t.channels();
    int w = t.width();
    int plane = w * t.height();
    float[] d = t.data();
    int max = bitDepth == 16 ? 65535 : 255;
    return (y, dst) -> {
      for (int k = 0; k < c; k++) {
        int src = k * plane + y * w;
        for (int x = 0; x < w; x++) {
          int q = Quantized.quantize(d[src + x], max);
          if (bitDepth == 16) {
            int o = 2 * (x * c + k);
            dst[o] = (byte) (q >>> 8);
            dst[o + 1] = (byte) q;
          } else {
            dst[x * c + k] = (byte) q;
          }
        }
      }
    };
  }

  /**
   * The filter for a zlib level: Up at levels 1-2 (the fastest filter; its 2 % larger files are
   * worth 25 % less time where speed was asked for), Paeth at 3-9, none at 0. Measured on an
   * 8000&times;4800 upscaled photo (docs/BENCHMARKS.md); the adaptive heuristic gave the same size
   * as Paeth at 1.5&times; its time.
   */
  public static PngBands.Filter filterFor(int level) {
    return level == 0 ? PngBands.Filter.NONE : level <= 2 ? PngBands.Filter.UP
        : PngBands.Filter.PAETH;
  }
}
