package io.sparksr.partitioning.degrade;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import java.util.SplittableRandom;

/**
 * The degradation chain that makes a training LR from an HR patch (Real-ESRGAN's "second-order"
 * model, on the CPU): per order, a blur ({@link Kernels}), a resize by a random factor
 * ({@link Resampler}), Gaussian or Poisson noise (colour or grey), a real JPEG round trip
 * ({@link Jpeg}); after the second order, a resize to exactly the LR size and a last order at that
 * size (blur, noise, the JPEG the file was last saved with). Drawing ({@link #draw}) and
 * applying ({@link #apply}) are separate and both deterministic: the same seed gives the same
 * parameters, the same parameters and HR the same LR, bit for bit. The clean preset is MATLAB
 * bicubic ({@link Resize#imresize}), exactly as before.
 */
public final class Degrader {
  /** Context margins drawn per patch, in LR pixels: every phase in the JPEG grid occurs. */
  public static final int MIN_MARGIN = 8;
  public static final int MAX_MARGIN = 15;

  private Degrader() {}

  /** Parameters of a patch's LR version {@code variant}, drawn from {@code spec} by a seed. */
  public static DegradationParams draw(DegradationSpec spec, long seed, int variant) {
    if (spec.isClean()) {
      return DegradationParams.clean();
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    if (rnd.nextDouble() < spec.cleanProb()) {
      return new DegradationParams(spec.name(), seed, variant, 0, DegradationParams.Stage.NONE,
          DegradationParams.Stage.NONE, "", DegradationParams.Stage.NONE);
    }
    int margin = MIN_MARGIN + rnd.nextInt(MAX_MARGIN - MIN_MARGIN + 1);
    DegradationParams.Stage first = stage(spec.first(), rnd);
    DegradationParams.Stage second = rnd.nextDouble() < spec.secondProb()
        ? stage(spec.second(), rnd) : DegradationParams.Stage.NONE;
    String finalMode = spec.finalModes().get(rnd.nextInt(spec.finalModes().size()));
    DegradationParams.Stage last = stage(spec.last(), rnd);
    return new DegradationParams(spec.name(), seed, variant, margin, first, second, finalMode,
        last);
  }

  private static DegradationParams.Stage stage(DegradationSpec.Order o, SplittableRandom rnd) {
    String kernel = "";
    int size = 0;
    double sx = 0;
    double sy = 0;
    double theta = 0;
    double beta = 0;
    if (rnd.nextDouble() < o.blurProb()) {
      kernel = o.kernels().get(rnd.nextInt(o.kernels().size()));
      int lo = (int) o.kernelSize().min() / 2;
      int hi = (int) o.kernelSize().max() / 2;
      size = 2 * (lo + rnd.nextInt(hi - lo + 1)) + 1;
      sx = o.sigma().draw(rnd);
      sy = kernel.endsWith("aniso") ? o.sigma().draw(rnd) : sx;
      theta = kernel.endsWith("aniso") ? rnd.nextDouble() * Math.PI : 0;
      beta = kernel.startsWith("generalized") ? o.betaGeneral().draw(rnd)
          : kernel.startsWith("plateau") ? o.betaPlateau().draw(rnd) : 0;
    }
    String mode = "";
    double factor = 1;
    double u = rnd.nextDouble();
    if (u < o.resizeUp()) {
      factor = o.upRange().draw(rnd);
    } else if (u < o.resizeUp() + o.resizeDown()) {
      factor = o.downRange().draw(rnd);
    }
    if (factor != 1) {
      mode = Resampler.MODES.get(rnd.nextInt(Resampler.MODES.size()));
    }
    String noise = "";
    double level = 0;
    double v = rnd.nextDouble();
    if (v < o.gaussianProb()) {
      noise = "gaussian";
      level = o.noiseSigma().draw(rnd);
    } else if (v < o.gaussianProb() + o.poissonProb()) {
      noise = "poisson";
      level = o.poissonScale().draw(rnd);
    }
    boolean gray = !noise.isEmpty() && rnd.nextDouble() < o.grayNoiseProb();
    long noiseSeed = noise.isEmpty() ? 0 : rnd.nextLong();
    int jpeg = rnd.nextDouble() < o.jpegProb() ? (int) Math.round(o.jpeg().draw(rnd)) : 0;
    return new DegradationParams.Stage(kernel, size, sx, sy, theta, beta, mode, factor, noise,
        level, gray, noiseSeed, jpeg);
  }

  /**
   * The LR of an HR region: {@code hr.width() / scale x hr.height() / scale} (both sides must be
   * multiples of {@code scale}), in [0,1], quantised to 8 bits as an LR file would be.
   */
  public static ImageTensor apply(ImageTensor hr, int scale, DegradationParams p) {
    if (hr.width() % scale != 0 || hr.height() % scale != 0) {
      throw new IllegalArgumentException("HR region " + hr.width() + "x" + hr.height()
          + " is not a multiple of the scale " + scale);
    }
    int lw = hr.width() / scale;
    int lh = hr.height() / scale;
    if (p.isClean()) {
      return Resize.cleanLr(hr, scale);
    }
    ImageTensor x = stage(hr, p.first());
    x = stage(x, p.second());
    x = Resampler.resize(x, lw, lh, p.finalMode());
    x = stage(clampQuantize(x), p.last());
    // a JPEG decode is 8-bit already
    return p.last().jpeg() > 0 ? x : clampQuantize(x);
  }

  private static ImageTensor stage(ImageTensor in, DegradationParams.Stage s) {
    ImageTensor x = in;
    if (!s.kernel().isEmpty()) {
      x = Kernels.convolve(x, Kernels.kernel(s.kernel(), s.kernelSize(), s.sigmaX(), s.sigmaY(),
          s.theta(), s.beta()), s.kernelSize());
    }
    if (!s.resizeMode().isEmpty()) {
      int w = Math.max(1, (int) Math.round(x.width() * s.resizeFactor()));
      int h = Math.max(1, (int) Math.round(x.height() * s.resizeFactor()));
      x = Resampler.resize(x, w, h, s.resizeMode());
    }
    if (!s.noise().isEmpty()) {
      x = noise(x, s);
    }
    if (s.jpeg() > 0) {
      x = Jpeg.roundTrip(clampQuantize(x), s.jpeg());
    }
    return x;
  }

  /**
   * Gaussian: + N(0, (level / 255)^2); Poisson (BasicSR's): + level * (P(256 x) / 256 - x). Grey
   * noise: one field for every channel (Poisson's from the channels' mean).
   */
  static ImageTensor noise(ImageTensor in, DegradationParams.Stage s) {
    SplittableRandom rnd = new SplittableRandom(s.noiseSeed());
    int c = in.channels();
    int plane = in.planeSize();
    float[] d = in.data();
    float[] out = new float[d.length];
    boolean gaussian = s.noise().equals("gaussian");
    int fields = s.grayNoise() ? 1 : c;
    float[][] field = new float[fields][plane];
    for (int f = 0; f < fields; f++) {
      for (int i = 0; i < plane; i++) {
        if (gaussian) {
          field[f][i] = (float) (rnd.nextGaussian() * s.noiseLevel() / 255.0);
        } else {
          double v = 0;
          if (s.grayNoise()) {
            for (int ch = 0; ch < c; ch++) {
              v += Math.max(0, Math.min(1, d[ch * plane + i])) / c;
            }
          } else {
            v = Math.max(0, Math.min(1, d[f * plane + i]));
          }
          field[f][i] = (float) (s.noiseLevel() * (poisson(rnd, v * 256) / 256.0 - v));
        }
      }
    }
    for (int ch = 0; ch < c; ch++) {
      float[] n = field[s.grayNoise() ? 0 : ch];
      for (int i = 0; i < plane; i++) {
        out[ch * plane + i] = d[ch * plane + i] + n[i];
      }
    }
    return new ImageTensor(c, in.height(), in.width(), out);
  }

  /** A Poisson draw: Knuth's product method below 30, a rounded normal above. */
  static long poisson(SplittableRandom rnd, double lambda) {
    if (lambda <= 0) {
      return 0;
    }
    if (lambda >= 30) {
      return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rnd.nextGaussian()));
    }
    double l = Math.exp(-lambda);
    long k = 0;
    double p = 1;
    do {
      k++;
      p *= rnd.nextDouble();
    } while (p > l);
    return k - 1;
  }

  private static ImageTensor clampQuantize(ImageTensor x) {
    return Quantized.of(x, 8).toTensor();
  }
}
