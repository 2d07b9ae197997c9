package io.sparksr.io;

import io.sparksr.io.metadata.Derivation;
import io.sparksr.io.metadata.MetadataReport;
import io.sparksr.io.metadata.OutputMetadata;
import io.sparksr.io.metadata.SourceMetadata;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import org.apache.hadoop.conf.Configuration;

/**
 * A small writer of tiled TIFF and BigTIFF files assembled from tiles compressed elsewhere (on
 * Spark executors), for images too large to hold: the writer only concatenates tile bytes and
 * writes the directory, in constant memory. The JDK's TIFF plugin can neither write BigTIFF nor
 * compress incompressible tiles with Deflate correctly (../shared/stack.md), hence this class.
 *
 * <p><b>What is written</b> (little-endian, one image, TIFF 6.0 + Adobe Deflate + BigTIFF):
 * ImageWidth, ImageLength, BitsPerSample (8 or 16), Compression (1 none or 8 Deflate),
 * PhotometricInterpretation (1 grey, 2 RGB), Orientation (only when not 1), SamplesPerPixel (1-4),
 * PlanarConfiguration 1 (chunky), Predictor 2 (horizontal differencing; Deflate at 8 bits only,
 * which is what the JDK reader decodes), TileWidth, TileLength, TileOffsets, TileByteCounts,
 * ExtraSamples 2 (unassociated alpha) with 2 or 4 channels, and the ICC profile (tag 34675). The
 * directory comes right after the header, tile data after it in row-major tile order, so a file is
 * written front to back in one pass (any Hadoop file system) once the byte count of every tile is
 * known. A file is BigTIFF when its size would exceed the 4 GiB of classic TIFF offsets (or when
 * asked). Tiles at the right and bottom edges are full tiles whose pixels outside the image are
 * zero (TIFF 6.0 section 15). With a {@link SourceMetadata} and/or {@link Derivation}
 * ({@link #write(Configuration, String, Layout, long[], TileSource, boolean, SourceMetadata,
 * Derivation)}) the directory also holds the entries {@link OutputMetadata#tiffEntries()} gives:
 * descriptive ASCII tags, X/YResolution + ResolutionUnit, XMP (700) with the provenance, IPTC
 * (33723), the source's other EXIF IFD0 tags, and its EXIF, GPS and Interoperability IFDs as
 * sub-directories written after the main directory's values, all in tag order.
 *
 * <p>Samples are quantised as {@link Quantized#quantize} (round(clamp(v) * max)), the rule of every
 * other writer, so a tiled output holds the same samples a PNG of the same tensor would.
 */
public final class TiledTiff {
  /** Classic TIFF offsets are 32-bit: at most this many bytes. */
  public static final long CLASSIC_LIMIT = 0xFFFF_FFFFL;

  static final int COMPRESSION_NONE = 1;
  static final int COMPRESSION_DEFLATE = 8;
  static final int TAG_ICC = 34675;

  private TiledTiff() {}

  /**
   * The shape of a tiled image.
   *
   * @param width       image width
   * @param height      image height
   * @param tileSize    tile width and height, a positive multiple of 16 (TIFF 6.0)
   * @param channels    1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
   * @param bitDepth    8 or 16
   * @param deflate     Deflate (with the horizontal predictor at 8 bits) or no compression
   * @param iccProfile  embedded as tag 34675, or null
   * @param orientation TIFF/EXIF orientation 1..8 (written when not 1)
   */
  public record Layout(int width, int height, int tileSize, int channels, int bitDepth,
      boolean deflate, byte[] iccProfile, int orientation) implements Serializable {

    public Layout {
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException("image is " + width + "x" + height + " but must be > 0");
      }
      if (tileSize <= 0 || tileSize % 16 != 0) {
        throw new IllegalArgumentException(
            "TIFF tile size is " + tileSize + " but must be a positive multiple of 16");
      }
      if (channels < 1 || channels > 4) {
        throw new IllegalArgumentException("'channels' is " + channels + " but must be in 1..4");
      }
      if (bitDepth != 8 && bitDepth != 16) {
        throw new IllegalArgumentException("'bitDepth' is " + bitDepth + " but must be 8 or 16");
      }
      if (orientation < 1 || orientation > 8) {
        throw new IllegalArgumentException(
            "'orientation' is " + orientation + " but must be in 1..8");
      }
      iccProfile = iccProfile == null ? null : iccProfile.clone();
    }

    public int tilesAcross() {
      return (int) (((long) width + tileSize - 1) / tileSize);
    }

    public int tilesDown() {
      return (int) (((long) height + tileSize - 1) / tileSize);
    }

    public int tileCount() {
      return tilesAcross() * tilesDown();
    }

    /** Bytes of one uncompressed tile. */
    public long rawTileBytes() {
      return (long) tileSize * tileSize * channels * (bitDepth / 8);
    }

    boolean predictor() {
      return deflate && bitDepth == 8;
    }

    @Override
    public byte[] iccProfile() {
      return iccProfile == null ? null : iccProfile.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Layout l && width == l.width && height == l.height
          && tileSize == l.tileSize && channels == l.channels && bitDepth == l.bitDepth
          && deflate == l.deflate && orientation == l.orientation
          && Arrays.equals(iccProfile, l.iccProfile);
    }

    @Override
    public int hashCode() {
      return ((((width * 31 + height) * 31 + tileSize) * 31 + channels) * 31 + bitDepth) * 31
          + orientation + Arrays.hashCode(iccProfile);
    }
  }

  /** Supplies the stored bytes of each tile, in the order asked. */
  @FunctionalInterface
  public interface TileSource {
    /** Writes exactly the bytes counted for tile {@code index} to {@code out}. */
    void copyTo(int index, OutputStream out) throws IOException;
  }

  /**
   * Encodes one tile as stored in the file: samples interleaved row by row, little-endian at 16
   * bits, the tile's part outside the image zero, then the predictor and Deflate (if the layout
   * says so).
   *
   * @param pixels the image pixels of the tile, {@code min(tileSize, rest of the image)} in each
   *               dimension, channels as the layout
   */
  public static byte[] encodeTile(Layout layout, ImageTensor pixels) {
    int t = layout.tileSize();
    int c = layout.channels();
    if (pixels.channels() != c) {
      throw new IllegalArgumentException("tile has " + pixels.channels() + " channels but the "
          + "layout has " + c);
    }
    if (pixels.width() > t || pixels.height() > t) {
      throw new IllegalArgumentException("tile pixels are " + pixels.width() + "x"
          + pixels.height() + " but the tile size is " + t);
    }
    int bytes = layout.bitDepth() / 8;
    byte[] raw = new byte[t * t * c * bytes];
    int w = pixels.width();
    int plane = pixels.planeSize();
    float[] d = pixels.data();
    int max = layout.bitDepth() == 8 ? 255 : 65535;
    for (int y = 0; y < pixels.height(); y++) {
      int row = y * t * c * bytes;
      for (int ch = 0; ch < c; ch++) {
        int src = ch * plane + y * w;
        if (bytes == 1) {
          for (int x = 0; x < w; x++) {
            raw[row + x * c + ch] = (byte) Quantized.quantize(d[src + x], max);
          }
        } else {
          for (int x = 0; x < w; x++) {
            int q = Quantized.quantize(d[src + x], max);
            int at = row + (x * c + ch) * 2;
            raw[at] = (byte) q;
            raw[at + 1] = (byte) (q >>> 8);
          }
        }
      }
    }
    if (layout.predictor()) {
      int stride = t * c;
      for (int y = 0; y < t; y++) {
        int row = y * stride;
        for (int i = stride - 1; i >= c; i--) {
          raw[row + i] = (byte) (raw[row + i] - raw[row + i - c]);
        }
      }
    }
    return layout.deflate() ? deflate(raw) : raw;
  }

  private static byte[] deflate(byte[] raw) {
    // BEST_SPEED: on 2 cores, level 6 was the bottleneck of bicubic gigapixel runs
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
      byte[] buf = new byte[1 << 16];
      while (!deflater.finished()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  /** Whether the TIFF file at {@code path} is a BigTIFF (version 43 in its header). */
  public static boolean isBigTiff(Configuration conf, String path) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    try (java.io.InputStream in = AtomicFiles.fileSystem(conf, p).open(p)) {
      byte[] h = in.readNBytes(4);
      if (h.length < 4) {
        throw new IOException(path + " is too short for a TIFF header");
      }
      int version = h[0] == 'I' ? (h[2] & 0xff) | (h[3] & 0xff) << 8
          : (h[2] & 0xff) << 8 | (h[3] & 0xff);
      return version == 43;
    }
  }

  public static boolean needsBigTiff(Layout layout, long[] tileByteCounts) {
    return needsBigTiff(layout, tileByteCounts, 0);
  }

  private static boolean needsBigTiff(Layout layout, long[] tileByteCounts, long metadataBytes) {
    long size = directorySize(layout, false) + 8 + metadataBytes;
    for (long n : tileByteCounts) {
      size += n;
    }
    return size > CLASSIC_LIMIT;
  }

  /**
   * Writes {@code path} atomically ({@link AtomicFiles}): header, directory, then every tile's
   * bytes from {@code source} in row-major order. Memory use does not depend on the image size
   * (beyond the two offset arrays).
   *
   * @param tileByteCounts stored bytes of each tile, in tile order
   * @param bigTiff        write BigTIFF even when classic TIFF would do
   * @return whether the file is BigTIFF
   */
  public static boolean write(Configuration conf, String path, Layout layout,
      long[] tileByteCounts, TileSource source, boolean bigTiff) throws IOException {
    return write(conf, path, layout, tileByteCounts, source, bigTiff, List.of());
  }

  /**
   * {@link #write(Configuration, String, Layout, long[], TileSource, boolean)} with the source's
   * metadata and the provenance in the directory. The file is BigTIFF when {@code bigTiff} or
   * {@link #needsBigTiff} says so.
   *
   * @param metadata   the source's metadata, or null
   * @param derivation the provenance (and the resolution's scale), or null
   * @return what happened to each metadata kind
   */
  public static MetadataReport write(Configuration conf, String path, Layout layout,
      long[] tileByteCounts, TileSource source, boolean bigTiff, SourceMetadata metadata,
      Derivation derivation) throws IOException {
    OutputMetadata meta = OutputMetadata.of(metadata, derivation, "tiff", layout.width(),
        layout.height());
    if (meta == null) {
      write(conf, path, layout, tileByteCounts, source, bigTiff);
      return MetadataReport.none();
    }
    meta.storedWithOrientation(layout.orientation());
    meta.icc(layout.iccProfile != null);
    List<Entry> extra = new ArrayList<>();
    for (OutputMetadata.TiffEntry t : meta.tiffEntries()) {
      extra.add(entry(t));
    }
    write(conf, path, layout, tileByteCounts, source, bigTiff, extra);
    return meta.report();
  }

  private static boolean write(Configuration conf, String path, Layout layout,
      long[] tileByteCounts, TileSource source, boolean bigTiff, List<Entry> extra)
      throws IOException {
    if (tileByteCounts.length != layout.tileCount()) {
      throw new IllegalArgumentException("'tileByteCounts' has " + tileByteCounts.length
          + " entries but the layout has " + layout.tileCount() + " tiles");
    }
    long metadataBytes = blockSize(extra, true);
    boolean big = bigTiff || needsBigTiff(layout, tileByteCounts)
        || needsBigTiff(layout, tileByteCounts, metadataBytes);
    byte[] head = header(layout, tileByteCounts, big, extra);
    try {
      AtomicFiles.write(conf, path, (fs, tmp) -> {
        try (OutputStream out = new BufferedOutputStream(AtomicFiles.create(fs, tmp), 1 << 20)) {
          out.write(head);
          for (int i = 0; i < tileByteCounts.length; i++) {
            CountingStream counting = new CountingStream(out);
            source.copyTo(i, counting);
            if (counting.count != tileByteCounts[i]) {
              throw new IOException("tile " + i + " has " + counting.count + " bytes but "
                  + tileByteCounts[i] + " were announced");
            }
          }
        }
      });
    } catch (IOException e) {
      throw new ImageEncodeException(path, ImageStore.reason(e), e);
    }
    return big;
  }

  /** Bytes from the start of the file to the first tile: header, directory and its values. */
  static long directorySize(Layout layout, boolean big) {
    return header(layout, new long[layout.tileCount()], big).length;
  }

  private static final class CountingStream extends OutputStream {
    private final OutputStream out;
    long count;

    CountingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The directory

  /** A directory entry; {@code children} (else null) are a sub-directory's entries (EXIF, GPS). */
  private record Entry(int tag, int type, long count, byte[] value, List<Entry> children) {
    Entry(int tag, int type, long count, byte[] value) {
      this(tag, type, count, value, null);
    }
  }

  private static final int SHORT = 3;
  private static final int LONG = 4;
  private static final int UNDEFINED = 7;
  private static final int LONG8 = 16;
  private static final int IFD8 = 18;

  /** A metadata entry (already little-endian); a sub-directory keeps its entries. */
  private static Entry entry(OutputMetadata.TiffEntry t) {
    return new Entry(t.tag(), t.type(), t.count(), t.value(),
        t.isIfd() ? t.children().stream().map(TiledTiff::entry).toList() : null);
  }

  /** Header + IFD + out-of-line values, padded to an even length; tile data follows. */
  static byte[] header(Layout l, long[] counts, boolean big) {
    return header(l, counts, big, List.of());
  }

  private static byte[] header(Layout l, long[] counts, boolean big, List<Entry> metadata) {
    int spp = l.channels();
    int n = l.tileCount();
    List<Entry> e = new ArrayList<>();
    e.add(new Entry(256, LONG, 1, le32(l.width())));
    e.add(new Entry(257, LONG, 1, le32(l.height())));
    short[] bps = new short[spp];
    Arrays.fill(bps, (short) l.bitDepth());
    e.add(new Entry(258, SHORT, spp, le16(bps)));
    e.add(new Entry(259, SHORT, 1, le16(new short[] {(short) (l.deflate() ? COMPRESSION_DEFLATE
        : COMPRESSION_NONE)})));
    e.add(new Entry(262, SHORT, 1, le16(new short[] {(short) (spp <= 2 ? 1 : 2)})));
    if (l.orientation() != 1) {
      e.add(new Entry(274, SHORT, 1, le16(new short[] {(short) l.orientation()})));
    }
    e.add(new Entry(277, SHORT, 1, le16(new short[] {(short) spp})));
    e.add(new Entry(284, SHORT, 1, le16(new short[] {1})));
    if (l.predictor()) {
      e.add(new Entry(317, SHORT, 1, le16(new short[] {2})));
    }
    e.add(new Entry(322, LONG, 1, le32(l.tileSize())));
    e.add(new Entry(323, LONG, 1, le32(l.tileSize())));
    // TileOffsets: a placeholder of the right length, filled once the data position is known
    e.add(new Entry(324, big ? LONG8 : LONG, n, new byte[n * (big ? 8 : 4)]));
    ByteBuffer bc = ByteBuffer.allocate(n * (big ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (long c : counts) {
      if (big) {
        bc.putLong(c);
      } else {
        bc.putInt((int) c);
      }
    }
    e.add(new Entry(325, big ? LONG8 : LONG, n, bc.array()));
    if (spp == 2 || spp == 4) {
      e.add(new Entry(338, SHORT, 1, le16(new short[] {2})));
    }
    if (l.iccProfile != null) {
      e.add(new Entry(TAG_ICC, UNDEFINED, l.iccProfile.length, l.iccProfile));
    }
    for (Entry x : metadata) {
      e.removeIf(old -> old.tag() == x.tag());
      e.add(x);
    }
    e.sort(java.util.Comparator.comparingInt(Entry::tag)); // TIFF 6.0: ascending tags
    int offsetsIndex = 0;
    while (e.get(offsetsIndex).tag() != 324) {
      offsetsIndex++;
    }
    long ifdStart = big ? 16 : 8;
    long dataStart = ifdStart + blockSize(e, big);
    dataStart += dataStart & 1;
    ByteBuffer offs = ByteBuffer.allocate(n * (big ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
    long at = dataStart;
    for (long c : counts) {
      if (big) {
        offs.putLong(at);
      } else {
        offs.putInt((int) at);
      }
      at += c;
    }
    e.set(offsetsIndex, new Entry(324, big ? LONG8 : LONG, n, offs.array()));

    ByteBuffer out = ByteBuffer.allocate((int) dataStart).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 'I').put((byte) 'I');
    if (big) {
      out.putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(ifdStart);
    } else {
      out.putShort((short) 42).putInt((int) ifdStart);
    }
    writeBlock(out, e, big);
    return out.array(); // trailing pad byte (if any) is zero
  }

  /** Bytes of a directory block: the IFD, its out-of-line values, its sub-directories' blocks. */
  private static long blockSize(List<Entry> e, boolean big) {
    int inline = big ? 8 : 4;
    long size = (big ? 8 : 2) + (long) e.size() * (big ? 20 : 12) + (big ? 8 : 4);
    for (Entry x : e) {
      if (x.children() != null) {
        size += blockSize(x.children(), big);
      } else if (x.value().length > inline) {
        size += x.value().length + (x.value().length & 1);
      }
    }
    return size;
  }

  /**
   * Writes a directory block at the buffer's position (= the file offset): the IFD (next-IFD
   * offset 0), every value longer than the inline slot in entry order (each padded to an even
   * length), then each sub-directory's block, pointed to by its entry (LONG, or IFD8 in BigTIFF).
   */
  private static void writeBlock(ByteBuffer out, List<Entry> e, boolean big) {
    int inline = big ? 8 : 4;
    long ifdSize = (big ? 8 : 2) + (long) e.size() * (big ? 20 : 12) + (big ? 8 : 4);
    long valuePos = out.position() + ifdSize;
    long childPos = valuePos;
    for (Entry x : e) {
      if (x.children() == null && x.value().length > inline) {
        childPos += x.value().length + (x.value().length & 1);
      }
    }
    if (big) {
      out.putLong(e.size());
    } else {
      out.putShort((short) e.size());
    }
    for (Entry en : e) {
      boolean sub = en.children() != null;
      out.putShort((short) en.tag()).putShort((short) (sub ? (big ? IFD8 : LONG) : en.type()));
      if (big) {
        out.putLong(en.count());
      } else {
        out.putInt((int) en.count());
      }
      if (sub) {
        if (big) {
          out.putLong(childPos);
        } else {
          out.putInt((int) childPos);
        }
        childPos += blockSize(en.children(), big);
      } else if (en.value().length <= inline) {
        byte[] slot = new byte[inline];
        System.arraycopy(en.value(), 0, slot, 0, en.value().length);
        out.put(slot);
      } else {
        if (big) {
          out.putLong(valuePos);
        } else {
          out.putInt((int) valuePos);
        }
        valuePos += en.value().length + (en.value().length & 1);
      }
    }
    if (big) {
      out.putLong(0);
    } else {
      out.putInt(0);
    }
    for (Entry en : e) {
      if (en.children() == null && en.value().length > inline) {
        out.put(en.value());
        if ((en.value().length & 1) == 1) {
          out.put((byte) 0);
        }
      }
    }
    for (Entry en : e) {
      if (en.children() != null) {
        writeBlock(out, en.children(), big);
      }
    }
  }

  private static byte[] le32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  private static byte[] le16(short[] v) {
    ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (short s : v) {
      b.putShort(s);
    }
    return b.array();
  }
}
