package io.sparksr.jobs.upscale;

import java.util.List;

/** What an upscale run did, image by image. */
public record UpscaleJobResult(String output, String manifest, List<ImageOutcome> images,
    int tiles, int partitions, double seconds) {

  public UpscaleJobResult {
    images = List.copyOf(images);
  }

  public long succeeded() {
    return images.stream().filter(ImageOutcome::ok).count();
  }

  public long failed() {
    return images.size() - succeeded();
  }

  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("upscale: %d image(s) written, %d failed, %d tiles in %d partitions, "
        + "%.1f s%n", succeeded(), failed(), tiles, partitions, seconds));
    for (ImageOutcome o : images) {
      if (!o.ok()) {
        sb.append("  FAILED ").append(o.input()).append(": ").append(o.reason()).append('\n');
      }
    }
    sb.append("output: ").append(output).append('\n');
    sb.append("manifest: ").append(manifest);
    return sb.toString();
  }
}
