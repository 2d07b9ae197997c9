package io.sparksr.jobs.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Settings of {@code sparksr bench}, checked. */
public record BenchConfig(List<String> sections, String model, List<Integer> scales, int tileSize,
    int reps, int warmup, String images, String photos, List<String> photoSizes, Path work,
    Path report, String master,
    Map<String, String> sparkConf) {
  static final Set<String> SECTIONS = Set.of("peak", "model", "job", "bicubic", "scaling",
      "photos");

  public BenchConfig {
    sections = List.copyOf(sections);
    photoSizes = photoSizes == null ? List.of() : List.copyOf(photoSizes);
    for (String p : photoSizes) {
      if (!p.matches("(?i)\\s*[1-9][0-9]*\\s*x\\s*[1-9][0-9]*\\s*")) {
        throw new IllegalArgumentException("'photo-sizes' has '" + p + "' but must be WxH");
      }
    }
    for (String s : sections) {
      if (!SECTIONS.contains(s)) {
        throw new IllegalArgumentException("'sections' has '" + s + "' but must be among "
            + new java.util.TreeSet<>(SECTIONS));
      }
    }
    scales = List.copyOf(scales);
    for (int s : scales) {
      if (s < 2 || s > 4) {
        throw new IllegalArgumentException("'scales' has " + s + " but must be 2, 3 or 4");
      }
    }
    if (reps < 1) {
      throw new IllegalArgumentException("'reps' is " + reps + " but must be >= 1");
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("'warmup' is " + warmup + " but must be >= 0");
    }
    if (tileSize != io.sparksr.jobs.upscale.UpscaleJobConfig.AUTO_TILE_SIZE && tileSize < 16) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize
          + " but must be >= 16 (or 0: the upscale job's choice)");
    }
    sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
  }

  /** The full tile of the model section: the one given, else the job's largest automatic one. */
  int modelTile() {
    return tileSize != io.sparksr.jobs.upscale.UpscaleJobConfig.AUTO_TILE_SIZE ? tileSize
        : io.sparksr.jobs.upscale.UpscaleJobConfig.AUTO_TILE_SIZES.get(0);
  }

  boolean has(String section) {
    return sections.contains(section);
  }

  boolean needsSpark() {
    return has("job") || has("bicubic") || has("scaling") || has("photos");
  }
}
