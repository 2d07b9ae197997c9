package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.InputListing;
import io.sparksr.jobs.RunIds;
import io.sparksr.jobs.SparkSr;
import io.sparksr.jobs.StageNames;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import io.sparksr.model.SrModel;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.OperatorCache;
import io.sparksr.pipeline.OutputSettings;
import io.sparksr.pipeline.TileTask;
import io.sparksr.pipeline.Tiling;
import io.sparksr.pipeline.Upscaled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Upscales every input image; the job only wires, in the order of its steps:
 * <ol>
 *   <li>{@link ProbeImage}: input headers, read on executors (a large archive has many);</li>
 *   <li>{@link UpscalePlanner} (pure, on the driver): output names, skips, failures, tiles,
 *       cost-packed partitions;</li>
 *   <li>{@link ConvertInput}: large inputs without random access become tiled TIFFs;</li>
 *   <li>{@link UpscalePartition}: each task runs the tile pipeline
 *       ({@link io.sparksr.pipeline.PartitionUpscaler}: read, batched inference, stitch and write
 *       the images it holds whole);</li>
 *   <li>{@link AssembleImage}: images split over partitions, after a shuffle by image;</li>
 *   <li>{@link Manifest}: one row per input.</li>
 * </ol>
 * The tile is the unit of work; a bad image becomes a failed row of the manifest, never a dead
 * job or a black tile.
 *
 * <p>Output folder: the images, {@code manifest.parquet/} (one file appended per run, one row
 * per input, {@link Manifest#SCHEMA}) and {@code _manifest.csv} (this run's rows). Hidden
 * {@code .<output>.<setting>.parts/} folders hold the compressed tiles of a tiled output until it
 * is assembled (a rerun reuses them), {@code .sparksr-work/} the converted inputs.
 */
public final class UpscaleJob {
  private static final Logger LOG = LoggerFactory.getLogger(UpscaleJob.class);
  public static final String MANIFEST = "_manifest.csv";
  public static final String MANIFEST_PARQUET = "manifest.parquet";
  static final String WORK_DIR = ".sparksr-work";

  private UpscaleJob() {}

  public static UpscaleJobResult run(SparkSession spark, UpscaleJobConfig config)
      throws IOException {
    long start = System.nanoTime();
    TileOperator op = OperatorCache.get(config.model(), spark.sparkContext().hadoopConfiguration());
    UpscaleJobConfig resolved = config.halo() == null || config.border() == null
        ? config.forOperator(op) : config;
    if (resolved.halo() < op.radius()) {
      LOG.warn("'halo' is {} but the model's receptive-field radius is {}: tiles will show seams "
          + "(the output differs from whole-image inference)", resolved.halo(), op.radius());
    }
    String runId = RunIds.next();
    LOG.info("upscale run {}: {}", runId, resolved);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // a copy: the pixel limit is this run's, not the shared context's
    Configuration hadoop = new Configuration(jsc.hadoopConfiguration());
    hadoop.setDouble(ImageStore.MAX_MEGAPIXELS_KEY, resolved.maxMegapixels());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hadoop));
    String output = HadoopFiles.qualify(hadoop, resolved.output()).replaceAll("/+$", "");

    // 1. inputs (folders walked on the driver) and their headers (read on executors: a large
    // archive has many), the files already in the output tree
    InputListing.Listing listing = InputListing.list(hadoop, resolved.inputs());
    List<InputListing.Found> inputs = listing.images();
    int slices = Math.max(1, Math.min(inputs.size(), jsc.defaultParallelism() * 4));
    List<Probe> probes = StageNames.run(jsc, "upscale: read the headers of " + inputs.size()
        + " input(s)", () -> jsc.parallelize(inputs, slices).map(new ProbeImage(conf)).collect());
    HadoopFiles.Tree existing = HadoopFiles.listTree(hadoop, output);
    List<int[]> sizes = probes.stream().filter(p -> p.info() != null)
        .map(p -> new int[] {p.info().width(), p.info().height()}).toList();
    UpscaleJobConfig cfg = resolved.resolveTileSize(sizes, jsc.defaultParallelism());
    if (cfg != resolved) {
      LOG.info("tile-size {} (chosen for {} image(s) and parallelism {})", cfg.tileSize(),
          sizes.size(), jsc.defaultParallelism());
    }
    Tiling tiling = cfg.tiling();
    OutputSettings settings = new OutputSettings(SparkSr.VERSION, cfg.model(), modelSha256(op),
        runId, cfg.jpegQuality(), cfg.pngCompression());
    long probed = System.nanoTime();

    // 2. the plan, on the driver
    UpscalePlan plan = UpscalePlanner.plan(cfg, output, probes, listing.ignored(),
        existing.files(), existing.hiddenFolders(), flopsPerOutputPixel(op, cfg.scale()),
        modelId(op), jsc.defaultParallelism(), output + "/" + WORK_DIR);
    String described = plan.describe(cfg);
    LOG.info("{}", described);
    String manifest = output + "/" + MANIFEST;
    if (cfg.dryRun()) {
      return new UpscaleJobResult(runId, output, manifest, plan.settled(), plan.tasks().size(),
          plan.partitions().size(), (System.nanoTime() - start) / 1e9, described, true);
    }
    List<ImageOutcome> outcomes = new ArrayList<>(plan.settled());
    long planned = System.nanoTime();

    // 3. inputs without random access, too large to decode per partition: tiled TIFF first
    List<List<TileTask>> partitions = plan.partitions();
    List<ImageJob> toConvert = plan.images().stream().filter(ImageJob::convert).toList();
    if (!toConvert.isEmpty()) {
      Map<Integer, String> failed = new HashMap<>();
      for (Tuple2<Integer, String> r : StageNames.run(jsc, "upscale: convert "
          + toConvert.size() + " large input(s) to tiled TIFF", () -> jsc.parallelize(toConvert,
              toConvert.size()).map(new ConvertInput(conf)).collect())) {
        if (r._2() != null) {
          failed.put(r._1(), r._2());
          ImageJob job = plan.images().get(r._1());
          outcomes.add(ImageOutcome.failed(job, r._2(), 0, 0));
        }
      }
      partitions = withoutImages(partitions, failed);
    }

    // 4. infer tiles (batched), 5. stitch or assemble each image and write it
    long converted = System.nanoTime();
    int tiles = partitions.stream().mapToInt(List::size).sum();
    if (tiles > 0) {
      LongAccumulator tilesDone = jsc.sc().longAccumulator("upscale tiles done");
      LongAccumulator pixelsDone = jsc.sc().longAccumulator("upscale output pixels done");
      try (UpscaleProgress progress = new UpscaleProgress(tiles, tilesDone::value,
          pixelsDone::value, cfg.progressSeconds())) {
        JavaRDD<Upscaled> inferred = jsc.parallelize(partitions, partitions.size())
            .mapPartitions(new UpscalePartition(conf, cfg.model(), cfg.forwardPermits(), tiling,
                settings, tilesDone, pixelsDone));
        int split = splitImages(partitions);
        // images whose tiles all lie in one partition are stitched there; only the others
        // (at most two per partition boundary) go through a shuffle, and none when there are none
        String name = "upscale: infer and write " + tiles + " tile(s) in " + partitions.size()
            + " partition(s)" + (split == 0 ? "" : ", then assemble " + split
            + " image(s) split between partitions");
        int assemblers = Math.max(1, Math.min(split, partitions.size()));
        List<ImageOutcome> written = StageNames.run(jsc, name, () -> split == 0
            ? inferred.map(new AssembleImage.Finished()).collect()
            : inferred.mapToPair(new AssembleImage.ByImage())
                .groupByKey(assemblers)
                .map(new AssembleImage(conf, tiling, settings))
                .collect());
        outcomes.addAll(written);
      }
    }
    outcomes.sort(Comparator.comparing(ImageOutcome::input));

    // 6. the manifest (Parquet, appended per run; CSV of this run), written last
    long inferred = System.nanoTime();
    Manifest.write(spark.sparkContext().hadoopConfiguration(), output, runId, outcomes);
    long manifested = System.nanoTime();
    if (outcomes.stream().noneMatch(ImageOutcome::isFailed)) {
      HadoopFiles.deleteRecursively(hadoop, output + "/" + WORK_DIR);
    }
    UpscaleJobResult result = new UpscaleJobResult(runId, output, manifest, outcomes,
        plan.tasks().size(), partitions.size(), (System.nanoTime() - start) / 1e9, described,
        false);
    LOG.info("upscale run {}: {} written, {} skipped, {} failed, {} ignored, {} s (probe {} s, "
        + "plan {} s, convert {} s, infer and write {} s, manifest {} s)", runId,
        result.succeeded(), result.skipped(), result.failed(), result.ignored(),
        String.format("%.1f", result.seconds()),
        secs(start, probed), secs(probed, planned), secs(planned, converted),
        secs(converted, inferred), secs(inferred, manifested));
    return result;
  }

  private static String secs(long from, long to) {
    return String.format(java.util.Locale.ROOT, "%.2f", (to - from) / 1e9);
  }

  static double flopsPerOutputPixel(TileOperator op, int scale) {
    return op instanceof SrModel m ? m.architecture().flopsPerOutputPixel(scale) : Double.NaN;
  }

  /** The SHA-256 of the model's bundle, "" for a built-in operator. */
  static String modelSha256(TileOperator op) {
    return op instanceof SrModel m && m.checksum() != null ? m.checksum() : "";
  }

  /** Identifies the model's weights in the compressed-tile folder names: its SHA-256 or class. */
  private static String modelId(TileOperator op) {
    String sha = modelSha256(op);
    return sha.isEmpty() ? op.getClass().getName() : sha;
  }

  private static List<List<TileTask>> withoutImages(List<List<TileTask>> partitions,
      Map<Integer, String> failed) {
    if (failed.isEmpty()) {
      return partitions;
    }
    List<List<TileTask>> out = new ArrayList<>();
    for (List<TileTask> p : partitions) {
      List<TileTask> kept = p.stream().filter(t -> !failed.containsKey(t.image().index()))
          .toList();
      if (!kept.isEmpty()) {
        out.add(new ArrayList<>(kept));
      }
    }
    return out;
  }

  /** Number of images whose tiles lie in more than one partition. */
  static int splitImages(List<List<TileTask>> partitions) {
    Map<Integer, Integer> firstPartition = new HashMap<>();
    Set<Integer> split = new HashSet<>();
    for (int p = 0; p < partitions.size(); p++) {
      for (TileTask t : partitions.get(p)) {
        Integer first = firstPartition.putIfAbsent(t.image().index(), p);
        if (first != null && first != p) {
          split.add(t.image().index());
        }
      }
    }
    return split.size();
  }
}
