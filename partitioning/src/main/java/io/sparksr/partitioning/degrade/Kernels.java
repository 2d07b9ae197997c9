package io.sparksr.partitioning.degrade;

import io.sparksr.partitioning.image.ImageTensor;
import java.util.List;

/**
 * Blur kernels of the degradation chain (Real-ESRGAN's families, by their definitions): with
 * d = (x, y) the tap offset and M the inverse covariance of the rotated (sigma_x, sigma_y)
 * Gaussian, q = d' M d:
 * <ul>
 *   <li>Gaussian: exp(-q / 2) ({@code iso}: sigma_x = sigma_y, no rotation; {@code aniso});</li>
 *   <li>generalized Gaussian: exp(-(q / 2)^beta) ... written exp(-0.5 q^beta) as in BasicSR;</li>
 *   <li>plateau: 1 / (1 + q^beta).</li>
 * </ul>
 * Every kernel is normalised to sum 1. Convolution reads the image mirrored at its borders
 * (reflect, without repeating the edge pixel).
 */
public final class Kernels {
  /** The families a preset may name. */
  public static final List<String> FAMILIES = List.of("iso", "aniso", "generalized_iso",
      "generalized_aniso", "plateau_iso", "plateau_aniso");

  private Kernels() {}

  /**
   * The kernel, {@code size x size} (odd), row-major.
   *
   * @param theta rotation in radians (ignored by isotropic families)
   * @param beta  shape (ignored by Gaussian families)
   */
  public static double[] kernel(String family, int size, double sigmaX, double sigmaY,
      double theta, double beta) {
    if (size % 2 == 0 || size < 1) {
      throw new IllegalArgumentException("kernel size is " + size + " but must be odd and > 0");
    }
    boolean iso = family.endsWith("iso") && !family.endsWith("aniso");
    double sx = sigmaX;
    double sy = iso ? sigmaX : sigmaY;
    double t = iso ? 0 : theta;
    double c = Math.cos(t);
    double s = Math.sin(t);
    // covariance R diag(sx^2, sy^2) R^T and its inverse
    double a = c * c * sx * sx + s * s * sy * sy;
    double b = c * s * (sx * sx - sy * sy);
    double d = s * s * sx * sx + c * c * sy * sy;
    double det = a * d - b * b;
    double ia = d / det;
    double ib = -b / det;
    double id = a / det;
    int r = size / 2;
    double[] k = new double[size * size];
    double sum = 0;
    for (int y = -r; y <= r; y++) {
      for (int x = -r; x <= r; x++) {
        double q = ia * x * x + 2 * ib * x * y + id * y * y;
        double v = switch (family) {
          case "iso", "aniso" -> Math.exp(-0.5 * q);
          case "generalized_iso", "generalized_aniso" -> Math.exp(-0.5 * Math.pow(q, beta));
          case "plateau_iso", "plateau_aniso" -> 1 / (1 + Math.pow(q, beta));
          default -> throw new IllegalArgumentException("kernel '" + family + "' is not one of "
              + FAMILIES);
        };
        k[(y + r) * size + x + r] = v;
        sum += v;
      }
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  /** {@code img} convolved with the {@code size x size} kernel, borders mirrored. */
  public static ImageTensor convolve(ImageTensor img, double[] k, int size) {
    int r = size / 2;
    int w = img.width();
    int h = img.height();
    int[] xs = new int[w + 2 * r];
    int[] ys = new int[h + 2 * r];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = reflect(i - r, w);
    }
    for (int i = 0; i < ys.length; i++) {
      ys[i] = reflect(i - r, h);
    }
    float[] src = img.data();
    float[] out = new float[src.length];
    for (int c = 0; c < img.channels(); c++) {
      int plane = c * w * h;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double acc = 0;
          for (int ky = 0; ky < size; ky++) {
            int row = plane + ys[y + ky] * w;
            int kr = ky * size;
            for (int kx = 0; kx < size; kx++) {
              acc += k[kr + kx] * src[row + xs[x + kx]];
            }
          }
          out[plane + y * w + x] = (float) acc;
        }
      }
    }
    return new ImageTensor(img.channels(), h, w, out);
  }

  /** Index i mirrored into [0, n) without repeating the edge (reflect). */
  static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }
}
