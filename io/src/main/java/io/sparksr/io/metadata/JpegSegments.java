package io.sparksr.io.metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.IntPredicate;

/** Inserts a marker segment among the APPn segments that follow a JPEG's SOI. */
final class JpegSegments {
  /** The largest payload of one JPEG marker segment (65,535 minus the 2 length bytes). */
  static final int SEGMENT_MAX = 65_533;

  private JpegSegments() {}

  /**
   * {@code jpeg} with a segment {@code marker} (0xE0..0xEF) holding {@code payload}, put after
   * the leading APPn segments whose marker {@code after} accepts; leading APPn segments that
   * {@code drop} accepts are left out (an older copy of what is inserted).
   */
  static byte[] insert(byte[] jpeg, int marker, byte[] payload, IntPredicate after,
      IntPredicate drop) throws IOException {
    if (payload.length > SEGMENT_MAX) {
      throw new IOException("a segment of " + payload.length + " bytes is more than one JPEG "
          + "segment holds (" + SEGMENT_MAX + ")");
    }
    if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
      throw new IOException("not a JPEG stream");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + payload.length + 4);
    out.write(jpeg, 0, 2);
    int p = 2;
    boolean inserted = false;
    while (p + 4 <= jpeg.length && (jpeg[p] & 0xFF) == 0xFF) {
      int m = jpeg[p + 1] & 0xFF;
      if (m < 0xE0 || m > 0xEF) {
        break;
      }
      int length = (jpeg[p + 2] & 0xFF) << 8 | (jpeg[p + 3] & 0xFF);
      if (p + 2 + length > jpeg.length) {
        throw new IOException("JPEG segment at byte " + p + " is cut");
      }
      if (!inserted && !after.test(m)) {
        segment(out, marker, payload);
        inserted = true;
      }
      if (!drop.test(m)) {
        out.write(jpeg, p, 2 + length);
      }
      p += 2 + length;
    }
    if (!inserted) {
      segment(out, marker, payload);
    }
    out.write(jpeg, p, jpeg.length - p);
    return out.toByteArray();
  }

  private static void segment(ByteArrayOutputStream out, int marker, byte[] payload) {
    out.write(0xFF);
    out.write(marker);
    out.write((payload.length + 2) >>> 8);
    out.write((payload.length + 2) & 0xFF);
    out.writeBytes(payload);
  }
}
