package io.sparksr.io.png;

import java.io.Serializable;
import java.util.Arrays;
import java.util.zip.Adler32;
import java.util.zip.Deflater;

/**
 * A PNG image's compressed data in independent horizontal bands, so that bands can be filtered
 * and deflated by different threads or Spark tasks as their rows become available, and joined
 * into one valid zlib stream afterwards (the way pigz compresses in parallel): each band is a raw
 * deflate stream ended by a sync flush (byte-aligned, not final) that refers to nothing before
 * it; its first row is filtered without the row above (filter Sub), so no band needs another's
 * pixels. {@link BandedPng} writes the zlib header, the bands in order, a final empty block and
 * the Adler-32 of all filtered bytes, combined from the bands' ({@link #combineAdler32}).
 *
 * <p>Filters (PNG 1.2, 6): {@link Filter#ADAPTIVE} picks, per row, the filter whose output has
 * the smallest sum of absolute values taken as signed bytes (the heuristic of libpng and the
 * PNG specification's recommendation, 12.8); {@link Filter#PAETH} and {@link Filter#UP} use one
 * filter throughout. The deflate level is the zlib level (0 stored ... 9 smallest).
 */
public final class PngBands {
  private PngBands() {}

  /** One band: rows {@code [firstRow, firstRow + rows)} filtered and deflated. */
  public record Band(int firstRow, int rows, byte[] deflated, int adler32, long rawBytes)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** How rows are filtered. */
  public enum Filter { ADAPTIVE, PAETH, UP, NONE }

  /** Row supplier: fills {@code dst} with row {@code y}, samples interleaved, 16 bits big-endian. */
  @FunctionalInterface
  public interface Rows {
    void row(int y, byte[] dst);
  }

  /** Rows per band when rows are split for parallel deflating ({@link #encodeParallel}). */
  public static final int BAND_ROWS = 256;

  /**
   * Rows {@code [firstRow, firstRow + count)} as bands of {@link #BAND_ROWS} rows, filtered
   * ({@link PngRows#filterFor} the level) and deflated in parallel on the fork-join pool and the
   * calling thread; in row order.
   */
  public static java.util.List<Band> encodeParallel(Rows rows, int firstRow, int count, int width,
      int channels, int bitDepth, int level) {
    Filter filter = PngRows.filterFor(level);
    int n = (count + BAND_ROWS - 1) / BAND_ROWS;
    return java.util.stream.IntStream.range(0, n).parallel()
        .mapToObj(i -> encode(rows, firstRow + i * BAND_ROWS,
            Math.min(BAND_ROWS, count - i * BAND_ROWS), width, channels, bitDepth, level, filter))
        .toList();
  }

  /**
   * Filters and deflates rows {@code [firstRow, firstRow + count)}.
   *
   * @param width     image width in pixels
   * @param channels  samples per pixel (1-4)
   * @param bitDepth  8 or 16
   * @param level     zlib level 0-9
   */
  public static Band encode(Rows rows, int firstRow, int count, int width, int channels,
      int bitDepth, int level, Filter filter) {
    if (bitDepth != 8 && bitDepth != 16) {
      throw new IllegalArgumentException("'bitDepth' is " + bitDepth + " but must be 8 or 16");
    }
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("'level' is " + level + " but must be in 0..9");
    }
    int bpp = channels * bitDepth / 8;
    int rowBytes = Math.multiplyExact(width, bpp);
    byte[] prior = new byte[rowBytes];
    byte[] cur = new byte[rowBytes];
    byte[][] out = new byte[5][rowBytes + 1];
    for (int f = 0; f < 5; f++) {
      out[f][0] = (byte) f;
    }
    Deflater deflater = new Deflater(level, true);
    deflater.setStrategy(level == 0 ? Deflater.DEFAULT_STRATEGY : Deflater.FILTERED);
    Adler32 adler = new Adler32();
    // about a third of the filtered bytes to start with (a photo at level 1), grown as needed
    Sink sink = new Sink((int) Math.min(1 << 26, (long) (rowBytes + 1) * count / 3 + 256));
    try {
      for (int i = 0; i < count; i++) {
        rows.row(firstRow + i, cur);
        // the band's first row: Sub, which needs no row above it
        byte[] line = i == 0 ? filterOne(1, cur, null, bpp, out[1])
            : filter(cur, prior, bpp, filter, out);
        adler.update(line, 0, rowBytes + 1);
        deflater.setInput(line, 0, rowBytes + 1);
        while (!deflater.needsInput()) {
          sink.drain(deflater, Deflater.NO_FLUSH);
        }
        byte[] t = prior;
        prior = cur;
        cur = t;
      }
      do {
        sink.drain(deflater, Deflater.SYNC_FLUSH);
      } while (sink.full);
      return new Band(firstRow, count, sink.bytes(), (int) adler.getValue(),
          (long) count * (rowBytes + 1));
    } finally {
      deflater.end();
    }
  }

  /** The filtered row (type byte first), in one of {@code out}'s five buffers. */
  private static byte[] filter(byte[] cur, byte[] prior, int bpp, Filter filter, byte[][] out) {
    return switch (filter) {
      case NONE -> filterOne(0, cur, prior, bpp, out[0]);
      case UP -> filterOne(2, cur, prior, bpp, out[2]);
      case PAETH -> filterOne(4, cur, prior, bpp, out[4]);
      case ADAPTIVE -> {
        byte[] best = null;
        long bestSum = Long.MAX_VALUE;
        for (int f = 0; f < 5; f++) {
          byte[] line = filterOne(f, cur, prior, bpp, out[f]);
          long sum = 0;
          for (int k = 1; k < line.length && sum < bestSum; k++) {
            sum += Math.abs(line[k]);
          }
          if (sum < bestSum) {
            bestSum = sum;
            best = line;
          }
        }
        yield best;
      }
    };
  }

  /** Filter type {@code f} of {@code cur} (prior null: the row above is zeros) into {@code dst}. */
  static byte[] filterOne(int f, byte[] cur, byte[] prior, int bpp, byte[] dst) {
    int n = cur.length;
    dst[0] = (byte) f;
    switch (f) {
      case 0 -> System.arraycopy(cur, 0, dst, 1, n);
      case 1 -> {
        System.arraycopy(cur, 0, dst, 1, Math.min(bpp, n));
        for (int i = bpp; i < n; i++) {
          dst[i + 1] = (byte) (cur[i] - cur[i - bpp]);
        }
      }
      case 2 -> {
        if (prior == null) {
          System.arraycopy(cur, 0, dst, 1, n);
        } else {
          for (int i = 0; i < n; i++) {
            dst[i + 1] = (byte) (cur[i] - prior[i]);
          }
        }
      }
      case 3 -> {
        for (int i = 0; i < n; i++) {
          int a = i >= bpp ? cur[i - bpp] & 0xff : 0;
          int b = prior == null ? 0 : prior[i] & 0xff;
          dst[i + 1] = (byte) (cur[i] - ((a + b) >>> 1));
        }
      }
      case 4 -> {
        for (int i = 0; i < n; i++) {
          int a = i >= bpp ? cur[i - bpp] & 0xff : 0;
          int b = prior == null ? 0 : prior[i] & 0xff;
          int c = i >= bpp && prior != null ? prior[i - bpp] & 0xff : 0;
          dst[i + 1] = (byte) (cur[i] - paeth(a, b, c));
        }
      }
      default -> throw new IllegalArgumentException("filter type " + f);
    }
    return dst;
  }

  static int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }

  /**
   * The Adler-32 of the concatenation of two byte sequences from theirs and the second's length
   * (zlib's adler32_combine).
   */
  public static int combineAdler32(int adler1, int adler2, long len2) {
    final long base = 65521;
    long a1 = adler1 & 0xFFFF_FFFFL;
    long a2 = adler2 & 0xFFFF_FFFFL;
    long rem = len2 % base;
    long sum1 = a1 & 0xffff;
    long sum2 = (rem * sum1) % base;
    sum1 += (a2 & 0xffff) + base - 1;
    sum2 += (a1 >>> 16) + (a2 >>> 16) + base - rem;
    if (sum1 >= base) {
      sum1 -= base;
    }
    if (sum1 >= base) {
      sum1 -= base;
    }
    if (sum2 >= base << 1) {
      sum2 -= base << 1;
    }
    if (sum2 >= base) {
      sum2 -= base;
    }
    return (int) (sum1 | (sum2 << 16));
  }

  /** A growable output buffer for the deflater. */
  private static final class Sink {
    private byte[] buf;
    private int len;
    boolean full;

    Sink(int initial) {
      buf = new byte[initial];
    }

    void drain(Deflater d, int flush) {
      if (buf.length - len < 1 << 10) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + (1 << 12)));
      }
      int room = buf.length - len;
      int n = d.deflate(buf, len, room, flush);
      len += n;
      full = n == room;
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, len);
    }
  }
}
