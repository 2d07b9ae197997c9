package io.sparksr.jobs.prepare;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The resolved settings of one prepare run, checked before Spark starts.
 *
 * @param inputs          HR image files, folders or globs (any Hadoop FS)
 * @param output          the Parquet dataset folder (partitioned by scale) + _SUMMARY.json
 * @param scales          scales to make pairs for
 * @param patchSize       LR patch size; the HR patch is patchSize * scale
 * @param stride          grid step in LR pixels (when patchesPerImage == 0)
 * @param patchesPerImage random patches per image and scale; 0 = the whole grid
 * @param seed            seed of random positions and of the train/val split
 * @param minStd          flat-patch threshold: LR standard deviation in [0,1] units
 * @param flips           emit flipped copies
 * @param rot90           emit rotated copies
 * @param valFraction     share of source images put in the val split
 * @param compression     Parquet codec (zstd, snappy, gzip, none)
 * @param rowGroupMb      Parquet row group size in MB
 * @param overwrite       replace an existing dataset
 * @param master          Spark master, null = spark-submit's or local[*]
 * @param sparkConf       extra Spark settings
 * @param degradation     how LR patches are made: a preset of conf/degradations ({@code clean}:
 *                        MATLAB bicubic; {@code archive}: JPEG/noise-heavy) or a preset YAML path
 */
public record PrepareJobConfig(List<String> inputs, String output, List<Integer> scales,
    int patchSize, int stride, int patchesPerImage, long seed, double minStd, boolean flips,
    boolean rot90, double valFraction, String compression, int rowGroupMb, boolean overwrite,
    String master, Map<String, String> sparkConf, String degradation) implements Serializable {

  /** The default of {@code degradation}: MATLAB bicubic, as every data set before it. */
  public static final String DEFAULT_DEGRADATION = "clean";

  public PrepareJobConfig {
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("'input' is missing: give HR image folders or globs");
    }
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException("'output' is missing: give a dataset folder");
    }
    if (scales == null || scales.isEmpty()) {
      throw new IllegalArgumentException("'scales' is empty but must list 2, 3 and/or 4");
    }
    for (int s : scales) {
      if (s < 2 || s > 4) {
        throw new IllegalArgumentException("'scales' has " + s + " but each must be 2, 3 or 4");
      }
    }
    if (scales.stream().distinct().count() != scales.size()) {
      throw new IllegalArgumentException("'scales' is " + scales + " but lists a scale twice");
    }
    if (patchSize < 4 || patchSize > 512) {
      throw new IllegalArgumentException("'patch-size' is " + patchSize + " but must be in 4..512");
    }
    if (stride < 1) {
      throw new IllegalArgumentException("'stride' is " + stride + " but must be >= 1");
    }
    if (patchesPerImage < 0) {
      throw new IllegalArgumentException(
          "'patches-per-image' is " + patchesPerImage + " but must be >= 0 (0 = the whole grid)");
    }
    if (minStd < 0 || minStd >= 0.5) {
      throw new IllegalArgumentException("'min-std' is " + minStd + " but must be in [0, 0.5)");
    }
    if (valFraction < 0 || valFraction >= 1) {
      throw new IllegalArgumentException(
          "'val-fraction' is " + valFraction + " but must be in [0, 1)");
    }
    if (!List.of("zstd", "snappy", "gzip", "none").contains(compression)) {
      throw new IllegalArgumentException(
          "'compression' is '" + compression + "' but must be zstd, snappy, gzip or none");
    }
    if (rowGroupMb < 1 || rowGroupMb > 1024) {
      throw new IllegalArgumentException("'row-group-mb' is " + rowGroupMb + " but must be in 1..1024");
    }
    for (String in : inputs) {
      io.sparksr.jobs.PathRules.checkDisjoint("output", output, "input", in);
    }
    if (degradation == null || degradation.isBlank()) {
      throw new IllegalArgumentException("'degradation' is empty but must name a preset "
          + "(clean, archive, archive-chain) or a preset YAML file");
    }
    inputs = List.copyOf(inputs);
    scales = List.copyOf(scales);
    sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
  }
}
