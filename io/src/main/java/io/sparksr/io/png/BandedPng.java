package io.sparksr.io.png;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a PNG file from {@link PngBands.Band}s, front to back in one pass and constant memory (a
 * band's bytes are copied from wherever they are kept). The chunks other than the image data come
 * from a <em>template</em>: a complete PNG of the same colour type and bit depth (any size, e.g.
 * 1&times;1, written by the JDK encoder with the output's metadata: iCCP, pHYs, text, eXIf, XMP),
 * so every chunk the project's one metadata path makes is kept as it is. The template's IHDR gets
 * the real width and height; its chunks before IDAT stay before, those after stay after.
 *
 * <p>The image data: the zlib header (deflate, 32 KiB window, level hint from the bands' level),
 * the bands in row order, a final empty fixed-Huffman block, the Adler-32 of every filtered byte;
 * split into IDAT chunks of at most {@link #IDAT_MAX} bytes.
 */
public final class BandedPng {
  static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  static final int IDAT_MAX = 1 << 18;

  private BandedPng() {}

  /** Copies band {@code i}'s deflated bytes to {@code out}. */
  @FunctionalInterface
  public interface BandBytes {
    void copyTo(int i, OutputStream out) throws IOException;
  }

  /** A band as the writer needs it: where it starts, its checksum, sizes. */
  public record BandInfo(int firstRow, int rows, int adler32, long rawBytes, long deflatedBytes) {
    public static BandInfo of(PngBands.Band b) {
      return new BandInfo(b.firstRow(), b.rows(), b.adler32(), b.rawBytes(), b.deflated().length);
    }
  }

  /** One chunk of the template. */
  record Chunk(String type, byte[] data) {}

  /**
   * Writes the PNG.
   *
   * @param template a PNG whose chunks other than IHDR dimensions, IDAT and IEND are kept
   * @param bands    every band, in row order, covering rows 0..height-1 exactly
   */
  public static void write(OutputStream out, byte[] template, int width, int height,
      List<BandInfo> bands, BandBytes bytes) throws IOException {
    int row = 0;
    for (BandInfo b : bands) {
      if (b.firstRow() != row) {
        throw new IllegalArgumentException("band at row " + b.firstRow() + " but row " + row
            + " is next: bands must cover the rows in order");
      }
      row += b.rows();
    }
    if (row != height) {
      throw new IllegalArgumentException("bands cover " + row + " rows but the image has "
          + height);
    }
    List<Chunk> chunks = chunks(template);
    if (chunks.isEmpty() || !chunks.get(0).type().equals("IHDR")) {
      throw new IllegalArgumentException("template does not start with IHDR");
    }
    out.write(SIGNATURE);
    byte[] ihdr = chunks.get(0).data().clone();
    ByteBuffer.wrap(ihdr).putInt(0, width).putInt(4, height);
    if (ihdr[12] != 0) {
      throw new IllegalArgumentException("template is interlaced");
    }
    writeChunk(out, "IHDR", ihdr, 0, ihdr.length);
    boolean dataWritten = false;
    for (Chunk c : chunks.subList(1, chunks.size())) {
      switch (c.type()) {
        case "IDAT" -> {
          if (!dataWritten) {
            writeData(out, bands, bytes);
            dataWritten = true;
          }
        }
        case "IEND" -> { }
        default -> writeChunk(out, c.type(), c.data(), 0, c.data().length);
      }
    }
    if (!dataWritten) {
      throw new IllegalArgumentException("template has no IDAT");
    }
    writeChunk(out, "IEND", new byte[0], 0, 0);
  }

  private static void writeData(OutputStream out, List<BandInfo> bands, BandBytes bytes)
      throws IOException {
    long data = 2 + 4 + 5;
    for (BandInfo b : bands) {
      data += b.deflatedBytes();
    }
    // the buffer holds one IDAT chunk: no larger than the data (small images are many)
    try (IdatStream idat = new IdatStream(out, (int) Math.min(IDAT_MAX, data))) {
      idat.write(0x78); // CMF: deflate, 32 KiB window
      idat.write(0x01); // FLG: no dictionary, FCHECK so that 0x7801 % 31 == 0
      int adler = 1;
      for (int i = 0; i < bands.size(); i++) {
        bytes.copyTo(i, idat);
        BandInfo b = bands.get(i);
        adler = PngBands.combineAdler32(adler, b.adler32(), b.rawBytes());
      }
      idat.write(0x03); // final fixed-Huffman block holding only end-of-block
      idat.write(0x00);
      idat.write(ByteBuffer.allocate(4).putInt(adler).array());
    }
  }

  /** The chunks of a PNG (signature checked, CRCs not). */
  static List<Chunk> chunks(byte[] png) {
    if (png.length < 8 || !Arrays.equals(Arrays.copyOf(png, 8), SIGNATURE)) {
      throw new IllegalArgumentException("not a PNG");
    }
    List<Chunk> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(png);
    int p = 8;
    while (p + 12 <= png.length) {
      int len = b.getInt(p);
      String type = new String(png, p + 4, 4, StandardCharsets.ISO_8859_1);
      out.add(new Chunk(type, Arrays.copyOfRange(png, p + 8, p + 8 + len)));
      p += 12 + len;
      if (type.equals("IEND")) {
        break;
      }
    }
    return out;
  }

  static void writeChunk(OutputStream out, String type, byte[] data, int off, int len)
      throws IOException {
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data, off, len);
    out.write(ByteBuffer.allocate(8).putInt(len).put(t).array());
    out.write(data, off, len);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** Buffers image data and writes it as IDAT chunks of {@link #IDAT_MAX} bytes. */
  private static final class IdatStream extends OutputStream {
    private final OutputStream out;
    private final byte[] buf;
    private int len;

    IdatStream(OutputStream out, int capacity) {
      this.out = out;
      this.buf = new byte[Math.max(16, capacity)];
    }

    @Override
    public void write(int b) throws IOException {
      if (len == buf.length) {
        flushChunk();
      }
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
      while (n > 0) {
        if (len == buf.length) {
          flushChunk();
        }
        int k = Math.min(n, buf.length - len);
        System.arraycopy(b, off, buf, len, k);
        len += k;
        off += k;
        n -= k;
      }
    }

    private void flushChunk() throws IOException {
      if (len > 0) {
        writeChunk(out, "IDAT", buf, 0, len);
        len = 0;
      }
    }

    @Override
    public void close() throws IOException {
      flushChunk();
    }
  }
}
