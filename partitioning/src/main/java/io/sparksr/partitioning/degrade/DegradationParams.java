package io.sparksr.partitioning.degrade;

import java.io.Serializable;

/**
 * Every parameter of one patch's degradation, as drawn by {@link Degrader#draw}: together with the
 * HR pixels they reproduce the LR bit for bit ({@link Degrader#apply}). Each component is a column
 * of the prepared data set, so any sample can be remade and any slice selected by degradation.
 *
 * @param preset      the preset's name ({@code clean}: MATLAB bicubic, nothing else)
 * @param seed        the seed the parameters were drawn from
 * @param variant     which of the preset's LR versions of the patch this is (0-based)
 * @param margin      LR pixels of context around the patch that are degraded with it and then cut
 *                    off (so blur and resizing see real neighbours; its value mod 8 is the
 *                    patch's phase in the JPEG 8x8 grid)
 * @param first       the first order
 * @param second      the second order ({@link Stage#NONE} when not applied)
 * @param finalMode   the resize to exactly the LR size: matlab, bilinear, bicubic or area
 * @param last        the order at the LR size, after the final resize (never a resize; its JPEG
 *                    is the one the file was last saved with)
 */
public record DegradationParams(String preset, long seed, int variant, int margin, Stage first,
    Stage second, String finalMode, Stage last) implements Serializable {

  /**
   * One order of the chain.
   *
   * @param kernel       blur kernel family, "" for no blur
   * @param kernelSize   odd kernel side
   * @param sigmaX       sigma along the kernel's first axis (pixels)
   * @param sigmaY       sigma along its second axis
   * @param theta        rotation (radians)
   * @param beta         shape of generalized/plateau kernels
   * @param resizeMode   bilinear, bicubic or area; "" for no resize
   * @param resizeFactor the size factor
   * @param noise        gaussian, poisson or "" for none
   * @param noiseLevel   Gaussian sigma in 8-bit levels, or the Poisson scale
   * @param grayNoise    one noise field for all channels
   * @param noiseSeed    the noise field's seed
   * @param jpeg         JPEG quality; 0 = none
   */
  public record Stage(String kernel, int kernelSize, double sigmaX, double sigmaY, double theta,
      double beta, String resizeMode, double resizeFactor, String noise, double noiseLevel,
      boolean grayNoise, long noiseSeed, int jpeg) implements Serializable {

    public static final Stage NONE = new Stage("", 0, 0, 0, 0, 0, "", 1, "", 0, false, 0, 0);
  }

  /** The parameters of the clean preset: LR = MATLAB bicubic of the HR. */
  public static DegradationParams clean() {
    return new DegradationParams("clean", 0, 0, 0, Stage.NONE, Stage.NONE, "", Stage.NONE);
  }

  public boolean isClean() {
    return first.equals(Stage.NONE) && second.equals(Stage.NONE) && finalMode.isEmpty()
        && last.equals(Stage.NONE);
  }
}
