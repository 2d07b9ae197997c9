package io.sparksr.io;

import io.sparksr.partitioning.image.ImageTensor;
import java.awt.color.ColorSpace;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import org.w3c.dom.Node;

/**
 * CMYK and YCCK JPEG to RGB. The JDK's JPEG reader offers such files only as a CMYK colour model
 * with no conversion the rest of {@link ImageStore} can use, but {@code readRaster} returns their
 * raw samples: C, M, Y, K (Adobe transform 0 or no Adobe marker) or Y, Cb, Cr, K (Adobe transform
 * 2, YCCK). The conversion, without a colour profile (the JDK ships no CMYK profile):
 * <ol>
 *   <li>YCCK: Y, Cb, Cr to R', G', B' (JFIF, full range), then stored C = 255 - R' (libjpeg's
 *       {@code ycck_cmyk_convert}); K as stored.</li>
 *   <li>With an Adobe APP14 marker the stored values are inverted (Photoshop writes 255 for no
 *       ink): ink = 255 - stored; without one, ink = stored.</li>
 *   <li>R = 255 (1 - c)(1 - k), G = 255 (1 - m)(1 - k), B = 255 (1 - y)(1 - k), inks in [0, 1].</li>
 * </ol>
 */
final class CmykJpeg {
  /** What a CMYK/YCCK JPEG decodes to: 8-bit RGB, no profile. */
  static final PixelFormat FORMAT = PixelFormat.of("jpeg", 3, 8);

  private static final String NATIVE = "javax_imageio_jpeg_image_1.0";

  private CmykJpeg() {}

  /** Whether the decoder offers {@code cm} for a 4-component (CMYK / YCCK) JPEG. */
  static boolean is(String formatName, ColorModel cm) {
    return formatName.equals("jpeg") && cm.getColorSpace().getType() == ColorSpace.TYPE_CMYK
        && cm.getNumComponents() == 4;
  }

  /** The Adobe APP14 transform (0 = CMYK, 1 = YCbCr, 2 = YCCK), or -1 without the marker. */
  static int adobeTransform(ImageReader reader) throws IOException {
    IIOMetadata md = reader.getImageMetadata(0);
    if (md == null || !List.of(md.getMetadataFormatNames()).contains(NATIVE)) {
      return -1;
    }
    for (Node n = md.getAsTree(NATIVE).getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeName().equals("markerSequence")) {
        for (Node m = n.getFirstChild(); m != null; m = m.getNextSibling()) {
          if (m.getNodeName().equals("app14Adobe") && m instanceof IIOMetadataNode a) {
            String t = a.getAttribute("transform");
            return t == null || t.isEmpty() ? 0 : Integer.parseInt(t);
          }
        }
      }
    }
    return -1;
  }

  /** The raw 4-band raster as an RGB tensor in [0, 1]. */
  static ImageTensor toRgb(Raster raw, int adobeTransform) throws IIOException {
    if (raw.getNumBands() != 4) {
      throw new IIOException("CMYK JPEG decoded to " + raw.getNumBands() + " bands, not 4");
    }
    int w = raw.getWidth();
    int h = raw.getHeight();
    int plane = w * h;
    float[] out = new float[3 * plane];
    boolean ycck = adobeTransform == 2;
    boolean inverted = adobeTransform >= 0;
    int[] row = new int[4 * w];
    for (int y = 0; y < h; y++) {
      raw.getPixels(raw.getMinX(), raw.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int i = 4 * x;
        float c = row[i];
        float m = row[i + 1];
        float yl = row[i + 2];
        if (ycck) {
          float luma = row[i];
          float cb = row[i + 1] - 128f;
          float cr = row[i + 2] - 128f;
          c = 255f - clamp(luma + 1.402f * cr);
          m = 255f - clamp(luma - 0.344136f * cb - 0.714136f * cr);
          yl = 255f - clamp(luma + 1.772f * cb);
        }
        float k = row[i + 3];
        if (inverted) {
          c = 255f - c;
          m = 255f - m;
          yl = 255f - yl;
          k = 255f - k;
        }
        float white = 1f - k / 255f;
        int at = y * w + x;
        out[at] = (1f - c / 255f) * white;
        out[plane + at] = (1f - m / 255f) * white;
        out[2 * plane + at] = (1f - yl / 255f) * white;
      }
    }
    return new ImageTensor(3, h, w, out);
  }

  /** libjpeg rounds and clamps each converted sample to 0..255. */
  private static float clamp(float v) {
    return Math.max(0f, Math.min(255f, Math.round(v)));
  }
}
