package io.sparksr.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Hostile files made byte by byte (decompression bombs: a header that claims a huge image over a
 * few bytes of data), for io's hostile-input and fuzz tests and the job tests (io's tests jar).
 */
public final class HostileBytes {
  private HostileBytes() {}


  /** A PNG of the given header size: IHDR, one tiny IDAT (a few zero rows), IEND. */
  public static byte[] pngHeaderOnly(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    Deflater d = new Deflater();
    d.setInput(new byte[4096]);
    d.finish();
    byte[] buf = new byte[8192];
    int n = d.deflate(buf);
    d.end();
    chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** A little-endian grey TIFF with one 16-byte strip whose header claims width x height. */
  public static byte[] tiffHeaderOnly(int width, int height) {
    int entries = 9;
    int dataAt = 8 + 2 + entries * 12 + 4;
    ByteBuffer b = ByteBuffer.allocate(dataAt + 16).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
    b.putShort((short) entries);
    tiffEntry(b, 256, 4, width);
    tiffEntry(b, 257, 4, height);
    tiffEntry(b, 258, 3, 8);
    tiffEntry(b, 259, 3, 1);
    tiffEntry(b, 262, 3, 1);
    tiffEntry(b, 273, 4, dataAt);
    tiffEntry(b, 277, 3, 1);
    tiffEntry(b, 278, 4, height);
    tiffEntry(b, 279, 4, 16);
    b.putInt(0);
    return b.array();
  }

  private static void tiffEntry(ByteBuffer b, int tag, int type, int value) {
    b.putShort((short) tag).putShort((short) type).putInt(1);
    if (type == 3) {
      b.putShort((short) value).putShort((short) 0);
    } else {
      b.putInt(value);
    }
  }
}
