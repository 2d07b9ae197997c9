package io.sparksr.io;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.Rect;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads tiled TIFF and BigTIFF files of the kind {@link TiledTiff} writes, by region: only the
 * directory and the tiles a region touches are read. The JDK's TIFF plugin cannot read BigTIFF,
 * so {@link ImageStore} hands BigTIFF files here.
 *
 * <p>Supported: one image (the first directory), tiled, chunky, 8 or 16 bits per sample, 1 to 4
 * samples (grey, grey + alpha, RGB, RGBA), no compression or Deflate (8 or 32946), predictor 1 or
 * 2, either byte order. Anything else is an {@link ImageDecodeException} naming what is not
 * supported.
 */
public final class TiledTiffReader {
  private TiledTiffReader() {}

  /** The parsed directory of a tiled file. */
  public record Directory(boolean bigTiff, int width, int height, int tileWidth, int tileHeight,
      int channels, int bitDepth, int compression, int predictor, int orientation,
      byte[] iccProfile, long[] tileOffsets, long[] tileByteCounts, ByteOrder order) {

    public int tilesAcross() {
      return (width + tileWidth - 1) / tileWidth;
    }

    public PixelFormat format() {
      return new PixelFormat("tiff", channels, bitDepth, channels == 2 || channels == 4, false,
          iccProfile);
    }
  }

  /** Whether the first bytes are a BigTIFF header ("II" or "MM", then 43). */
  public static boolean isBigTiff(byte[] head) {
    return head.length >= 4 && ((head[0] == 'I' && head[1] == 'I' && head[2] == 43 && head[3] == 0)
        || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 43));
  }

  /** The directory of {@code path}. */
  public static Directory directory(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = AtomicFiles.fileSystem(conf, p);
    long length = fs.getFileStatus(p).getLen();
    try (FSDataInputStream in = fs.open(p)) {
      return directory(in, path, length);
    }
  }

  /** The pixels of {@code region} (a non-empty part of the image). */
  public static ImageTensor readRegion(Configuration conf, String path, Rect region)
      throws IOException {
    Path p = new Path(path);
    FileSystem fs = AtomicFiles.fileSystem(conf, p);
    long length = fs.getFileStatus(p).getLen();
    try (FSDataInputStream in = fs.open(p)) {
      Directory d = directory(in, path, length);
      if (region.isEmpty() || !new Rect(0, 0, d.width(), d.height()).contains(region)) {
        throw new IllegalArgumentException("'region' " + region + " of " + path
            + " must be a non-empty part of the image " + d.width() + "x" + d.height());
      }
      return read(in, path, d, region);
    }
  }

  static Directory directory(FSDataInputStream in, String path) throws IOException {
    return directory(in, path, Long.MAX_VALUE);
  }

  /**
   * The directory; every offset and size it holds is checked against the file's {@code length}
   * before anything is allocated for it, so a hostile header cannot make this reader allocate more
   * than the file holds (plus one tile of bounded size).
   */
  static Directory directory(FSDataInputStream in, String path, long length) throws IOException {
    byte[] head = new byte[16];
    readFully(in, 0, head, path);
    ByteOrder order;
    if (head[0] == 'I' && head[1] == 'I') {
      order = ByteOrder.LITTLE_ENDIAN;
    } else if (head[0] == 'M' && head[1] == 'M') {
      order = ByteOrder.BIG_ENDIAN;
    } else {
      throw new ImageDecodeException(path, "not a TIFF file (no II/MM byte order mark)");
    }
    ByteBuffer h = ByteBuffer.wrap(head).order(order);
    int magic = h.getShort(2) & 0xffff;
    boolean big = magic == 43;
    if (!big && magic != 42) {
      throw new ImageDecodeException(path, "not a TIFF file (magic " + magic + ")");
    }
    long ifd = big ? h.getLong(8) : h.getInt(4) & 0xffffffffL;
    byte[] countBytes = new byte[big ? 8 : 2];
    readFully(in, ifd, countBytes, path);
    ByteBuffer cb = ByteBuffer.wrap(countBytes).order(order);
    long entries = big ? cb.getLong() : cb.getShort() & 0xffff;
    if (entries <= 0 || entries > 4096) {
      throw new ImageDecodeException(path, "TIFF directory has " + entries + " entries");
    }
    int entrySize = big ? 20 : 12;
    byte[] table = new byte[(int) entries * entrySize];
    readFully(in, ifd + countBytes.length, table, path);
    ByteBuffer t = ByteBuffer.wrap(table).order(order);
    Map<Integer, long[]> values = new HashMap<>();
    byte[] icc = null;
    for (int i = 0; i < entries; i++) {
      int base = i * entrySize;
      int tag = t.getShort(base) & 0xffff;
      int type = t.getShort(base + 2) & 0xffff;
      long count = big ? t.getLong(base + 4) : t.getInt(base + 4) & 0xffffffffL;
      int size = typeSize(type);
      long bytes = size * count;
      int inline = big ? 8 : 4;
      byte[] raw;
      if (size == 0 || bytes > Integer.MAX_VALUE - 8) {
        continue; // a type or size this reader does not need
      }
      if (bytes <= inline) {
        raw = new byte[(int) bytes];
        System.arraycopy(table, base + (big ? 12 : 8), raw, 0, raw.length);
      } else {
        long at = big ? t.getLong(base + 12) : t.getInt(base + 8) & 0xffffffffL;
        if (tag != 324 && tag != 325 && tag != 258 && tag != TiledTiff.TAG_ICC && tag != 339) {
          continue; // long values we do not use
        }
        if (at < 0 || at > length - bytes) {
          throw new ImageDecodeException(path, "TIFF tag " + tag + " claims " + bytes
              + " bytes at offset " + at + ", past the end of the file (truncated or corrupt)");
        }
        raw = new byte[(int) bytes];
        readFully(in, at, raw, path);
      }
      if (tag == TiledTiff.TAG_ICC) {
        icc = raw;
        continue;
      }
      ByteBuffer v = ByteBuffer.wrap(raw).order(order);
      long[] out = new long[(int) count];
      for (int k = 0; k < count; k++) {
        out[k] = switch (type) {
          case 1, 7 -> v.get(k) & 0xff;
          case 3 -> v.getShort(2 * k) & 0xffff;
          case 4 -> v.getInt(4 * k) & 0xffffffffL;
          case 16 -> v.getLong(8 * k);
          default -> 0;
        };
      }
      values.put(tag, out);
    }
    int width = positive(one(values, 256, path), "image width", path);
    int height = positive(one(values, 257, path), "image height", path);
    if (!values.containsKey(322) || !values.containsKey(324)) {
      throw new ImageDecodeException(path, "not a tiled TIFF (strips are not supported here)");
    }
    int channels = (int) first(values, 277, 1);
    long[] bps = values.getOrDefault(258, new long[] {1});
    int bits = (int) bps[0];
    for (long b : bps) {
      if (b != bits) {
        throw new ImageDecodeException(path, "mixed bits per sample " + java.util.Arrays.toString(bps));
      }
    }
    if (bits != 8 && bits != 16) {
      throw new ImageDecodeException(path, bits + " bits per sample are not supported (8 or 16)");
    }
    if (channels < 1 || channels > 4) {
      throw new ImageDecodeException(path, channels + " samples per pixel are not supported");
    }
    if (first(values, 284, 1) != 1) {
      throw new ImageDecodeException(path, "planar (separate) samples are not supported");
    }
    long format = first(values, 339, 1);
    if (format != 1) {
      throw new ImageDecodeException(path, "sample format " + format + " is not supported");
    }
    int photometric = (int) first(values, 262, channels >= 3 ? 2 : 1);
    if ((channels >= 3 && photometric != 2) || (channels <= 2 && photometric != 1)) {
      throw new ImageDecodeException(path, "photometric interpretation " + photometric
          + " with " + channels + " samples is not supported (grey or RGB)");
    }
    int compression = (int) first(values, 259, 1);
    if (compression != 1 && compression != 8 && compression != 32946) {
      throw new ImageDecodeException(path, "compression " + compression
          + " is not supported here (none or Deflate)");
    }
    int predictor = (int) first(values, 317, 1);
    if (predictor != 1 && predictor != 2) {
      throw new ImageDecodeException(path, "predictor " + predictor + " is not supported");
    }
    long[] offsets = values.get(324);
    long[] counts = values.get(325);
    int tw = positive(one(values, 322, path), "tile width", path);
    int th = positive(one(values, 323, path), "tile height", path);
    if ((long) tw * th * channels * (bits / 8) > MAX_TILE_BYTES) {
      throw new ImageDecodeException(path, "tiles of " + tw + "x" + th + " pixels are too large"
          + " (more than " + (MAX_TILE_BYTES >> 20) + " MiB each)");
    }
    long tiles = (long) ((width + tw - 1) / tw) * ((height + th - 1) / th);
    if (counts == null || offsets.length != tiles || counts.length != tiles) {
      throw new ImageDecodeException(path, "tile index has " + offsets.length + " offsets and "
          + (counts == null ? 0 : counts.length) + " byte counts for " + tiles + " tiles");
    }
    for (int i = 0; i < offsets.length; i++) {
      if (offsets[i] < 0 || counts[i] < 0 || counts[i] > Integer.MAX_VALUE - 8
          || offsets[i] > length - counts[i]) {
        throw new ImageDecodeException(path, "tile " + i + " claims " + counts[i]
            + " bytes at offset " + offsets[i] + ", past the end of the file (truncated or corrupt)");
      }
    }
    return new Directory(big, width, height, tw, th, channels, bits, compression, predictor,
        (int) first(values, 274, 1), icc, offsets, counts, order);
  }

  private static ImageTensor read(FSDataInputStream in, String path, Directory d, Rect region)
      throws IOException {
    int c = d.channels();
    int bytes = d.bitDepth() / 8;
    int tw = d.tileWidth();
    int th = d.tileHeight();
    float max = d.bitDepth() == 8 ? 255f : 65535f;
    float[] out = new float[c * region.height() * region.width()];
    int plane = region.height() * region.width();
    byte[] raw = new byte[tw * th * c * bytes];
    boolean little = d.order() == ByteOrder.LITTLE_ENDIAN;
    for (int ty = region.y() / th; ty <= (region.bottom() - 1) / th; ty++) {
      for (int tx = region.x() / tw; tx <= (region.right() - 1) / tw; tx++) {
        int index = ty * d.tilesAcross() + tx;
        byte[] stored = new byte[(int) d.tileByteCounts()[index]];
        readFully(in, d.tileOffsets()[index], stored, path);
        if (d.compression() == 1) {
          if (stored.length < raw.length) {
            throw new ImageDecodeException(path, "tile " + index + " is truncated");
          }
          System.arraycopy(stored, 0, raw, 0, raw.length);
        } else {
          inflate(stored, raw, path, index);
        }
        if (d.predictor() == 2) {
          undoPredictor(raw, tw, th, c, bytes, little);
        }
        Rect tile = new Rect(tx * tw, ty * th, tw, th);
        Rect part = tile.intersect(region);
        for (int y = part.y(); y < part.bottom(); y++) {
          int src = ((y - tile.y()) * tw + (part.x() - tile.x())) * c * bytes;
          int dst = (y - region.y()) * region.width() + (part.x() - region.x());
          for (int x = 0; x < part.width(); x++) {
            for (int ch = 0; ch < c; ch++) {
              int at = src + (x * c + ch) * bytes;
              int v;
              if (bytes == 1) {
                v = raw[at] & 0xff;
              } else if (little) {
                v = (raw[at] & 0xff) | ((raw[at + 1] & 0xff) << 8);
              } else {
                v = ((raw[at] & 0xff) << 8) | (raw[at + 1] & 0xff);
              }
              out[ch * plane + dst + x] = v / max;
            }
          }
        }
      }
    }
    return new ImageTensor(c, region.height(), region.width(), out);
  }

  private static void inflate(byte[] stored, byte[] raw, String path, int index)
      throws ImageDecodeException {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(stored);
      int n = 0;
      while (n < raw.length) {
        int k = inflater.inflate(raw, n, raw.length - n);
        if (k == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += k;
      }
      if (n < raw.length) {
        throw new ImageDecodeException(path, "tile " + index + " inflates to " + n + " of "
            + raw.length + " bytes (truncated)");
      }
    } catch (DataFormatException e) {
      throw new ImageDecodeException(path, "tile " + index + " is corrupt: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  private static void undoPredictor(byte[] raw, int tw, int th, int c, int bytes,
      boolean little) {
    if (bytes == 1) {
      int stride = tw * c;
      for (int y = 0; y < th; y++) {
        int row = y * stride;
        for (int i = c; i < stride; i++) {
          raw[row + i] = (byte) (raw[row + i] + raw[row + i - c]);
        }
      }
      return;
    }
    int stride = tw * c * 2;
    for (int y = 0; y < th; y++) {
      int row = y * stride;
      for (int i = c; i < tw * c; i++) {
        int at = row + 2 * i;
        int prev = at - 2 * c;
        int v = get16(raw, at, little) + get16(raw, prev, little);
        if (little) {
          raw[at] = (byte) v;
          raw[at + 1] = (byte) (v >>> 8);
        } else {
          raw[at] = (byte) (v >>> 8);
          raw[at + 1] = (byte) v;
        }
      }
    }
  }

  private static int get16(byte[] b, int at, boolean little) {
    return little ? (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8)
        : ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  /** The largest decoded tile this reader allocates. */
  private static final long MAX_TILE_BYTES = 256L << 20;

  private static int positive(long v, String what, String path) throws ImageDecodeException {
    if (v <= 0 || v > Integer.MAX_VALUE) {
      throw new ImageDecodeException(path, what + " is " + v + " but must be in 1.."
          + Integer.MAX_VALUE);
    }
    return (int) v;
  }

  private static long one(Map<Integer, long[]> values, int tag, String path)
      throws ImageDecodeException {
    long[] v = values.get(tag);
    if (v == null || v.length == 0) {
      throw new ImageDecodeException(path, "TIFF tag " + tag + " is missing");
    }
    return v[0];
  }

  private static long first(Map<Integer, long[]> values, int tag, long otherwise) {
    long[] v = values.get(tag);
    return v == null || v.length == 0 ? otherwise : v[0];
  }

  private static int typeSize(int type) {
    return switch (type) {
      case 1, 2, 6, 7 -> 1;
      case 3, 8 -> 2;
      case 4, 9, 11 -> 4;
      case 5, 10, 12, 16, 17, 18 -> 8;
      default -> 0;
    };
  }

  private static void readFully(FSDataInputStream in, long at, byte[] b, String path)
      throws IOException {
    try {
      in.readFully(at, b);
    } catch (EOFException e) {
      throw new ImageDecodeException(path, "truncated: " + b.length + " bytes at offset " + at
          + " are past the end of the file", e);
    }
  }
}
