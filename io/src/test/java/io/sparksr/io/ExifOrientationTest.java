package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EXIF orientation from JPEG APP1, PNG eXIf and TIFF tag 274, and the transform that applies it. */
class ExifOrientationTest {

  @TempDir
  Path dir;

  private final ImageStore store = new ImageStore(new Configuration());

  /** A minimal EXIF TIFF structure: IFD0 with one SHORT entry 0x0112 = orientation. */
  static byte[] exifTiff(int orientation, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(8 + 2 + 12 + 4).order(order);
    b.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
    b.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
    b.putShort((short) 42).putInt(8).putShort((short) 1);
    b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation)
        .putShort((short) 0);
    b.putInt(0);
    return b.array();
  }

  /**
   * The JFIF file with an APP1 segment: after its APP0 (JFIF + Exif), or instead of it (an Exif
   * file as cameras write it).
   */
  static byte[] withApp1(byte[] jfif, byte[] payload, boolean keepApp0) {
    assertThat(jfif[2] & 0xff).isEqualTo(0xFF);
    assertThat(jfif[3] & 0xff).isEqualTo(0xE0);
    int app0End = 4 + ((jfif[4] & 0xff) << 8 | (jfif[5] & 0xff));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jfif, 0, keepApp0 ? app0End : 2);
    out.write(0xFF);
    out.write(0xE1);
    int len = payload.length + 2;
    out.write(len >> 8);
    out.write(len & 0xff);
    out.write(payload, 0, payload.length);
    out.write(jfif, app0End, jfif.length - app0End);
    return out.toByteArray();
  }

  @Test
  void jpegApp1OrientationIsRead() throws Exception {
    String plain = dir.resolve("plain.jpg").toString();
    store.write(plain, TestImages.smooth(3, 16, 24), PixelFormat.of("jpeg", 3, 8));
    byte[] jpeg = Files.readAllBytes(Path.of(plain));
    assertThat(store.info(plain).orientation()).isEqualTo(1);
    for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
      for (int o = 1; o <= 8; o++) {
        ByteArrayOutputStream app1 = new ByteArrayOutputStream();
        app1.write("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
        app1.write(exifTiff(o, order));
        for (boolean jfif : new boolean[] {true, false}) {
          Path p = dir.resolve("o" + o + order + jfif + ".jpg");
          Files.write(p, withApp1(jpeg, app1.toByteArray(), jfif));
          ImageInfo info = store.info(p.toString());
          assertThat(info.orientation()).as("%d %s jfif %s", o, order, jfif).isEqualTo(o);
          assertThat(info.width()).isEqualTo(24);
        }
      }
    }
    Path broken = dir.resolve("broken.jpg");
    Files.write(broken, withApp1(jpeg,
        "Exif\0\0XX\0\0garbage".getBytes(StandardCharsets.ISO_8859_1), true));
    assertThat(store.info(broken.toString()).orientation()).isEqualTo(1);
    assertThat(store.read(broken.toString()).tensor().width()).isEqualTo(24);
  }

  @Test
  void pngExifChunkOrientationIsRead() throws Exception {
    String plain = dir.resolve("plain.png").toString();
    store.write(plain, TestImages.random(3, 5, 7, 1), PixelFormat.of("png", 3, 8));
    byte[] png = Files.readAllBytes(Path.of(plain));
    // insert an eXIf chunk right after IHDR (8-byte signature + 25-byte IHDR chunk)
    byte[] body = exifTiff(8, ByteOrder.BIG_ENDIAN);
    ByteBuffer chunk = ByteBuffer.allocate(12 + body.length);
    chunk.putInt(body.length).put("eXIf".getBytes(StandardCharsets.ISO_8859_1)).put(body);
    CRC32 crc = new CRC32();
    crc.update(chunk.array(), 4, 4 + body.length);
    chunk.putInt((int) crc.getValue());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, 33);
    out.write(chunk.array());
    out.write(png, 33, png.length - 33);
    Path p = dir.resolve("exif.png");
    Files.write(p, out.toByteArray());
    assertThat(store.info(p.toString()).orientation()).isEqualTo(8);
    assertThat(store.info(plain).orientation()).isEqualTo(1);
  }

  @Test
  void theTransformOfEachOrientationIsTheExifDisplayRule() {
    int h = 2;
    int w = 3;
    float[] d = new float[h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = i;
    }
    ImageTensor s = new ImageTensor(1, h, w, d);
    for (int o = 1; o <= 8; o++) {
      // the displayed image D defined from the stored S, per the EXIF 2.3 table
      boolean swap = o >= 5;
      int dh = swap ? w : h;
      int dw = swap ? h : w;
      ImageTensor want = ImageTensor.zeros(1, dh, dw);
      for (int y = 0; y < dh; y++) {
        for (int x = 0; x < dw; x++) {
          float v = switch (o) {
            case 1 -> s.get(0, y, x);
            case 2 -> s.get(0, y, w - 1 - x);
            case 3 -> s.get(0, h - 1 - y, w - 1 - x);
            case 4 -> s.get(0, h - 1 - y, x);
            case 5 -> s.get(0, x, y);
            case 6 -> s.get(0, h - 1 - x, y);
            case 7 -> s.get(0, h - 1 - x, w - 1 - y);
            case 8 -> s.get(0, x, w - 1 - y);
            default -> throw new AssertionError();
          };
          want.set(0, y, x, v);
        }
      }
      assertThat(Dihedral.apply(s, ExifOrientation.toDihedral(o))).as("orientation %d", o)
          .isEqualTo(want);
    }
  }
}
