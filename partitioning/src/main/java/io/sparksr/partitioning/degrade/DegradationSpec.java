package io.sparksr.partitioning.degrade;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A degradation preset: the distributions each patch's parameters are drawn from
 * ({@link Degrader#draw}). A chain of up to two orders (Real-ESRGAN's "second-order"
 * degradation), each: blur, resize, noise, JPEG; then a final resize to exactly the LR size and a
 * last order at that size (blur, noise, JPEG; no resize): what a camera or scanner adds at the
 * resolution the archive holds, and the JPEG the file was last saved with. Noise drawn before the
 * final resize is averaged down by it (by about the scale factor), so noise at the LR's own
 * resolution can only come from the last order. Probabilities are in [0, 1]; ranges are
 * [min, max] drawn uniformly.
 *
 * @param name         the preset's name (a Parquet column of every row it makes)
 * @param cleanProb    share of patches left clean (MATLAB bicubic LR): keeps what the model does
 *                     on clean inputs from drifting while it learns the degraded ones
 * @param first        the first order
 * @param secondProb   probability of applying the second order
 * @param second       the second order
 * @param finalModes   the resize modes the final resize to the LR size is drawn from
 * @param last         the order applied at the LR size, after the final resize (its resize
 *                     probabilities must be 0)
 * @param variants     LR versions per HR patch, each with its own draw (1..64): more kinds of
 *                     degradation per patch, where a fixed data set would otherwise repeat one
 *                     draw every epoch
 */
public record DegradationSpec(String name, double cleanProb, Order first, double secondProb,
    Order second, List<String> finalModes, Order last, int variants) implements Serializable {

  /** [min, max], drawn uniformly. */
  public record Range(double min, double max) implements Serializable {
    public Range {
      if (!(min <= max)) {
        throw new IllegalArgumentException("range [" + min + ", " + max + "] is empty");
      }
    }

    double draw(java.util.SplittableRandom rnd) {
      return min == max ? min : min + (max - min) * rnd.nextDouble();
    }
  }

  /**
   * One order of the chain.
   *
   * @param blurProb      probability of a blur
   * @param kernels       the kernel families to draw from, equally likely: {@code iso},
   *                      {@code aniso} (Gaussian), {@code generalized_iso},
   *                      {@code generalized_aniso}, {@code plateau_iso}, {@code plateau_aniso}
   * @param kernelSize    odd kernel sizes drawn from (min and max odd, inclusive)
   * @param sigma         Gaussian sigma range (per axis for anisotropic kernels), in pixels
   * @param betaGeneral   shape range of generalized Gaussian kernels
   * @param betaPlateau   shape range of plateau kernels
   * @param resizeUp      probability of an upscale by {@code upRange}
   * @param resizeDown    probability of a downscale by {@code downRange} (else no resize)
   * @param upRange       upscale factors
   * @param downRange     downscale factors
   * @param gaussianProb  probability of Gaussian noise
   * @param poissonProb   probability of Poisson noise (tried only without Gaussian noise)
   * @param noiseSigma    Gaussian noise sigma range, in 8-bit levels (x / 255)
   * @param poissonScale  Poisson noise scale range (Real-ESRGAN's)
   * @param grayNoiseProb probability that the noise is the same on all channels
   * @param jpegProb      probability of a JPEG encode/decode
   * @param jpeg          JPEG quality range (1..100)
   */
  public record Order(double blurProb, List<String> kernels, Range kernelSize, Range sigma,
      Range betaGeneral, Range betaPlateau, double resizeUp, double resizeDown, Range upRange,
      Range downRange, double gaussianProb, double poissonProb, Range noiseSigma,
      Range poissonScale, double grayNoiseProb, double jpegProb, Range jpeg)
      implements Serializable {
    public Order {
      kernels = List.copyOf(kernels);
      for (String k : kernels) {
        if (!Kernels.FAMILIES.contains(k)) {
          throw new IllegalArgumentException("kernel '" + k + "' is not one of "
              + Kernels.FAMILIES);
        }
      }
      if (kernels.isEmpty() && blurProb > 0) {
        throw new IllegalArgumentException("'kernels' is empty but 'blur-prob' is " + blurProb);
      }
      if (resizeUp + resizeDown > 1) {
        throw new IllegalArgumentException("'resize-up' + 'resize-down' is "
            + (resizeUp + resizeDown) + " but must be <= 1");
      }
      if (jpeg.min() < 1 || jpeg.max() > 100) {
        throw new IllegalArgumentException("'jpeg' range " + jpeg + " must lie in 1..100");
      }
    }

    /** An order that does nothing. */
    public static Order none() {
      Range zero = new Range(0, 0);
      return new Order(0, List.of(), new Range(7, 7), zero, zero, zero, 0, 0, new Range(1, 1),
          new Range(1, 1), 0, 0, zero, zero, 0, 0, new Range(95, 95));
    }
  }

  public DegradationSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(first, "first");
    if (cleanProb < 0 || cleanProb > 1) {
      throw new IllegalArgumentException("'clean-prob' is " + cleanProb + " but must be in [0, 1]");
    }
    Objects.requireNonNull(second, "second");
    finalModes = List.copyOf(finalModes);
    if (finalModes.isEmpty()) {
      throw new IllegalArgumentException("'final-modes' is empty but must name a resize mode");
    }
    for (String m : finalModes) {
      if (!Resampler.MODES.contains(m)) {
        throw new IllegalArgumentException("'final-modes' has '" + m + "' but each must be one of "
            + Resampler.MODES);
      }
    }
    Objects.requireNonNull(last, "last");
    if (variants < 1 || variants > 64) {
      throw new IllegalArgumentException("'variants' is " + variants + " but must be in 1..64");
    }
    if (last.resizeUp() > 0 || last.resizeDown() > 0) {
      throw new IllegalArgumentException("'last' is applied at the LR size and cannot resize, but"
          + " its 'resize-up' is " + last.resizeUp() + " and 'resize-down' " + last.resizeDown());
    }
  }

  /** MATLAB bicubic only, as the clean data set has always been made. */
  public static DegradationSpec clean() {
    return new DegradationSpec("clean", 1, Order.none(), 0, Order.none(), List.of("matlab"),
        Order.none(), 1);
  }

  /** Whether this preset degrades at all (else LR = MATLAB bicubic of the HR). */
  public boolean isClean() {
    return cleanProb == 1
        || first.equals(Order.none()) && secondProb == 0 && last.equals(Order.none());
  }
}
