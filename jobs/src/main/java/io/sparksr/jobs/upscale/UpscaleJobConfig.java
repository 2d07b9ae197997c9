package io.sparksr.jobs.upscale;

import io.sparksr.io.ImageStore;
import io.sparksr.jobs.PathRules;
import io.sparksr.partitioning.inference.BicubicOperator;
import io.sparksr.partitioning.inference.SelfEnsemble;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.pipeline.Tiling;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resolved settings of one upscale run, made by a {@link Builder} (named setters: no two
 * values of one type can be swapped by position; each default is the builder's initial value, the
 * one place it is set). Checked by {@link Builder#build}, before Spark starts; checks that need the
 * model (scale served, default halo) are made by {@link #forOperator}. The file is long only
 * because a builder repeats each of the twenty settings as a field, an accessor and a setter.
 *
 * <ul>
 * <li>{@code inputs}:     files, directories or globs (any Hadoop FS)
 * <li>{@code output}:     output directory: {@code <name><suffix>.<ext>} per image, plus
 *                            {@code manifest.parquet/} and {@code _manifest.csv}
 * <li>{@code scale}:      2, 3 or 4
 * <li>{@code model}:      a built-in model name (bicubic), {@code default} or a bundle path
 * <li>{@code tileSize}:   core size of a tile in input pixels
 * <li>{@code halo}:       context around each core; null = the model's receptive-field radius
 * <li>{@code border}:     what the model sees outside the image; null = the model's default
 * <li>{@code partitionMegapixels}: output megapixels per Spark partition (sets the partition count)
 * <li>{@code batchMemoryMb}: working memory of one forward pass (per task), in MiB: sets how many
 *                            tiles of one shape go through the model together
 * <li>{@code forwardPermits}: forward passes one executor JVM runs at once, i.e. its forward lanes
 *                            (0 = cores / OMP_NUM_THREADS; 1 per GPU)
 * <li>{@code selfEnsemble}: run the model as the x8 self-ensemble (the 8 flips/rotations of each
 *                            tile, outputs averaged): 8x the inference for +0.04..+0.12 dB
 * <li>{@code overwrite}:  replace existing outputs (default: skip them, status "skipped")
 * <li>{@code dryRun}:     print the plan and stop
 * <li>{@code format}:     output format png, tiff or jpg; null = the input's
 * <li>{@code suffix}:     appended to the input's name; null = {@code _x<scale>}
 * <li>{@code tiffThresholdMp}: outputs above this many megapixels are written as tiled (Big)TIFF
 *                            from tiles compressed on executors
 * <li>{@code convertThresholdMp}: PNG/JPEG/BMP inputs above this many megapixels are first
 *                            converted,
 *                            streaming, to a tiled TIFF that executors read by region
 * <li>{@code progressSeconds}: seconds between progress lines (0 = none)
 * <li>{@code master}:     Spark master, null = spark-submit's or local[*]
 * <li>{@code sparkConf}:  extra Spark settings
 * <li>{@code maxMegapixels}: inputs whose header claims more megapixels fail (from the header,
 *                            before anything is allocated: decompression bombs); see
 *                            {@link ImageStore#DEFAULT_MAX_MEGAPIXELS}
 * <li>{@code flat}: outputs directly in the output folder (default: each output at its input's
 *                            path below its input root, folders created)
 * <li>{@code jpegQuality}: JPEG output quality 1..100; null = the JPEG source's own (estimated
 *                            from its quantisation tables), else 95
 * <li>{@code pngCompression}: PNG zlib level 0..9; null = {@code WriteOptions}' default (1:
 *                            fast, measured in docs/BENCHMARKS.md)
 * <li>{@code inputLists}: inventories, files listing input paths (text, one per line; or Parquet
 *                            with a string column {@code path}), read on executors; each path
 *                            is mirrored whole below the output (scheme and authority dropped)
 * <li>{@code imageColumn}: for an input table (Parquet), its column of image bytes (binary, or a
 *                            struct with a binary {@code bytes} field); null = the first of
 *                            {@link io.sparksr.jobs.ImageTables#IMAGE_COLUMNS} it has
 * <li>{@code keyColumn}: for an input table, the column naming each row in the manifest;
 *                            null = {@code key} if it has one, else the row number
 * <li>{@code maxFilesPerFolder}: an output folder that would receive more outputs is sharded
 *                            into 256 subfolders named by hash (4,096 above 256 times it);
 *                            0 = never
 * </ul>
 */
public final class UpscaleJobConfig implements Serializable {
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
  public static final int DEFAULT_SCALE = 2;
  public static final String DEFAULT_MODEL = io.sparksr.model.ModelRegistry.DEFAULT;
  public static final double DEFAULT_PARTITION_MEGAPIXELS = 16;
  public static final double DEFAULT_TIFF_THRESHOLD_MP = 100;
  public static final double DEFAULT_CONVERT_THRESHOLD_MP = 16;
  public static final double DEFAULT_PROGRESS_SECONDS = 10;
  /**
   * Outputs per folder above which a folder is sharded: file managers, {@code ls} and backup
   * tools slow down on folders of hundreds of thousands of entries.
   */
  public static final int DEFAULT_MAX_FILES_PER_FOLDER = 10_000;
  /** Output formats {@code --format} accepts. */
  public static final Set<String> FORMATS = Set.of("png", "tiff", "jpg");

  /**
   * The largest of {@link #AUTO_TILE_SIZES} (at least 2 * halo) that still gives every task slot of
   * the cluster a tile ({@code parallelism}) over these images ({width, height} each), else the
   * smallest of them: large tiles for archives and big scans, smaller ones when a run is too small
   * to keep the cores busy otherwise.
   */
  public static int autoTileSize(List<int[]> sizes, int halo, int parallelism) {
    return autoTileSize(t -> {
      long tiles = 0;
      for (int[] wh : sizes) {
        tiles += (long) ((wh[0] + t - 1) / t) * ((wh[1] + t - 1) / t);
      }
      return tiles;
    }, halo, parallelism);
  }

  /** {@link #autoTileSize(List, int, int)} from the run's tile count at each size. */
  public static int autoTileSize(java.util.function.IntToLongFunction tilesAt, int halo,
      int parallelism) {
    int chosen = Math.max(AUTO_TILE_SIZES.get(0), 2 * halo);
    for (int t : AUTO_TILE_SIZES) {
      if (t < 2 * halo) {
        break;
      }
      chosen = t;
      if (tilesAt.applyAsLong(t) >= parallelism) {
        break;
      }
    }
    return chosen;
  }

  private final List<String> inputs;
  private final String output;
  private final int scale;
  private final String model;
  private final int tileSize;
  private final Integer halo;
  private final BorderPolicy border;
  private final double partitionMegapixels;
  private final int batchMemoryMb;
  private final int forwardPermits;
  private final boolean selfEnsemble;
  private final boolean overwrite;
  private final boolean dryRun;
  private final String format;
  private final String suffix;
  private final double tiffThresholdMp;
  private final double convertThresholdMp;
  private final double progressSeconds;
  private final String master;
  private final Map<String, String> sparkConf;
  private final double maxMegapixels;
  private final boolean flat;
  private final Integer jpegQuality;
  private final Integer pngCompression;
  private final int maxFilesPerFolder;
  private final String imageColumn;
  private final String keyColumn;
  private final List<String> inputLists;

  private UpscaleJobConfig(Builder b) {
    this.inputs = b.inputs;
    this.output = b.output;
    this.scale = b.scale;
    this.model = b.model;
    this.tileSize = b.tileSize;
    this.halo = b.halo;
    this.border = b.border;
    this.partitionMegapixels = b.partitionMegapixels;
    this.batchMemoryMb = b.batchMemoryMb;
    this.forwardPermits = b.forwardPermits;
    this.selfEnsemble = b.selfEnsemble;
    this.overwrite = b.overwrite;
    this.dryRun = b.dryRun;
    this.format = b.format;
    this.suffix = b.suffix;
    this.tiffThresholdMp = b.tiffThresholdMp;
    this.convertThresholdMp = b.convertThresholdMp;
    this.progressSeconds = b.progressSeconds;
    this.master = b.master;
    this.sparkConf = b.sparkConf;
    this.maxMegapixels = b.maxMegapixels;
    this.flat = b.flat;
    this.jpegQuality = b.jpegQuality;
    this.pngCompression = b.pngCompression;
    this.maxFilesPerFolder = b.maxFilesPerFolder;
    this.imageColumn = b.imageColumn;
    this.keyColumn = b.keyColumn;
    this.inputLists = b.inputLists;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.inputs = inputs;
    b.output = output;
    b.scale = scale;
    b.model = model;
    b.tileSize = tileSize;
    b.halo = halo;
    b.border = border;
    b.partitionMegapixels = partitionMegapixels;
    b.batchMemoryMb = batchMemoryMb;
    b.forwardPermits = forwardPermits;
    b.selfEnsemble = selfEnsemble;
    b.overwrite = overwrite;
    b.dryRun = dryRun;
    b.format = format;
    b.suffix = suffix;
    b.tiffThresholdMp = tiffThresholdMp;
    b.convertThresholdMp = convertThresholdMp;
    b.progressSeconds = progressSeconds;
    b.master = master;
    b.sparkConf = sparkConf;
    b.maxMegapixels = maxMegapixels;
    b.flat = flat;
    b.jpegQuality = jpegQuality;
    b.pngCompression = pngCompression;
    b.maxFilesPerFolder = maxFilesPerFolder;
    b.imageColumn = imageColumn;
    b.keyColumn = keyColumn;
    b.inputLists = inputLists;
    return b;
  }

  public List<String> inputs() {
    return inputs;
  }

  public String output() {
    return output;
  }

  public int scale() {
    return scale;
  }

  public String model() {
    return model;
  }

  public int tileSize() {
    return tileSize;
  }

  public Integer halo() {
    return halo;
  }

  public BorderPolicy border() {
    return border;
  }

  public double partitionMegapixels() {
    return partitionMegapixels;
  }

  public int batchMemoryMb() {
    return batchMemoryMb;
  }

  public int forwardPermits() {
    return forwardPermits;
  }

  public boolean selfEnsemble() {
    return selfEnsemble;
  }

  public boolean overwrite() {
    return overwrite;
  }

  public boolean dryRun() {
    return dryRun;
  }

  public String format() {
    return format;
  }

  public String suffix() {
    return suffix;
  }

  public double tiffThresholdMp() {
    return tiffThresholdMp;
  }

  public double convertThresholdMp() {
    return convertThresholdMp;
  }

  public double progressSeconds() {
    return progressSeconds;
  }

  public String master() {
    return master;
  }

  public Map<String, String> sparkConf() {
    return sparkConf;
  }

  public double maxMegapixels() {
    return maxMegapixels;
  }

  public boolean flat() {
    return flat;
  }

  public Integer jpegQuality() {
    return jpegQuality;
  }

  public Integer pngCompression() {
    return pngCompression;
  }

  public int maxFilesPerFolder() {
    return maxFilesPerFolder;
  }

  public String imageColumn() {
    return imageColumn;
  }

  public String keyColumn() {
    return keyColumn;
  }

  /** Inventories of input paths (see the class comment); empty for none. */
  public List<String> inputLists() {
    return inputLists;
  }

  /** Named setters over the defaults; {@link #build} checks every rule. */
  public static final class Builder {
    private List<String> inputs;
    private String output;
    private int scale = DEFAULT_SCALE;
    private String model = DEFAULT_MODEL;
    private int tileSize = DEFAULT_TILE_SIZE;
    private Integer halo;
    private BorderPolicy border;
    private double partitionMegapixels = DEFAULT_PARTITION_MEGAPIXELS;
    private int batchMemoryMb = Tiling.DEFAULT_BATCH_MEMORY_MB;
    private int forwardPermits = 0;
    private boolean selfEnsemble = false;
    private boolean overwrite = false;
    private boolean dryRun = false;
    private String format;
    private String suffix;
    private double tiffThresholdMp = DEFAULT_TIFF_THRESHOLD_MP;
    private double convertThresholdMp = DEFAULT_CONVERT_THRESHOLD_MP;
    private double progressSeconds = DEFAULT_PROGRESS_SECONDS;
    private String master;
    private Map<String, String> sparkConf = Map.of();
    private double maxMegapixels = ImageStore.DEFAULT_MAX_MEGAPIXELS;
    private boolean flat;
    private Integer jpegQuality;
    private Integer pngCompression;
    private int maxFilesPerFolder = DEFAULT_MAX_FILES_PER_FOLDER;
    private String imageColumn;
    private String keyColumn;
    private List<String> inputLists = List.of();

    private Builder() {}

    public Builder inputs(List<String> v) {
      this.inputs = v;
      return this;
    }

    public Builder output(String v) {
      this.output = v;
      return this;
    }

    public Builder scale(int v) {
      this.scale = v;
      return this;
    }

    public Builder model(String v) {
      this.model = v;
      return this;
    }

    public Builder tileSize(int v) {
      this.tileSize = v;
      return this;
    }

    public Builder halo(Integer v) {
      this.halo = v;
      return this;
    }

    public Builder border(BorderPolicy v) {
      this.border = v;
      return this;
    }

    public Builder partitionMegapixels(double v) {
      this.partitionMegapixels = v;
      return this;
    }

    public Builder batchMemoryMb(int v) {
      this.batchMemoryMb = v;
      return this;
    }

    public Builder selfEnsemble(boolean v) {
      this.selfEnsemble = v;
      return this;
    }

    public Builder forwardPermits(int v) {
      this.forwardPermits = v;
      return this;
    }

    public Builder overwrite(boolean v) {
      this.overwrite = v;
      return this;
    }

    public Builder dryRun(boolean v) {
      this.dryRun = v;
      return this;
    }

    public Builder format(String v) {
      this.format = v;
      return this;
    }

    public Builder suffix(String v) {
      this.suffix = v;
      return this;
    }

    public Builder tiffThresholdMp(double v) {
      this.tiffThresholdMp = v;
      return this;
    }

    public Builder convertThresholdMp(double v) {
      this.convertThresholdMp = v;
      return this;
    }

    public Builder progressSeconds(double v) {
      this.progressSeconds = v;
      return this;
    }

    public Builder master(String v) {
      this.master = v;
      return this;
    }

    public Builder sparkConf(Map<String, String> v) {
      this.sparkConf = v;
      return this;
    }

    public Builder maxMegapixels(double v) {
      this.maxMegapixels = v;
      return this;
    }

    public Builder flat(boolean v) {
      this.flat = v;
      return this;
    }

    public Builder pngCompression(Integer v) {
      this.pngCompression = v;
      return this;
    }

    public Builder maxFilesPerFolder(int v) {
      this.maxFilesPerFolder = v;
      return this;
    }

    public Builder imageColumn(String v) {
      this.imageColumn = v;
      return this;
    }

    public Builder keyColumn(String v) {
      this.keyColumn = v;
      return this;
    }

    public Builder inputLists(List<String> v) {
      this.inputLists = v == null ? List.of() : v;
      return this;
    }

    public Builder jpegQuality(Integer v) {
      this.jpegQuality = v;
      return this;
    }

    /** The config, checked: each broken rule names the option, its value and the rule. */
    public UpscaleJobConfig build() {
      inputs = inputs == null ? List.of() : inputs;
      if (inputs.isEmpty() && inputLists.isEmpty()) {
        throw new IllegalArgumentException(
            "'input' is missing: give at least one file, dir or glob (or an 'input-list')");
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
      if (maxFilesPerFolder < 0) {
        throw new IllegalArgumentException("'max-files-per-folder' is " + maxFilesPerFolder
            + " but must be >= 0 (0 = never shard)");
      }
      if (pngCompression != null && (pngCompression < 0 || pngCompression > 9)) {
        throw new IllegalArgumentException("'png-compression' is " + pngCompression
            + " but must be in 0..9");
      }
      if (jpegQuality != null && (jpegQuality < 1 || jpegQuality > 100)) {
        throw new IllegalArgumentException("'jpeg-quality' is " + jpegQuality
            + " but must be in 1..100 (or unset: the source's quality)");
      }
      for (String in : inputs) {
        PathRules.checkDisjoint("output", output, "input", in);
      }
      inputs = List.copyOf(inputs);
      inputLists = List.copyOf(inputLists);
      sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
      return new UpscaleJobConfig(this);
    }
  }

  /** This config with the model-dependent defaults filled in and checked. */
  public UpscaleJobConfig forOperator(TileOperator op) {
    if (!op.supportsScale(scale)) {
      throw new IllegalArgumentException(
          "'scale' is " + scale + " but model '" + model + "' does not serve it");
    }
    if (selfEnsemble && SelfEnsemble.unwrap(op) instanceof BicubicOperator) {
      throw new IllegalArgumentException("'self-ensemble' is set but model '" + model
          + "' gives the same output for every flip and rotation: the ensemble would cost 8x "
          + "for nothing (use it with a network model)");
    }
    int h = halo != null ? halo : op.radius();
    BorderPolicy b = border != null ? border : op.defaultBorder();
    if (tileSize != AUTO_TILE_SIZE && tileSize < 2 * h) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize
          + " but must be >= 2 * 'halo' (= " + 2 * h + ", the model's receptive-field radius)");
    }
    return toBuilder().halo(h).border(b).build();
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

  /**
   * This config with {@link #AUTO_TILE_SIZE} resolved for these images ({width, height} each) and
   * this many task slots ({@link #autoTileSize}); unchanged when a tile size was given.
   */
  public UpscaleJobConfig resolveTileSize(List<int[]> sizes, int parallelism) {
    return tileSize != AUTO_TILE_SIZE ? this
        : toBuilder().tileSize(autoTileSize(sizes, halo != null ? halo : 0, parallelism)).build();
  }

  /** {@link #resolveTileSize(List, int)} from the run's tile count at each auto size. */
  public UpscaleJobConfig resolveTileSize(java.util.function.IntToLongFunction tilesAt,
      int parallelism) {
    return tileSize != AUTO_TILE_SIZE ? this
        : toBuilder().tileSize(autoTileSize(tilesAt, halo != null ? halo : 0, parallelism))
            .build();
  }

  /**
   * The pipeline's inference settings; needs the halo and border resolved ({@link #forOperator})
   * and a tile size ({@link #resolveTileSize}).
   */
  public Tiling tiling() {
    if (halo == null || border == null || tileSize == AUTO_TILE_SIZE) {
      throw new IllegalStateException("halo, border and tile size must be resolved first: "
          + this);
    }
    return new Tiling(scale, border, halo, (long) batchMemoryMb << 20, tileSize);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpscaleJobConfig c && toString().equals(c.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "UpscaleJobConfig[inputs=" + inputs + ", output=" + output + ", scale=" + scale
        + ", model=" + model + ", tileSize=" + tileSize + ", halo=" + halo + ", border=" + border
        + ", partitionMegapixels=" + partitionMegapixels + ", batchMemoryMb=" + batchMemoryMb
        + ", forwardPermits=" + forwardPermits + ", selfEnsemble=" + selfEnsemble
        + ", overwrite=" + overwrite
        + ", dryRun=" + dryRun + ", format=" + format + ", suffix=" + suffix
        + ", tiffThresholdMp=" + tiffThresholdMp + ", convertThresholdMp=" + convertThresholdMp
        + ", progressSeconds=" + progressSeconds + ", master=" + master
        + ", sparkConf=" + sparkConf + ", maxMegapixels=" + maxMegapixels + ", flat=" + flat
        + ", jpegQuality=" + jpegQuality + ", pngCompression=" + pngCompression
        + ", maxFilesPerFolder=" + maxFilesPerFolder + ", imageColumn=" + imageColumn
        + ", keyColumn=" + keyColumn + ", inputLists=" + inputLists + "]";
  }
}
