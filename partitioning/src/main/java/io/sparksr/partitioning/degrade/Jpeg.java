package io.sparksr.partitioning.degrade;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A real JPEG round trip with the JDK's codec (baseline, YCbCr 4:2:0, the IJG quality scaling of
 * the standard tables): the image is quantised to 8 bits, encoded at a quality 1..100, decoded.
 * Grey images are encoded as one channel.
 */
public final class Jpeg {
  private Jpeg() {}

  /** The encoded bytes of {@code img} (1 or 3 channels in [0,1]) at {@code quality}. */
  public static byte[] encode(ImageTensor img, int quality) {
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("JPEG quality is " + quality + " but must be 1..100");
    }
    int w = img.width();
    int h = img.height();
    boolean grey = img.channels() == 1;
    BufferedImage bi = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY
        : BufferedImage.TYPE_3BYTE_BGR);
    byte[] raster = ((java.awt.image.DataBufferByte) bi.getRaster().getDataBuffer()).getData();
    float[] d = img.data();
    int plane = w * h;
    for (int i = 0; i < plane; i++) {
      if (grey) {
        raster[i] = (byte) Quantized.quantize(d[i], 255);
      } else {
        raster[3 * i] = (byte) Quantized.quantize(d[2 * plane + i], 255);
        raster[3 * i + 1] = (byte) Quantized.quantize(d[plane + i], 255);
        raster[3 * i + 2] = (byte) Quantized.quantize(d[i], 255);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(quality / 100f);
      writer.setOutput(out);
      writer.write(null, new IIOImage(bi, null, null), p);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG encoding in memory failed", e);
    } finally {
      writer.dispose();
    }
  }

  /** {@code img} after a JPEG encode at {@code quality} and a decode. */
  public static ImageTensor roundTrip(ImageTensor img, int quality) {
    byte[] jpeg = encode(img, quality);
    BufferedImage bi;
    try {
      bi = ImageIO.read(new ByteArrayInputStream(jpeg));
    } catch (IOException e) {
      throw new UncheckedIOException("decoding a JPEG made in memory failed", e);
    }
    int w = bi.getWidth();
    int h = bi.getHeight();
    int c = img.channels();
    float[] out = new float[c * w * h];
    java.awt.image.Raster r = bi.getRaster();
    int[] px = new int[r.getNumBands()];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        r.getPixel(x, y, px);
        for (int ch = 0; ch < c; ch++) {
          out[(ch * h + y) * w + x] = px[c == 1 ? 0 : ch] / 255f;
        }
      }
    }
    return new ImageTensor(c, h, w, out);
  }
}
