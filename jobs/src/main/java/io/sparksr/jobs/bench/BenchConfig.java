package io.sparksr.jobs.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Settings of {@code sparksr bench}, checked. */
public record BenchConfig(List<String> sections, String model, List<Integer> scales, int tileSize,
    int reps, int warmup, String images, Path work, Path report, String master,
    Map<String, String> sparkConf) {
  static final Set<String> SECTIONS = Set.of("peak", "model", "job", "bicubic", "scaling");

  public BenchConfig {
    sections = List.copyOf(sections);
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
    if (tileSize < 16) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize + " but must be >= 16");
    }
    sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
  }

  boolean has(String section) {
    return sections.contains(section);
  }

  boolean needsSpark() {
    return has("job") || has("bicubic") || has("scaling");
  }
}
