package io.sparksr.model.arch;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Hyper-parameters of {@link IgConvPlksr}; the YAML/JSON keys are the kebab-case names below
 * (conf/model/default.yaml documents each). Checked by {@link #validate()}.
 *
 * @param channels       C, feature channels of the encoder
 * @param blocks         N, number of PLKSR blocks
 * @param kernelSize     k, side of the partial large kernel (odd)
 * @param splitRatio     share of the C channels the k x k conv sees (floor(C * ratio) of them)
 * @param attention      whether each block has the element-wise attention x * sigmoid(conv3x3(x))
 * @param fourierFeatures F, Fourier frequency pairs per (input channel, tap) of the kernel generator
 * @param mlpDim         D, width of the kernel generator's MLP
 * @param mlpLayers      linear layers of that MLP (>= 2: 2F -> D -> ... -> 3)
 * @param scales         the upscale factors one bundle serves
 * @param skip           the LR image added to the output upsampled by "bicubic" or "nearest"
 * @param ensemble       whether the generated kernel is averaged over the 8 flips/rotations of its
 *                       taps and sub-pixel grid (in training and at instantiation alike)
 */
public record IgConvPlksrConfig(
    @JsonProperty("channels") int channels,
    @JsonProperty("blocks") int blocks,
    @JsonProperty("kernel-size") int kernelSize,
    @JsonProperty("split-ratio") double splitRatio,
    @JsonProperty("attention") boolean attention,
    @JsonProperty("fourier-features") int fourierFeatures,
    @JsonProperty("mlp-dim") int mlpDim,
    @JsonProperty("mlp-layers") int mlpLayers,
    @JsonProperty("scales") List<Integer> scales,
    @JsonProperty("skip") String skip,
    @JsonProperty("ensemble") boolean ensemble) {

  /** The shipped defaults (conf/model/default.yaml), chosen by the measurements in MODEL.md. */
  public static IgConvPlksrConfig defaults() {
    return new IgConvPlksrConfig(32, 4, 13, 0.25, true, 8, 64, 3, List.of(2, 3, 4), "bicubic",
        false);
  }

  public IgConvPlksrConfig {
    scales = scales == null ? null : List.copyOf(scales);
  }

  /** This configuration at another width: C and the large kernel's share, all else the same. */
  public IgConvPlksrConfig withWidth(int channels, double splitRatio) {
    return new IgConvPlksrConfig(channels, blocks, kernelSize, splitRatio, attention,
        fourierFeatures, mlpDim, mlpLayers, scales, skip, ensemble);
  }

  /** Channels the large kernel sees: floor(C * ratio). */
  public int splitChannels() {
    return (int) Math.floor(channels * splitRatio);
  }

  /** @throws IllegalArgumentException naming the key, the value and the rule */
  public IgConvPlksrConfig validate() {
    check(channels >= 4, "'channels' is " + channels + " but must be >= 4");
    check(blocks >= 0, "'blocks' is " + blocks + " but must be >= 0");
    check(kernelSize >= 1, "'kernel-size' is " + kernelSize + " but must be >= 1");
    check(kernelSize % 2 == 1, "'kernel-size' is " + kernelSize + " but must be odd");
    check(splitRatio > 0 && splitRatio <= 1,
        "'split-ratio' is " + splitRatio + " but must be in (0, 1]");
    check(splitChannels() >= 1, "'split-ratio' is " + splitRatio + " but floor('channels' (= "
        + channels + ") * 'split-ratio') must be >= 1");
    check(fourierFeatures >= 1, "'fourier-features' is " + fourierFeatures + " but must be >= 1");
    check(mlpDim >= 1, "'mlp-dim' is " + mlpDim + " but must be >= 1");
    check(mlpLayers >= 2, "'mlp-layers' is " + mlpLayers + " but must be >= 2");
    check(scales != null && !scales.isEmpty(), "'scales' is " + scales + " but must not be empty");
    for (int s : scales) {
      check(s >= 2 && s <= 8, "'scales' is " + scales + " but each must be in [2, 8]");
    }
    check(scales.stream().distinct().count() == scales.size(),
        "'scales' is " + scales + " but must not repeat a scale");
    check("bicubic".equals(skip) || "nearest".equals(skip),
        "'skip' is '" + skip + "' but must be bicubic or nearest");
    return this;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
