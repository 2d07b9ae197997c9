package io.sparksr.partitioning.degrade;

import io.sparksr.partitioning.image.ImageTensor;

/**
 * Resizing to an exact size by the modes of the degradation chain, with PyTorch
 * {@code F.interpolate}'s definitions (half-pixel centres, {@code align_corners=False}, borders
 * clamped): {@code bilinear} and {@code bicubic} (a = -0.75, no antialiasing, as Real-ESRGAN
 * degrades), and {@code area} (the mean of the input box under each output pixel); and
 * {@code matlab}: MATLAB's {@code imresize} bicubic (a = -0.5, antialiased when shrinking: the
 * kernel widened by the factor, borders mirrored), as {@link io.sparksr.partitioning.image.Resize}
 * computes it for integer factors, here at any exact output size.
 */
public final class Resampler {
  /** The resize modes. */
  public static final java.util.List<String> MODES = java.util.List.of("bilinear", "bicubic",
      "area", "matlab");

  private Resampler() {}

  public static ImageTensor resize(ImageTensor in, int outW, int outH, String mode) {
    if (outW < 1 || outH < 1) {
      throw new IllegalArgumentException("output size " + outW + "x" + outH + " must be >= 1");
    }
    if (outW == in.width() && outH == in.height()) {
      return in.copy();
    }
    Weights wx = weights(in.width(), outW, mode);
    Weights wy = weights(in.height(), outH, mode);
    int c = in.channels();
    int w = in.width();
    int h = in.height();
    float[] src = in.data();
    double[] mid = new double[c * h * outW];
    for (int row = 0; row < c * h; row++) {
      for (int x = 0; x < outW; x++) {
        double acc = 0;
        for (int t = wx.start[x]; t < wx.start[x + 1]; t++) {
          acc += wx.w[t] * src[row * w + wx.idx[t]];
        }
        mid[row * outW + x] = acc;
      }
    }
    float[] out = new float[c * outH * outW];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < outH; y++) {
        for (int x = 0; x < outW; x++) {
          double acc = 0;
          for (int t = wy.start[y]; t < wy.start[y + 1]; t++) {
            acc += wy.w[t] * mid[(ch * h + wy.idx[t]) * outW + x];
          }
          out[(ch * outH + y) * outW + x] = (float) acc;
        }
      }
    }
    return new ImageTensor(c, outH, outW, out);
  }

  /** Taps of output i: indices idx[start[i]..start[i+1]) with weights w. */
  private record Weights(int[] start, int[] idx, double[] w) {}

  private static Weights weights(int in, int out, String mode) {
    double scale = (double) in / out;
    int[] start = new int[out + 1];
    java.util.List<int[]> taps = new java.util.ArrayList<>();
    java.util.List<Double> ws = new java.util.ArrayList<>();
    for (int o = 0; o < out; o++) {
      start[o] = ws.size();
      switch (mode) {
        case "area" -> {
          double lo = o * scale;
          double hi = (o + 1) * scale;
          for (int i = (int) Math.floor(lo); i < Math.ceil(hi) && i < in; i++) {
            double cover = Math.min(hi, i + 1) - Math.max(lo, i);
            if (cover > 0) {
              taps.add(new int[] {i});
              ws.add(cover / scale);
            }
          }
        }
        case "bilinear" -> {
          double x = Math.max(0, (o + 0.5) * scale - 0.5);
          int x0 = (int) Math.floor(x);
          double f = x - x0;
          taps.add(new int[] {Math.min(x0, in - 1)});
          ws.add(1 - f);
          taps.add(new int[] {Math.min(x0 + 1, in - 1)});
          ws.add(f);
        }
        case "bicubic" -> {
          double x = (o + 0.5) * scale - 0.5;
          int x0 = (int) Math.floor(x);
          double f = x - x0;
          for (int k = -1; k <= 2; k++) {
            taps.add(new int[] {Math.max(0, Math.min(in - 1, x0 + k))});
            ws.add(cubic(k - f));
          }
        }
        case "matlab" -> {
          double f = (double) out / in;
          double width = f < 1 ? 4 / f : 4;
          double u = (o + 1) / f + 0.5 * (1 - 1 / f);
          int left = (int) Math.floor(u - width / 2);
          int n = (int) Math.ceil(width) + 2;
          double sum = 0;
          int first = ws.size();
          for (int k = 0; k < n; k++) {
            int j = left + k;
            double d = u - j;
            double wt = f < 1 ? f * io.sparksr.partitioning.image.Resize.cubic(f * d)
                : io.sparksr.partitioning.image.Resize.cubic(d);
            if (wt != 0) {
              taps.add(new int[] {symmetric(j - 1, in)});
              ws.add(wt);
              sum += wt;
            }
          }
          for (int t = first; t < ws.size(); t++) {
            ws.set(t, ws.get(t) / sum);
          }
        }
        default -> throw new IllegalArgumentException("resize mode '" + mode + "' is not one of "
            + MODES);
      }
    }
    start[out] = ws.size();
    int[] idx = new int[ws.size()];
    double[] w = new double[ws.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = taps.get(i)[0];
      w[i] = ws.get(i);
    }
    return new Weights(start, idx, w);
  }

  /** Index i (0-based) mirrored into [0, n) repeating the edge (MATLAB's symmetric padding). */
  private static int symmetric(int i, int n) {
    int period = 2 * n;
    int m = Math.floorMod(i, period);
    return m < n ? m : period - 1 - m;
  }

  /** PyTorch's cubic convolution kernel, a = -0.75. */
  static double cubic(double x) {
    double a = -0.75;
    double ax = Math.abs(x);
    if (ax <= 1) {
      return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
    }
    if (ax < 2) {
      return ((a * ax - 5 * a) * ax + 8 * a) * ax - 4 * a;
    }
    return 0;
  }
}
