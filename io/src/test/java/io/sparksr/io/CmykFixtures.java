package io.sparksr.io;

import io.sparksr.partitioning.image.ImageTensor;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * CMYK / YCCK JPEG test inputs with their independently defined RGB, for io's decoder tests and the
 * jobs' hostile-input tests (shared through io's tests jar).
 */
public final class CmykFixtures {
  private CmykFixtures() {}

  /** Ink per pixel, 0..255: C, M, Y, K gradients that cross each other. */
  public static int[][] inks(int w, int h) {
    int[][] ink = new int[w * h][];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        ink[y * w + x] = new int[] {x * 255 / (w - 1), y * 255 / (h - 1), 128, (x + y) * 2};
      }
    }
    return ink;
  }

  /** R = 255 (1 - c)(1 - k) etc., the independent definition of the conversion. */
  public static ImageTensor rgbOfInks(int[][] ink, int w, int h) {
    float[] out = new float[3 * w * h];
    for (int i = 0; i < w * h; i++) {
      double white = 1 - ink[i][3] / 255.0;
      for (int c = 0; c < 3; c++) {
        out[c * w * h + i] = (float) ((1 - ink[i][c] / 255.0) * white);
      }
    }
    return new ImageTensor(3, h, w, out);
  }

  /**
   * A 4-component JPEG of these inks: "plain" stores the inks (no Adobe marker), "adobe" stores
   * 255 - ink with an Adobe APP14 marker (transform 0, Photoshop's convention), "ycck" stores
   * Y, Cb, Cr of (ink C, M, Y) and 255 - ink K with transform 2 (what libjpeg makes of Adobe CMYK).
   */
  public static byte[] cmykJpeg(int[][] ink, int w, int h, String variant) throws Exception {
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int[] k = ink[y * w + x];
        int[] px = switch (variant) {
          case "plain" -> k.clone();
          case "adobe" -> new int[] {255 - k[0], 255 - k[1], 255 - k[2], 255 - k[3]};
          default -> {
            double rr = k[0];
            double gg = k[1];
            double bb = k[2];
            yield new int[] {(int) Math.round(0.299 * rr + 0.587 * gg + 0.114 * bb),
                (int) Math.round(-0.168736 * rr - 0.331264 * gg + 0.5 * bb + 128),
                (int) Math.round(0.5 * rr - 0.418688 * gg - 0.081312 * bb + 128), 255 - k[3]};
          }
        };
        for (int c = 0; c < 4; c++) {
          px[c] = Math.max(0, Math.min(255, px[c]));
        }
        r.setPixel(x, y, px);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(1f);
      writer.write(null, new IIOImage(r, null, null), p);
    } finally {
      writer.dispose();
    }
    byte[] plain = bytes.toByteArray();
    if (variant.equals("plain")) {
      return plain;
    }
    byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0,
        (byte) (variant.equals("ycck") ? 2 : 0)};
    byte[] out = new byte[plain.length + app14.length];
    System.arraycopy(plain, 0, out, 0, 2);
    System.arraycopy(app14, 0, out, 2, app14.length);
    System.arraycopy(plain, 2, out, 2 + app14.length, plain.length - 2);
    return out;
  }
}
