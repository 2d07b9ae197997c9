package io.sparksr.jobs.upscale;

import io.sparksr.jobs.SparkOptions;
import io.sparksr.jobs.SparkSessions;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.pipeline.OperatorCache;
import io.sparksr.pipeline.Tiling;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code sparksr upscale}: the command line of {@link UpscaleJob}. */
@Command(name = "upscale", mixinStandardHelpOptions = true,
    description = "Upscale images: tiles are the unit of work, batched through the model and "
        + "stitched back seam-free. Existing outputs are skipped (resume); exit code 1 when any "
        + "input failed.",
    sortOptions = false)
public final class UpscaleCommand implements Callable<Integer> {

  @Option(names = "--input", split = ",", paramLabel = "<file|dir|glob>",
      description = "Input images: files, directories or globs on any Hadoop FS (repeatable, or "
          + "comma-separated; a path holding ',' in double quotes: '\"/a/Smith, John/\"').")
  List<String> input;

  @Option(names = "--input-list", split = ",", paramLabel = "<file>",
      description = "Inventories of input paths, read on executors (the driver never holds "
          + "them): text with one path per line ('#' comments), or Parquet with a string column "
          + "'path' (an S3 Inventory or HDFS listing export). Each path is mirrored whole below "
          + "the output, e.g. hdfs://nn/archive/2019/a.jpg -> <output>/archive/2019/a_x2.jpg.")
  List<String> inputList;

  @Option(names = "--output", paramLabel = "<dir>",
      description = "Output directory: <name><suffix>.<ext> per image, manifest.parquet/ and "
          + "_manifest.csv.")
  String output;

  @Option(names = "--scale", defaultValue = "" + UpscaleJobConfig.DEFAULT_SCALE,
      description = "Upscaling factor: 2, 3 or 4 "
      + "(default: ${DEFAULT-VALUE}).")
  int scale;

  @Option(names = "--model", defaultValue = UpscaleJobConfig.DEFAULT_MODEL,
      description = "Model: 'default' (the shipped multi-scale network, for clean scans and "
          + "camera originals), 'archive' (the same network fine-tuned for JPEG-compressed, noisy "
          + "photos), 'bicubic' (MATLAB-compatible) or the path of a model bundle (.srm) on any "
          + "Hadoop FS (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--tile-size", defaultValue = "" + UpscaleJobConfig.DEFAULT_TILE_SIZE,
      paramLabel = "<px>", description = "Tile core size in input pixels; 0 (the default) "
          + "= per run: 512, or 256 / 128 when the run has fewer tiles than task slots.")
  int tileSize;

  @Option(names = "--halo", paramLabel = "<px>",
      description = "Context pixels around each tile (default: the model's receptive-field "
          + "radius, which makes tiled output equal whole-image output; smaller: a warning).")
  Integer halo;

  @Option(names = "--border", paramLabel = "<policy>",
      description = "What the model sees outside the image: replicate, reflect, symmetric or zero"
          + " (default: the model's own; bicubic: symmetric, as MATLAB).")
  String border;

  @Option(names = "--partition-megapixels", paramLabel = "<MP>",
      defaultValue = "" + UpscaleJobConfig.DEFAULT_PARTITION_MEGAPIXELS,
      description = "Output megapixels per Spark partition (default: ${DEFAULT-VALUE}).")
  double partitionMegapixels;

  @Option(names = "--batch-memory-mb", paramLabel = "<MiB>",
      defaultValue = "" + Tiling.DEFAULT_BATCH_MEMORY_MB,
      description = "Working memory of one forward pass per task: tiles of one shape are batched "
          + "up to it (default: ${DEFAULT-VALUE}).")
  int batchMemoryMb;

  @Option(names = "--forward-permits", paramLabel = "<n>", defaultValue = "0",
      description = "Forward passes one executor JVM runs at once (its forward lanes), e.g. 1 "
          + "per GPU; 0 = cores / OMP_NUM_THREADS (default: ${DEFAULT-VALUE}).")
  int forwardPermits;

  @Option(names = "--self-ensemble",
      description = "Run the model as the x8 self-ensemble: each tile's 8 flips/rotations "
          + "upscaled and averaged; about 8x the inference time for +0.04 to +0.12 dB PSNR "
          + "(MODEL.md).")
  boolean selfEnsemble;

  @Option(names = "--overwrite",
      description = "Replace existing outputs (default: skip them and do no inference).")
  boolean overwrite;

  @Option(names = "--dry-run",
      description = "Print the plan (images, tiles, partitions, FLOPs, output bytes) and exit.")
  boolean dryRun;

  @Option(names = "--format", paramLabel = "<png|tiff|jpg>",
      description = "Output format (default: the input's).")
  String format;

  @Option(names = "--suffix", paramLabel = "<text>",
      description = "Appended to each input's name (default: _x<scale>).")
  String suffix;

  @Option(names = "--tiff-threshold-mp", paramLabel = "<MP>",
      defaultValue = "" + UpscaleJobConfig.DEFAULT_TIFF_THRESHOLD_MP,
      description = "Outputs above this many megapixels are written as tiled TIFF (BigTIFF over "
          + "4 GiB) from tiles compressed on executors (default: ${DEFAULT-VALUE}).")
  double tiffThresholdMp;

  @Option(names = "--convert-threshold-mp", paramLabel = "<MP>",
      defaultValue = "" + UpscaleJobConfig.DEFAULT_CONVERT_THRESHOLD_MP,
      description = "PNG/JPEG/BMP inputs above this many megapixels are converted once, "
          + "streaming, to a tiled TIFF read by region (default: ${DEFAULT-VALUE}).")
  double convertThresholdMp;

  @Option(names = "--progress-seconds", paramLabel = "<s>",
      defaultValue = "" + UpscaleJobConfig.DEFAULT_PROGRESS_SECONDS,
      description = "Seconds between progress lines on the console; 0 = none (default: "
          + "${DEFAULT-VALUE}).")
  double progressSeconds;

  @Option(names = "--max-megapixels", paramLabel = "<MP>",
      defaultValue = "" + io.sparksr.io.ImageStore.DEFAULT_MAX_MEGAPIXELS,
      description = "Inputs whose header claims more megapixels fail without being decoded "
          + "(decompression bombs); larger real scans need a higher value (default: "
          + "${DEFAULT-VALUE}).")
  double maxMegapixels;

  @Option(names = "--flat",
      description = "Write every output directly into the output folder (default: at its input's "
          + "path below the input folder, e.g. out/2019/trip/IMG_0001_x2.jpg).")
  boolean flat;

  @Option(names = "--jpeg-quality", paramLabel = "<1-100>",
      description = "Quality of JPEG outputs (default: the JPEG source's own, estimated from its "
          + "quantisation tables, with its chroma subsampling; 95 for other sources).")
  Integer jpegQuality;

  @Option(names = "--png-compression", paramLabel = "<0-9>",
      description = "zlib level of PNG outputs: 0 stored, 1 fastest (default: rows filtered with "
          + "Up; 43 %% smaller and 2.4x faster than the JDK encoder on a photo), 3-9 smaller and "
          + "slower (Paeth).")
  Integer pngCompression;

  @Option(names = "--max-files-per-folder", paramLabel = "<n>",
      defaultValue = "" + UpscaleJobConfig.DEFAULT_MAX_FILES_PER_FOLDER,
      description = "An output folder that would receive more outputs (a flat input of a "
          + "million files) is split into 256 subfolders named by the first two hex digits of "
          + "the SHA-256 of each output name (4,096 folders and three digits above 256 times "
          + "this); 0 = never (default: ${DEFAULT-VALUE}).")
  int maxFilesPerFolder;

  @Option(names = "--image-column", paramLabel = "<name>",
      description = "For an input table (Parquet: img2dataset shards, a Hugging Face dataset), "
          + "its column of image bytes (binary, or a struct with a binary 'bytes' field; "
          + "default: the first of image, jpg, jpeg, png, webp, bmp, tif, tiff, bytes).")
  String imageColumn;

  @Option(names = "--key-column", paramLabel = "<name>",
      description = "For an input table, the column naming each row in the manifest (default: "
          + "'key' if the table has one, else the row number).")
  String keyColumn;

  @CommandLine.Mixin
  SparkOptions sparkOptions;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The checked, model-resolved config; every error is a usage error, before Spark starts. */
  UpscaleJobConfig toConfig() {
    try {
      UpscaleJobConfig cfg = UpscaleJobConfig.builder()
          .inputs(input).output(output).scale(scale).model(model).tileSize(tileSize).halo(halo)
          .border(border == null ? null : BorderPolicy.parse(border))
          .partitionMegapixels(partitionMegapixels).batchMemoryMb(batchMemoryMb)
          .forwardPermits(forwardPermits).selfEnsemble(selfEnsemble).overwrite(overwrite).dryRun(dryRun)
          .format(UpscaleJobConfig.normalizeFormat(format)).suffix(suffix)
          .tiffThresholdMp(tiffThresholdMp).convertThresholdMp(convertThresholdMp)
          .progressSeconds(progressSeconds).maxMegapixels(maxMegapixels).flat(flat)
          .jpegQuality(jpegQuality).pngCompression(pngCompression)
          .maxFilesPerFolder(maxFilesPerFolder).imageColumn(imageColumn).keyColumn(keyColumn)
          .inputLists(inputList)
          .master(sparkOptions.master()).sparkConf(sparkOptions.conf())
          .build();
      // the model is loaded as executors will load it: through the run's spark.hadoop.* settings
      return cfg.forOperator(OperatorCache.get(cfg.model(),
          SparkOptions.hadoopConfiguration(cfg.sparkConf())));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    UpscaleJobConfig cfg = toConfig();
    try (SparkSession spark = SparkSessions.create("sparksr upscale", cfg.master(),
        cfg.sparkConf())) {
      UpscaleJobResult result = UpscaleJob.run(spark, cfg);
      spec.commandLine().getOut().println(result.summary());
      return exitCode(result);
    }
  }

  /** 0 when every input was written or skipped, 1 when any failed (usage errors are 2). */
  static int exitCode(UpscaleJobResult result) {
    return result.failed() == 0 ? 0 : 1;
  }
}
