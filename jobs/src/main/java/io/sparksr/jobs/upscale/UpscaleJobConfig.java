package io.sparksr.jobs.upscale;

import io.sparksr.partitioning.BorderPolicy;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The resolved settings of one upscale run. Checked on construction, before Spark starts; checks
 * that need the model (scale served, default halo) are made by {@link #forOperator}.
 *
 * @param inputs              files, directories or globs (any Hadoop FS)
 * @param output              output directory: {@code <name>_x<scale>.<ext>} plus _manifest.csv
 * @param scale               2, 3 or 4
 * @param model               a built-in model name (bicubic) or a model bundle path
 * @param tileSize            core size of a tile in input pixels
 * @param halo                context around each core; null = the model's receptive-field radius
 * @param border              what the model sees outside the image; null = the model's default
 * @param partitionMegapixels output megapixels per Spark partition (sets the partition count)
 * @param master              Spark master, null = spark-submit's or local[*]
 * @param sparkConf           extra Spark settings
 */
public record UpscaleJobConfig(List<String> inputs, String output, int scale, String model,
    int tileSize, Integer halo, BorderPolicy border, double partitionMegapixels, String master,
    Map<String, String> sparkConf) implements Serializable {

  public UpscaleJobConfig {
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("'input' is missing: give at least one file, dir or glob");
    }
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException("'output' is missing: give an output directory");
    }
    if (scale < 2 || scale > 4) {
      throw new IllegalArgumentException("'scale' is " + scale + " but must be 2, 3 or 4");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("'model' is missing");
    }
    if (tileSize < 8) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize + " but must be >= 8");
    }
    if (halo != null && halo < 0) {
      throw new IllegalArgumentException("'halo' is " + halo + " but must be >= 0");
    }
    if (halo != null && tileSize < 2 * halo) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize
          + " but must be >= 2 * 'halo' (= " + 2 * halo + ")");
    }
    if (!(partitionMegapixels > 0)) {
      throw new IllegalArgumentException(
          "'partition-megapixels' is " + partitionMegapixels + " but must be > 0");
    }
    inputs = List.copyOf(inputs);
    sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
  }

  /** This config with the model-dependent defaults filled in and checked. */
  public UpscaleJobConfig forOperator(io.sparksr.partitioning.TileOperator op) {
    if (!op.supportsScale(scale)) {
      throw new IllegalArgumentException(
          "'scale' is " + scale + " but model '" + model + "' does not serve it");
    }
    int h = halo != null ? halo : op.radius();
    BorderPolicy b = border != null ? border : op.defaultBorder();
    if (tileSize < 2 * h) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize
          + " but must be >= 2 * 'halo' (= " + 2 * h + ", the model's receptive-field radius)");
    }
    return new UpscaleJobConfig(inputs, output, scale, model, tileSize, h, b, partitionMegapixels,
        master, sparkConf);
  }
}
