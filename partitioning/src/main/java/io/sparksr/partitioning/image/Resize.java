package io.sparksr.partitioning.image;

import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Rect;

/**
 * MATLAB-compatible bicubic {@code imresize} (the resampler the SR literature's LR images and
 * baselines come from), on float tensors, without rounding (quantise at the end if the source was
 * integer).
 * <ul>
 *   <li>Cubic kernel with a = -0.5. When shrinking (s &lt; 1) the kernel is widened to 4/s and its
 *       weights are s * cubic(s * d) (antialiasing).</li>
 *   <li>Output pixel x (1-based) samples source coordinate u = x/s + 0.5 (1 - 1/s); taps
 *       floor(u - width/2) + 0 .. ceil(width) + 1; weights normalised to sum 1 per output pixel.</li>
 *   <li>Out-of-range taps read the symmetric mirror (edge pixel repeated): {@link
 *       BorderPolicy#SYMMETRIC}.</li>
 *   <li>Separable: rows (height) first, then columns, in double precision; output size
 *       ceil(in * s).</li>
 * </ul>
 * For an integer upscale factor the weights depend only on the output phase (x mod s) and are
 * computed once per phase, so a tile gets bit-identical weights to the whole image.
 */
public final class Resize {
  private Resize() {}

  /** The bicubic kernel of MATLAB's imresize (Keys, a = -0.5). */
  public static double cubic(double x) {
    double ax = Math.abs(x);
    double ax2 = ax * ax;
    double ax3 = ax2 * ax;
    if (ax <= 1) {
      return 1.5 * ax3 - 2.5 * ax2 + 1;
    }
    if (ax <= 2) {
      return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
    }
    return 0;
  }

  /** {@code imresize(img, scale, 'bicubic')}. */
  public static ImageTensor imresize(ImageTensor in, double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale is " + scale + " but must be > 0");
    }
    int outH = outputLength(in.height(), scale);
    int outW = outputLength(in.width(), scale);
    Weights wh = Weights.of(in.height(), outH, scale);
    Weights ww = Weights.of(in.width(), outW, scale);
    int c = in.channels();
    int h = in.height();
    int w = in.width();
    double[] src = new double[in.data().length];
    float[] f = in.data();
    for (int i = 0; i < src.length; i++) {
      src[i] = f[i];
    }
    // rows (height) first, as MATLAB does for equal scale factors
    double[] mid = new double[c * outH * w];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < outH; y++) {
        int dst = (ch * outH + y) * w;
        for (int t = 0; t < wh.taps; t++) {
          double wt = wh.w[y * wh.taps + t];
          if (wt == 0) {
            continue;
          }
          int srcRow = (ch * h + wh.idx[y * wh.taps + t]) * w;
          for (int x = 0; x < w; x++) {
            mid[dst + x] += wt * src[srcRow + x];
          }
        }
      }
    }
    float[] out = new float[c * outH * outW];
    for (int row = 0; row < c * outH; row++) {
      int s0 = row * w;
      int d0 = row * outW;
      for (int x = 0; x < outW; x++) {
        double acc = 0;
        int k = x * ww.taps;
        for (int t = 0; t < ww.taps; t++) {
          acc += ww.w[k + t] * mid[s0 + ww.idx[k + t]];
        }
        out[d0 + x] = (float) acc;
      }
    }
    return new ImageTensor(c, outH, outW, out);
  }

  /** MATLAB's output length for a scale factor: ceil(length * scale). */
  public static int outputLength(int length, double scale) {
    double exact = length * scale;
    long r = Math.round(exact);
    // integer-valued products (e.g. 255 * (1/3) = 85.00000000000001) must not round up
    if (Math.abs(exact - r) < 1e-9) {
      return (int) r;
    }
    return (int) Math.ceil(exact);
  }

  /**
   * The clean LR of the benchmark protocol (and of clean training data) for {@code hr}, whose
   * sides are multiples of {@code scale} ({@link #modcrop}): MATLAB bicubic by 1/scale
   * ({@link #imresize}), rounded to 8 bits as an LR file would be. The one definition used by
   * training patches, training validation, evaluate and the degradation pipeline's clean case.
   */
  public static ImageTensor cleanLr(ImageTensor hr, int scale) {
    return Quantized.of(imresize(hr, 1.0 / scale), 8).toTensor();
  }

  /** Crops an image to a multiple of {@code scale} in each dimension (top-left kept). */
  public static ImageTensor modcrop(ImageTensor img, int scale) {
    if (scale < 1) {
      throw new IllegalArgumentException("scale is " + scale + " but must be >= 1");
    }
    int w = img.width() - img.width() % scale;
    int h = img.height() - img.height() % scale;
    if (w == 0 || h == 0) {
      throw new IllegalArgumentException("image " + img.width() + "x" + img.height()
          + " is smaller than the scale " + scale);
    }
    if (w == img.width() && h == img.height()) {
      return img;
    }
    return img.crop(new Rect(0, 0, w, h));
  }

  /** Interpolation weights and (0-based, mirrored) source indices for one dimension. */
  static final class Weights {
    final int taps;
    final int[] idx;
    final double[] w;

    private Weights(int taps, int[] idx, double[] w) {
      this.taps = taps;
      this.idx = idx;
      this.w = w;
    }

    static Weights of(int inLen, int outLen, double scale) {
      boolean shrink = scale < 1;
      double kernelWidth = shrink ? 4.0 / scale : 4.0;
      int taps = (int) Math.ceil(kernelWidth) + 2;
      int[] idx = new int[outLen * taps];
      double[] w = new double[outLen * taps];
      long intUp = Math.round(scale);
      long intDown = Math.round(1 / scale);
      boolean periodic = scale >= 1 && Math.abs(scale - intUp) < 1e-12;
      boolean integerDown = shrink && Math.abs(1 / scale - intDown) < 1e-9;
      double[] tmp = new double[taps];
      for (int x = 1; x <= outLen; x++) {
        double u;
        int shift = 0;
        if (periodic) {
          // same phase, same weights: u(x + k*s) = u(x) + k exactly
          int s = (int) intUp;
          int p = (x - 1) % s + 1;
          shift = (x - 1) / s;
          u = (double) p / s + 0.5 * (1 - 1.0 / s);
        } else if (integerDown) {
          u = (double) x * intDown + 0.5 * (1 - intDown); // exact
        } else {
          u = x / scale + 0.5 * (1 - 1 / scale);
        }
        long left = (long) Math.floor(u - kernelWidth / 2);
        double sum = 0;
        for (int t = 0; t < taps; t++) {
          double d = u - (left + t);
          double v = shrink ? scale * cubic(scale * d) : cubic(d);
          tmp[t] = v;
          sum += v;
        }
        int base = (x - 1) * taps;
        for (int t = 0; t < taps; t++) {
          w[base + t] = tmp[t] / sum;
          // 1-based index left + t + shift -> 0-based, mirrored symmetrically into [0, inLen)
          long i0 = left + t + shift - 1;
          idx[base + t] = BorderPolicy.SYMMETRIC.map((int) i0, inLen);
        }
      }
      return new Weights(taps, idx, w);
    }
  }
}
