package io.sparksr.jobs.train;

import java.util.Map;

/**
 * What a training run did.
 *
 * @param startStep   the step the run started at (0, or the resumed bundle's)
 * @param endStep     the step it stopped at
 * @param validation  the last validation PSNR per scale (empty if none ran)
 * @param fftL1Weight the weight of the FFT-L1 loss term the run trained with (0 = plain L1)
 */
public record TrainJobResult(String output, long startStep, long endStep, double seconds,
    double patchesPerSecond, double gflops, Map<Integer, Double> validation, String stopReason,
    double fftL1Weight) {

  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("train: steps %d -> %d in %.1f min (%.1f patches/s, %.1f GFLOP/s "
        + "effective), stopped: %s%n", startStep, endStep, seconds / 60, patchesPerSecond, gflops,
        stopReason));
    sb.append(fftL1Weight > 0 ? String.format("  loss: L1 + %s x FFT-L1%n", fftL1Weight)
        : String.format("  loss: L1%n"));
    validation.forEach((s, p) -> sb.append(String.format("  val x%d: %.3f dB%n", s, p)));
    sb.append("model: ").append(output);
    return sb.toString();
  }
}
