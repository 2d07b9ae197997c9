package io.sparksr.io;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import javax.imageio.IIOException;

/**
 * Conversions between decoded rasters and {@link ImageTensor}s. The code path is chosen once per
 * band (palette, byte/ushort backing array, or generic sample rows); the pixel loops themselves are
 * plain array loops.
 */
final class Pixels {

  private Pixels() {
  }

  /** The format a colour model decodes to; an {@link IIOException} names what is unsupported. */
  static PixelFormat describe(String formatName, ColorModel cm, byte[] iccProfile)
      throws IIOException {
    if (cm instanceof IndexColorModel icm) {
      boolean gray = isGrayPalette(icm);
      int channels = (gray ? 1 : 3) + (icm.hasAlpha() ? 1 : 0);
      return new PixelFormat(formatName, channels, 8, icm.hasAlpha(), !gray, iccProfile);
    }
    int colours = switch (cm.getColorSpace().getType()) {
      case ColorSpace.TYPE_GRAY -> 1;
      case ColorSpace.TYPE_RGB -> 3;
      case ColorSpace.TYPE_CMYK ->
          throw new IIOException("CMYK images are not supported (only grey and RGB)");
      case ColorSpace.TYPE_YCbCr ->
          throw new IIOException("YCbCr pixels are not supported (only grey and RGB)");
      default -> throw new IIOException("colour space type " + cm.getColorSpace().getType()
          + " is not supported (only grey and RGB)");
    };
    int channels = colours + (cm.hasAlpha() ? 1 : 0);
    if (cm.getNumComponents() != channels) {
      throw new IIOException(cm.getNumComponents() + " samples per pixel are not supported ("
          + channels + " expected: grey or RGB, optionally with alpha)");
    }
    int transfer = cm.getTransferType();
    if (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT
        && transfer != DataBuffer.TYPE_INT) {
      throw new IIOException("sample data type " + dataTypeName(transfer)
          + " is not supported (only unsigned integers of up to 16 bits)");
    }
    int bits = 0;
    for (int b = 0; b < channels; b++) {
      bits = Math.max(bits, cm.getComponentSize(b));
    }
    if (bits > 16) {
      throw new IIOException(bits + "-bit samples are not supported (at most 16)");
    }
    return new PixelFormat(formatName, channels, bits > 8 ? 16 : 8, cm.hasAlpha(), false,
        iccProfile);
  }

  /** Samples of {@code raster} (interpreted by {@code cm}) as a CHW tensor in [0, 1]. */
  static ImageTensor toTensor(Raster raster, ColorModel cm, int channels) throws IIOException {
    int w = raster.getWidth();
    int h = raster.getHeight();
    float[] out = new float[channels * w * h];
    if (cm instanceof IndexColorModel icm) {
      fromPalette(raster, icm, channels, out);
    } else {
      if (raster.getNumBands() != channels) {
        throw new IIOException(raster.getNumBands() + " bands do not match " + channels + " channels");
      }
      for (int b = 0; b < channels; b++) {
        float max = (1 << cm.getComponentSize(b)) - 1;
        if (!fromBackingArray(raster, b, max, out)) {
          fromSamples(raster, b, max, out);
        }
      }
      if (cm.hasAlpha() && cm.isAlphaPremultiplied()) {
        unpremultiply(out, channels, w * h);
      }
    }
    return new ImageTensor(channels, h, w, out);
  }

  /**
   * An image holding {@code round(v * max)} clamped to {@code [0, max]} for every sample, with
   * {@code max} 255 or 65535. Interleaved R, G, B(, A) or Y(, A) samples in colour space {@code cs}.
   */
  static BufferedImage toImage(ImageTensor t, boolean sixteenBit, ColorSpace cs) {
    int c = t.channels();
    int w = t.width();
    int plane = t.planeSize();
    boolean alpha = PixelFormat.hasAlpha(c);
    int dataType = sixteenBit ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE;
    int[] offsets = new int[c];
    for (int i = 0; i < c; i++) {
      offsets[i] = i;
    }
    WritableRaster raster =
        Raster.createInterleavedRaster(dataType, w, t.height(), w * c, c, offsets, null);
    float[] src = t.data();
    if (sixteenBit) {
      short[] dst = ((DataBufferUShort) raster.getDataBuffer()).getData();
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0, s = ch * plane, d = ch; p < plane; p++, s++, d += c) {
          dst[d] = (short) quantize(src[s], 65535);
        }
      }
    } else {
      byte[] dst = ((DataBufferByte) raster.getDataBuffer()).getData();
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0, s = ch * plane, d = ch; p < plane; p++, s++, d += c) {
          dst[d] = (byte) quantize(src[s], 255);
        }
      }
    }
    ColorModel cm = new ComponentColorModel(cs, alpha, false,
        alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, dataType);
    return new BufferedImage(cm, raster, false, null);
  }

  /**
   * An interleaved image from planar quantised samples. From 16-bit samples to an 8-bit image each
   * sample goes through the float path's rule (round(s / 65535 * 255)), so the result equals
   * {@code toImage(samples.toTensor(), ...)}.
   */
  static BufferedImage toImage(Quantized q, boolean sixteenBit, ColorSpace cs) {
    int c = q.channels();
    int w = q.width();
    int plane = q.height() * w;
    boolean alpha = PixelFormat.hasAlpha(c);
    if (sixteenBit && q.bitDepth() != 16) {
      throw new IllegalArgumentException("8-bit samples cannot make a 16-bit image");
    }
    int dataType = sixteenBit ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE;
    int[] offsets = new int[c];
    for (int i = 0; i < c; i++) {
      offsets[i] = i;
    }
    WritableRaster raster =
        Raster.createInterleavedRaster(dataType, w, q.height(), w * c, c, offsets, null);
    byte[] src = q.samples();
    if (sixteenBit) {
      short[] dst = ((DataBufferUShort) raster.getDataBuffer()).getData();
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0, s = ch * plane, d = ch; p < plane; p++, s++, d += c) {
          dst[d] = (short) (((src[2 * s] & 0xff) << 8) | (src[2 * s + 1] & 0xff));
        }
      }
    } else {
      byte[] dst = ((DataBufferByte) raster.getDataBuffer()).getData();
      boolean from16 = q.bitDepth() == 16;
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0, s = ch * plane, d = ch; p < plane; p++, s++, d += c) {
          dst[d] = from16
              ? (byte) quantize((((src[2 * s] & 0xff) << 8) | (src[2 * s + 1] & 0xff)) / 65535f,
                  255)
              : src[s];
        }
      }
    }
    ColorModel cm = new ComponentColorModel(cs, alpha, false,
        alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, dataType);
    return new BufferedImage(cm, raster, false, null);
  }

  /**
   * {@code round(v * max)} clamped to {@code [0, max]}; NaN gives 0: the one rule of
   * {@link io.sparksr.partitioning.image.Quantized#quantize} (the stitched outputs use it too).
   */
  static int quantize(float v, int max) {
    return io.sparksr.partitioning.image.Quantized.quantize(v, max);
  }

  private static void fromPalette(Raster raster, IndexColorModel icm, int channels, float[] out) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int plane = w * h;
    int size = Math.max(icm.getMapSize(), 1 << Math.min(16, raster.getSampleModel().getSampleSize(0)));
    float[][] lut = new float[channels][size];
    boolean gray = channels <= 2;
    for (int i = 0; i < icm.getMapSize(); i++) {
      lut[0][i] = icm.getRed(i) / 255f;
      if (!gray) {
        lut[1][i] = icm.getGreen(i) / 255f;
        lut[2][i] = icm.getBlue(i) / 255f;
      }
      if (PixelFormat.hasAlpha(channels)) {
        lut[channels - 1][i] = icm.getAlpha(i) / 255f;
      }
    }
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
      for (int c = 0; c < channels; c++) {
        float[] l = lut[c];
        int o = c * plane + y * w;
        for (int x = 0; x < w; x++) {
          out[o + x] = l[row[x]];
        }
      }
    }
  }

  /** Fast path for interleaved or banded byte / ushort rasters; false when it does not apply. */
  private static boolean fromBackingArray(Raster raster, int band, float max, float[] out) {
    if (!(raster.getSampleModel() instanceof ComponentSampleModel sm)) {
      return false;
    }
    DataBuffer db = raster.getDataBuffer();
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bank = sm.getBankIndices()[band];
    int ps = sm.getPixelStride();
    int ss = sm.getScanlineStride();
    int x0 = raster.getMinX() - raster.getSampleModelTranslateX();
    int y0 = raster.getMinY() - raster.getSampleModelTranslateY();
    int base = db.getOffsets()[bank] + y0 * ss + x0 * ps + sm.getBandOffsets()[band];
    int o = band * w * h;
    if (db instanceof DataBufferByte bytes) {
      byte[] src = bytes.getData(bank);
      for (int y = 0; y < h; y++) {
        for (int x = 0, i = base + y * ss; x < w; x++, i += ps) {
          out[o++] = (src[i] & 0xff) / max;
        }
      }
      return true;
    }
    if (db instanceof DataBufferUShort shorts) {
      short[] src = shorts.getData(bank);
      for (int y = 0; y < h; y++) {
        for (int x = 0, i = base + y * ss; x < w; x++, i += ps) {
          out[o++] = (src[i] & 0xffff) / max;
        }
      }
      return true;
    }
    return false;
  }

  /** Any other sample model (packed pixels, int buffers): one row of one band at a time. */
  private static void fromSamples(Raster raster, int band, float max, float[] out) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int[] row = new int[w];
    int o = band * w * h;
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, band, row);
      for (int x = 0; x < w; x++) {
        out[o++] = row[x] / max;
      }
    }
  }

  private static void unpremultiply(float[] out, int channels, int plane) {
    int a0 = (channels - 1) * plane;
    for (int c = 0; c < channels - 1; c++) {
      for (int p = 0, i = c * plane; p < plane; p++, i++) {
        float a = out[a0 + p];
        out[i] = a > 0f ? Math.min(1f, out[i] / a) : 0f;
      }
    }
  }

  private static boolean isGrayPalette(IndexColorModel icm) {
    for (int i = 0; i < icm.getMapSize(); i++) {
      int r = icm.getRed(i);
      if (r != icm.getGreen(i) || r != icm.getBlue(i)) {
        return false;
      }
    }
    return true;
  }

  private static String dataTypeName(int type) {
    return switch (type) {
      case DataBuffer.TYPE_SHORT -> "signed 16-bit";
      case DataBuffer.TYPE_FLOAT -> "32-bit float";
      case DataBuffer.TYPE_DOUBLE -> "64-bit float";
      default -> "type " + type;
    };
  }
}
