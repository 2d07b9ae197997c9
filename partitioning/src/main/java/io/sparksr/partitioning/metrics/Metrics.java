package io.sparksr.partitioning.metrics;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;

/**
 * PSNR and SSIM with the contract of the SR literature (BasicSR's {@code calculate_psnr/ssim} with
 * {@code test_y_channel=True}). MATLAB scripts that call {@code rgb2ycbcr} on a uint8 image get Y
 * rounded to uint8: two independent roundings add about 1/6 level^2 to the MSE, i.e. ~0.06 dB
 * less at 37.5 dB and ~0.03 dB less at 33.7 dB (10 log10(1 + (1/6) / MSE)); tables made that way
 * are not comparable to that precision:
 * <ul>
 *   <li>both images are first quantised to uint8 (the [0,1] tensor times 255, rounded);</li>
 *   <li>Y = 16 + 65.481 R + 128.553 G + 24.966 B with R, G, B in [0,1], in double, not rounded;
 *       alpha is ignored. A grey image is scored on its grey value itself (0-255), not mapped
 *       to 16 + 219 g: BasicSR and the MATLAB scripts convert only 3-channel images, and that is
 *       what the published tables used (Set14's grey bridge.png is 1.32 dB = 20 log10(255/219)
 *       apart between the two readings; only the unmapped one reproduces the published mean);</li>
 *   <li>{@code border} pixels are cropped from every side (border = scale by convention);</li>
 *   <li>PSNR = 10 log10(255^2 / MSE) in double; identical images give +Infinity;</li>
 *   <li>SSIM: 11x11 Gaussian window (sigma 1.5, normalised), C1 = (0.01*255)^2,
 *       C2 = (0.03*255)^2, 'valid' filtering, mean of the map; identical images give 1.</li>
 * </ul>
 */
public final class Metrics {
  private static final double C1 = Math.pow(0.01 * 255, 2);
  private static final double C2 = Math.pow(0.03 * 255, 2);
  private static final double[] WINDOW = gaussian(11, 1.5);

  private Metrics() {}

  /** PSNR on Y in dB. */
  public static double psnrY(ImageTensor a, ImageTensor b, int border) {
    double[] ya = y(a, border);
    double[] yb = y(b, border);
    double se = 0;
    for (int i = 0; i < ya.length; i++) {
      double d = ya[i] - yb[i];
      se += d * d;
    }
    double mse = se / ya.length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /** SSIM on Y. */
  public static double ssimY(ImageTensor a, ImageTensor b, int border) {
    checkSameSize(a, b);
    int w = a.width() - 2 * border;
    int h = a.height() - 2 * border;
    if (w < 11 || h < 11) {
      throw new IllegalArgumentException("SSIM needs at least 11x11 pixels after cropping "
          + border + " but the image is " + a.width() + "x" + a.height());
    }
    return ssim(y(a, border), y(b, border), w, h);
  }

  /** Both metrics at once. */
  public static Score score(ImageTensor output, ImageTensor reference, int border) {
    return new Score(psnrY(output, reference, border), ssimY(output, reference, border));
  }

  /** A PSNR/SSIM pair. */
  public record Score(double psnr, double ssim) implements java.io.Serializable {}

  /** The Y channel (0-255 scale, double) of the uint8-quantised image, border cropped. */
  static double[] y(ImageTensor t, int border) {
    if (border < 0) {
      throw new IllegalArgumentException("border is " + border + " but must be >= 0");
    }
    int w = t.width() - 2 * border;
    int h = t.height() - 2 * border;
    if (w <= 0 || h <= 0) {
      throw new IllegalArgumentException(
          "border " + border + " leaves nothing of a " + t.width() + "x" + t.height() + " image");
    }
    boolean color = t.channels() >= 3;
    double[] out = new double[w * h];
    for (int yy = 0; yy < h; yy++) {
      for (int xx = 0; xx < w; xx++) {
        int sy = yy + border;
        int sx = xx + border;
        double v;
        if (color) {
          double r = Quantized.quantize(t.get(0, sy, sx), 255) / 255.0;
          double g = Quantized.quantize(t.get(1, sy, sx), 255) / 255.0;
          double b = Quantized.quantize(t.get(2, sy, sx), 255) / 255.0;
          v = 16 + 65.481 * r + 128.553 * g + 24.966 * b;
        } else {
          v = Quantized.quantize(t.get(0, sy, sx), 255);
        }
        out[yy * w + xx] = v;
      }
    }
    return out;
  }

  private static void checkSameSize(ImageTensor a, ImageTensor b) {
    if (a.width() != b.width() || a.height() != b.height()) {
      throw new IllegalArgumentException("images differ in size: " + a.width() + "x" + a.height()
          + " vs " + b.width() + "x" + b.height());
    }
  }

  private static double ssim(double[] a, double[] b, int w, int h) {
    int n = w * h;
    double[] aa = new double[n];
    double[] bb = new double[n];
    double[] ab = new double[n];
    for (int i = 0; i < n; i++) {
      aa[i] = a[i] * a[i];
      bb[i] = b[i] * b[i];
      ab[i] = a[i] * b[i];
    }
    int ow = w - 10;
    int oh = h - 10;
    double[] mu1 = valid(a, w, h);
    double[] mu2 = valid(b, w, h);
    double[] s11 = valid(aa, w, h);
    double[] s22 = valid(bb, w, h);
    double[] s12 = valid(ab, w, h);
    double sum = 0;
    for (int i = 0; i < ow * oh; i++) {
      double m1 = mu1[i];
      double m2 = mu2[i];
      double v1 = s11[i] - m1 * m1;
      double v2 = s22[i] - m2 * m2;
      double cov = s12[i] - m1 * m2;
      sum += ((2 * m1 * m2 + C1) * (2 * cov + C2)) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
    }
    return sum / (ow * oh);
  }

  /** Separable 11x11 Gaussian filter, 'valid' part only: (w-10) x (h-10). */
  private static double[] valid(double[] img, int w, int h) {
    int k = WINDOW.length;
    int ow = w - k + 1;
    int oh = h - k + 1;
    double[] rows = new double[h * ow];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < ow; x++) {
        double acc = 0;
        for (int t = 0; t < k; t++) {
          acc += WINDOW[t] * img[y * w + x + t];
        }
        rows[y * ow + x] = acc;
      }
    }
    double[] out = new double[oh * ow];
    for (int y = 0; y < oh; y++) {
      for (int t = 0; t < k; t++) {
        double wt = WINDOW[t];
        int src = (y + t) * ow;
        int dst = y * ow;
        for (int x = 0; x < ow; x++) {
          out[dst + x] += wt * rows[src + x];
        }
      }
    }
    return out;
  }

  /** OpenCV's getGaussianKernel(size, sigma): exp(-(i - c)^2 / (2 sigma^2)), normalised. */
  static double[] gaussian(int size, double sigma) {
    double[] g = new double[size];
    double c = (size - 1) / 2.0;
    double sum = 0;
    for (int i = 0; i < size; i++) {
      g[i] = Math.exp(-(i - c) * (i - c) / (2 * sigma * sigma));
      sum += g[i];
    }
    for (int i = 0; i < size; i++) {
      g[i] /= sum;
    }
    return g;
  }
}
