package io.sparksr.jobs.upscale;

import io.sparksr.io.ImageStore;
import io.sparksr.jobs.PathRules;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resolved settings of one upscale run. Checked on construction, before Spark starts; checks
 * that need the model (scale served, default halo) are made by {@link #forOperator}.
 *
 * @param inputs              files, directories or globs (any Hadoop FS)
 * @param output              output directory: {@code <name><suffix>.<ext>} per image, plus
 *                            {@code manifest.parquet/} and {@code _manifest.csv}
 * @param scale               2, 3 or 4
 * @param model               a built-in model name (bicubic), {@code default} or a bundle path
 * @param tileSize            core size of a tile in input pixels
 * @param halo                context around each core; null = the model's receptive-field radius
 * @param border              what the model sees outside the image; null = the model's default
 * @param partitionMegapixels output megapixels per Spark partition (sets the partition count)
 * @param batchMemoryMb       working memory of one forward pass (per task), in MiB: sets how many
 *                            tiles of one shape go through the model together
 * @param forwardPermits      forward passes one executor JVM runs at once, i.e. its forward lanes
 *                            (0 = cores / OMP_NUM_THREADS; 1 per GPU)
 * @param overwrite           replace existing outputs (default: skip them, status "skipped")
 * @param dryRun              print the plan and stop
 * @param format              output format png, tiff or jpg; null = the input's
 * @param suffix              appended to the input's name; null = {@code _x<scale>}
 * @param tiffThresholdMp     outputs above this many megapixels are written as tiled (Big)TIFF
 *                            from tiles compressed on executors
 * @param convertThresholdMp  PNG/JPEG/BMP inputs above this many megapixels are first converted,
 *                            streaming, to a tiled TIFF that executors read by region
 * @param progressSeconds     seconds between progress lines (0 = none)
 * @param master              Spark master, null = spark-submit's or local[*]
 * @param sparkConf           extra Spark settings
 * @param maxMegapixels       inputs whose header claims more megapixels fail (from the header,
 *                            before anything is allocated: decompression bombs); see
 *                            {@link ImageStore#DEFAULT_MAX_MEGAPIXELS}
 */
public record UpscaleJobConfig(List<String> inputs, String output, int scale, String model,
    int tileSize, Integer halo, BorderPolicy border, double partitionMegapixels,
    int batchMemoryMb, int forwardPermits, boolean overwrite, boolean dryRun, String format,
    String suffix, double tiffThresholdMp, double convertThresholdMp, double progressSeconds,
    String master, Map<String, String> sparkConf, double maxMegapixels) implements Serializable {

  /** {@code tile-size} 0: chosen per run by {@link #autoTileSize}. */
  public static final int AUTO_TILE_SIZE = 0;
  public static final int DEFAULT_TILE_SIZE = AUTO_TILE_SIZE;
  /**
   * The sizes {@link #autoTileSize} picks from, largest first. Large tiles waste less on the halo:
   * with the shipped network's 38 px halo a 256 px core computes (332 / 256)^2 = 1.68x its pixels,
   * a 512 px core 1.32x (a 2000 x 1920 photo at x2: 28.1-28.2 s against 31.2-33.6 s, and 8 photos
   * of 480 x 360: 8.4 against 11.0 s; docs/BENCHMARKS.md); small tiles give more tasks.
   */
  public static final List<Integer> AUTO_TILE_SIZES = List.of(512, 256, 128);
  public static final double DEFAULT_PARTITION_MEGAPIXELS = 16;
  public static final int DEFAULT_BATCH_MEMORY_MB = 256;
  public static final double DEFAULT_TIFF_THRESHOLD_MP = 100;
  public static final double DEFAULT_CONVERT_THRESHOLD_MP = 16;
  public static final double DEFAULT_PROGRESS_SECONDS = 10;
  /** Output formats {@code --format} accepts. */
  public static final Set<String> FORMATS = Set.of("png", "tiff", "jpg");

  /**
   * The largest of {@link #AUTO_TILE_SIZES} (at least 2 * halo) that still gives every task slot of
   * the cluster a tile ({@code parallelism}) over these images ({width, height} each), else the
   * smallest of them: large tiles for archives and big scans, smaller ones when a run is too small
   * to keep the cores busy otherwise.
   */
  public static int autoTileSize(List<int[]> sizes, int halo, int parallelism) {
    int chosen = Math.max(AUTO_TILE_SIZES.get(0), 2 * halo);
    for (int t : AUTO_TILE_SIZES) {
      if (t < 2 * halo) {
        break;
      }
      chosen = t;
      long tiles = 0;
      for (int[] wh : sizes) {
        tiles += (long) ((wh[0] + t - 1) / t) * ((wh[1] + t - 1) / t);
      }
      if (tiles >= parallelism) {
        break;
      }
    }
    return chosen;
  }

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
    if (tileSize != AUTO_TILE_SIZE && tileSize < 8) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize
          + " but must be >= 8 (or 0: chosen per run)");
    }
    if (halo != null && halo < 0) {
      throw new IllegalArgumentException("'halo' is " + halo + " but must be >= 0");
    }
    if (halo != null && tileSize != AUTO_TILE_SIZE && tileSize < 2 * halo) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize
          + " but must be >= 2 * 'halo' (= " + 2 * halo + ")");
    }
    if (!(partitionMegapixels > 0)) {
      throw new IllegalArgumentException(
          "'partition-megapixels' is " + partitionMegapixels + " but must be > 0");
    }
    if (batchMemoryMb < 1) {
      throw new IllegalArgumentException(
          "'batch-memory-mb' is " + batchMemoryMb + " but must be >= 1");
    }
    if (forwardPermits < 0) {
      throw new IllegalArgumentException(
          "'forward-permits' is " + forwardPermits + " but must be >= 0 (0 = automatic)");
    }
    if (format != null && !FORMATS.contains(format)) {
      throw new IllegalArgumentException("'format' is '" + format
          + "' but must be one of png, tiff, jpg (or unset: the input's format)");
    }
    if (suffix != null && (suffix.contains("/") || suffix.contains("\\"))) {
      throw new IllegalArgumentException("'suffix' is '" + suffix
          + "' but must not contain a path separator");
    }
    if (!(tiffThresholdMp > 0)) {
      throw new IllegalArgumentException(
          "'tiff-threshold-mp' is " + tiffThresholdMp + " but must be > 0");
    }
    if (!(convertThresholdMp > 0)) {
      throw new IllegalArgumentException(
          "'convert-threshold-mp' is " + convertThresholdMp + " but must be > 0");
    }
    if (!(progressSeconds >= 0)) {
      throw new IllegalArgumentException(
          "'progress-seconds' is " + progressSeconds + " but must be >= 0 (0 = off)");
    }
    if (!(maxMegapixels > 0)) {
      throw new IllegalArgumentException(
          "'max-megapixels' is " + maxMegapixels + " but must be > 0");
    }
    for (String in : inputs) {
      PathRules.checkDisjoint("output", output, "input", in);
    }
    inputs = List.copyOf(inputs);
    sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
  }

  /** The first run's settings plus defaults for everything added since. */
  public UpscaleJobConfig(List<String> inputs, String output, int scale, String model,
      int tileSize, Integer halo, BorderPolicy border, double partitionMegapixels, String master,
      Map<String, String> sparkConf) {
    this(inputs, output, scale, model, tileSize, halo, border, partitionMegapixels,
        DEFAULT_BATCH_MEMORY_MB, 0, false, false, null, null, DEFAULT_TIFF_THRESHOLD_MP,
        DEFAULT_CONVERT_THRESHOLD_MP, DEFAULT_PROGRESS_SECONDS, master, sparkConf,
        ImageStore.DEFAULT_MAX_MEGAPIXELS);
  }

  /** This config with the model-dependent defaults filled in and checked. */
  public UpscaleJobConfig forOperator(TileOperator op) {
    if (!op.supportsScale(scale)) {
      throw new IllegalArgumentException(
          "'scale' is " + scale + " but model '" + model + "' does not serve it");
    }
    int h = halo != null ? halo : op.radius();
    BorderPolicy b = border != null ? border : op.defaultBorder();
    if (tileSize != AUTO_TILE_SIZE && tileSize < 2 * h) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize
          + " but must be >= 2 * 'halo' (= " + 2 * h + ", the model's receptive-field radius)");
    }
    return new UpscaleJobConfig(inputs, output, scale, model, tileSize, h, b, partitionMegapixels,
        batchMemoryMb, forwardPermits, overwrite, dryRun, format, suffix, tiffThresholdMp,
        convertThresholdMp, progressSeconds, master, sparkConf,
        maxMegapixels);
  }

  /** {@code --format} as given to its canonical name: tif -> tiff, jpeg -> jpg (null stays). */
  public static String normalizeFormat(String format) {
    if (format == null) {
      return null;
    }
    String f = format.trim().toLowerCase(java.util.Locale.ROOT);
    return switch (f) {
      case "tif" -> "tiff";
      case "jpeg" -> "jpg";
      default -> f;
    };
  }

  /** The suffix appended to output names. */
  public String effectiveSuffix() {
    return suffix != null ? suffix : "_x" + scale;
  }

  public UpscaleJobConfig withOverwrite(boolean v) {
    return new UpscaleJobConfig(inputs, output, scale, model, tileSize, halo, border,
        partitionMegapixels, batchMemoryMb, forwardPermits, v, dryRun, format, suffix,
        tiffThresholdMp, convertThresholdMp, progressSeconds, master, sparkConf,
        maxMegapixels);
  }

  public UpscaleJobConfig withDryRun(boolean v) {
    return new UpscaleJobConfig(inputs, output, scale, model, tileSize, halo, border,
        partitionMegapixels, batchMemoryMb, forwardPermits, overwrite, v, format, suffix,
        tiffThresholdMp, convertThresholdMp, progressSeconds, master, sparkConf,
        maxMegapixels);
  }

  public UpscaleJobConfig withOutputNaming(String newFormat, String newSuffix) {
    return new UpscaleJobConfig(inputs, output, scale, model, tileSize, halo, border,
        partitionMegapixels, batchMemoryMb, forwardPermits, overwrite, dryRun, newFormat,
        newSuffix, tiffThresholdMp, convertThresholdMp, progressSeconds, master, sparkConf,
        maxMegapixels);
  }

  public UpscaleJobConfig withThresholds(double newTiffThresholdMp, double newConvertThresholdMp) {
    return new UpscaleJobConfig(inputs, output, scale, model, tileSize, halo, border,
        partitionMegapixels, batchMemoryMb, forwardPermits, overwrite, dryRun, format, suffix,
        newTiffThresholdMp, newConvertThresholdMp, progressSeconds, master, sparkConf,
        maxMegapixels);
  }

  public UpscaleJobConfig withMaxMegapixels(double newMaxMegapixels) {
    return new UpscaleJobConfig(inputs, output, scale, model, tileSize, halo, border,
        partitionMegapixels, batchMemoryMb, forwardPermits, overwrite, dryRun, format, suffix,
        tiffThresholdMp, convertThresholdMp, progressSeconds, master, sparkConf,
        newMaxMegapixels);
  }

  public UpscaleJobConfig withBatching(int newBatchMemoryMb, int newForwardPermits) {
    return new UpscaleJobConfig(inputs, output, scale, model, tileSize, halo, border,
        partitionMegapixels, newBatchMemoryMb, newForwardPermits, overwrite, dryRun, format,
        suffix, tiffThresholdMp, convertThresholdMp, progressSeconds, master, sparkConf,
        maxMegapixels);
  }

  /**
   * This config with {@link #AUTO_TILE_SIZE} resolved for these images ({width, height} each) and
   * this many task slots ({@link #autoTileSize}); unchanged when a tile size was given.
   */
  public UpscaleJobConfig resolveTileSize(List<int[]> sizes, int parallelism) {
    return tileSize != AUTO_TILE_SIZE ? this
        : withTileSize(autoTileSize(sizes, halo != null ? halo : 0, parallelism));
  }

  /** This config with {@code tile-size} set (the resolution of {@link #AUTO_TILE_SIZE}). */
  public UpscaleJobConfig withTileSize(int size) {
    return new UpscaleJobConfig(inputs, output, scale, model, size, halo, border,
        partitionMegapixels, batchMemoryMb, forwardPermits, overwrite, dryRun, format, suffix,
        tiffThresholdMp, convertThresholdMp, progressSeconds, master, sparkConf, maxMegapixels);
  }
}
