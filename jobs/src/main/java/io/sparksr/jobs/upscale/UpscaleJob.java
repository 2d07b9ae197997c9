package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.jobs.ImageTables;
import io.sparksr.jobs.ListInputs;
import io.sparksr.jobs.RunIds;
import io.sparksr.jobs.SparkSr;
import io.sparksr.jobs.StageNames;
import io.sparksr.model.SrModel;
import io.sparksr.partitioning.inference.SelfEnsemble;
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
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Upscales every input image; the job only wires, in the order of its steps:
 * <ol>
 *   <li>{@link ListInputs} and {@link Scanned.Probing}: inputs listed and their headers read on
 *       executors (an archive has millions), sorted by path into partitions;
 *       {@link RunFacts}: what each partition must know of the whole, one aggregation;</li>
 *   <li>{@link PlanPartition} (each partition of the listing, {@link UpscalePlanner}): output
 *       names, skips, failures, tiles; small images packed whole into groups; the driver spreads
 *       the images too large for one group (or plans a small run whole);</li>
 *   <li>{@link ConvertInput}: large inputs without random access become tiled TIFFs;</li>
 *   <li>{@link UpscalePartition}: each task runs the tile pipeline
 *       ({@link io.sparksr.pipeline.PartitionUpscaler}: read, batched inference, stitch and write
 *       the images it holds whole);</li>
 *   <li>{@link AssembleImage}: images split over partitions, after a shuffle by image;</li>
 *   <li>{@link WriteManifest}: each task of the last stage writes its rows of the manifest; the
 *       driver sums counts ({@link RunTotals}).</li>
 * </ol>
 * Tables (Parquet files of image bytes) go through {@link UpscaleTableFile}, one task per file.
 * The tile is the unit of work; a bad image becomes a failed row of the manifest, never a dead
 * job or a black tile. The driver holds no object per image.
 *
 * <p>Output folder: the images, {@code manifest.parquet/} (parts written by the tasks, every
 * run's kept, one row per input, {@link Manifest#SCHEMA}) and {@code _manifest.csv} (this run's
 * rows). Hidden {@code .<output>.<setting and input>.parts/} folders hold the compressed tiles of
 * a tiled output until it is assembled (a rerun reuses them), {@code .sparksr-work/} the converted
 * inputs, {@code .sparksr-run-<run>} marks the run's start while it runs.
 */
public final class UpscaleJob {
  private static final Logger LOG = LoggerFactory.getLogger(UpscaleJob.class);
  public static final String MANIFEST = "_manifest.csv";
  public static final String MANIFEST_PARQUET = "manifest.parquet";
  /**
   * The manifest of a table output: hidden from readers of the output table (Spark and DuckDB
   * skip names starting with '_').
   */
  public static final String TABLE_MANIFEST_PARQUET = "_manifest.parquet";
  static final String WORK_DIR = ".sparksr-work";

  private UpscaleJob() {}

  public static UpscaleJobResult run(SparkSession spark, UpscaleJobConfig config)
      throws IOException {
    long start = System.nanoTime();
    TileOperator op = OperatorCache.get(config.model(), config.selfEnsemble(),
        spark.sparkContext().hadoopConfiguration());
    UpscaleJobConfig resolved = config.halo() == null || config.border() == null
        ? config.forOperator(op) : config;
    if (resolved.halo() < op.radius()) {
      LOG.warn("'halo' is {} but the model's receptive-field radius is {}: tiles will show seams "
          + "(the output differs from whole-image inference)", resolved.halo(), op.radius());
    }
    String runId = RunIds.next();
    LOG.info("upscale run {}: {}", runId, resolved);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int parallelism = jsc.defaultParallelism();
    // a copy: the pixel limit is this run's, not the shared context's
    Configuration hadoop = new Configuration(jsc.hadoopConfiguration());
    hadoop.setDouble(ImageStore.MAX_MEGAPIXELS_KEY, resolved.maxMegapixels());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hadoop));
    String output = HadoopFiles.qualify(hadoop, resolved.output()).replaceAll("/+$", "");
    if (ImageTables.allTables(hadoop, resolved.inputs(), "upscale")) {
      return runTables(jsc, resolved, op, runId, conf, hadoop, output, start);
    }
    List<Runnable> release = new ArrayList<>();
    // the file system's time at the start of the run (a marker file's modification time): the
    // outputs this run writes are newer (PlanPartition)
    String marker = output + "/.sparksr-run-" + runId;
    long runStarted = Long.MAX_VALUE;
    if (!resolved.dryRun()) { // a dry run writes nothing
      HadoopFiles.writeText(hadoop, marker, runId);
      runStarted = HadoopFiles.modified(hadoop, marker);
    }
    release.add(() -> {
      try {
        HadoopFiles.deleteRecursively(hadoop, marker);
      } catch (IOException e) {
        LOG.warn("could not delete the run marker {}: {}", marker, e.getMessage());
      }
    });
    try {
      // 1. the inputs, listed (ListInputs) and their headers read (ProbeImage) on executors
      ListInputs.Listed listed = ListInputs.list(jsc, conf, hadoop, resolved.inputs(),
          resolved.inputLists(), "upscale");
      release.add(listed::release);
      JavaRDD<Scanned> scanned = listed.files().mapPartitions(new Scanned.Probing(conf), true)
          .persist(StorageLevel.DISK_ONLY());
      release.add(() -> scanned.unpersist(false));
      RunFacts facts = StageNames.run(jsc, "upscale: read the headers of " + listed.images()
          + " input(s) in " + listed.partitions() + " partition(s)",
          () -> RunFacts.of(scanned, resolved, output));
      UpscaleJobConfig cfg = resolved.resolveTileSize(facts::tilesAt, parallelism);
      if (cfg != resolved) {
        LOG.info("tile-size {} (chosen for {} image(s) and parallelism {})", cfg.tileSize(),
            listed.images(), parallelism);
      }
      Tiling tiling = cfg.tiling();
      OutputSettings settings = new OutputSettings(SparkSr.VERSION, cfg.model(),
          OperatorCache.sha256(op), cfg.selfEnsemble(), runId, cfg.jpegQuality(),
          cfg.pngCompression());
      long probed = System.nanoTime();

      // 2. the plan: each partition of the listing plans its own inputs (PlanPartition); the
      // driver receives counts and the images too large for one partition, and spreads those
      double flopsPerPixel = flopsPerOutputPixel(op, cfg.scale());
      Broadcast<PlanPartition.Shared> shared = jsc.broadcast(new PlanPartition.Shared(cfg,
          output, facts, facts.indexBases(), flopsPerPixel, modelId(op), parallelism,
          output + "/" + WORK_DIR, runStarted));
      JavaRDD<PartitionPlan> plans = scanned
          .mapPartitionsWithIndex(new PlanPartition(conf, shared), true)
          .persist(StorageLevel.DISK_ONLY());
      release.add(() -> plans.unpersist(false));
      List<PartitionPlan.Summary> summaries = StageNames.run(jsc, "upscale: plan "
          + listed.images() + " input(s) in " + listed.partitions() + " partition(s)",
          () -> plans.map(PartitionPlan::summary).collect());
      PlanTotals totals = PlanTotals.NONE;
      int localGroups = 0;
      List<ImageJob> spread = new ArrayList<>();
      for (PartitionPlan.Summary sum : summaries) {
        totals = totals.plus(sum.totals());
        localGroups += sum.groups();
        spread.addAll(sum.spread());
      }
      // a run whose small images fill fewer groups than there are task slots (one image, a
      // few): their tiles are spread over the slots, planned here as one list
      boolean small = localGroups < parallelism;
      List<TileTask> driverTasks = new ArrayList<>();
      if (small && localGroups > 0) {
        driverTasks.addAll(StageNames.run(jsc, "upscale: collect the plan of a small run",
            () -> plans.flatMap(p -> p.groups().stream().flatMap(List::stream).iterator())
                .collect()));
      }
      for (ImageJob im : spread) {
        for (var t : im.plan(cfg.halo(), cfg.scale()).tiles()) {
          driverTasks.add(new TileTask(im, t));
        }
      }
      driverTasks.sort(Comparator.comparingInt((TileTask t) -> t.image().index())
          .thenComparingInt(t -> t.tile().index()));
      List<List<TileTask>> driverPartitions = UpscalePlanner.packByCost(driverTasks,
          cfg.scale(), cfg.partitionMegapixels(), parallelism);
      int groupPartitions = small ? 0 : localGroups;
      String described = totals.describe(cfg, groupPartitions + driverPartitions.size(),
          flopsPerPixel);
      LOG.info("{}", described);
      String manifest = output + "/" + MANIFEST;
      if (cfg.dryRun()) {
        return new UpscaleJobResult(runId, output, manifest, RunTotals.planned(totals),
            totals.tiles(),
            groupPartitions + driverPartitions.size(), (System.nanoTime() - start) / 1e9,
            described, true, hadoop, MANIFEST_PARQUET);
      }
      logRetainedHeap("after planning");
      long planned = System.nanoTime();

      // 3. inputs without random access, too large to decode per partition: tiled TIFF first
      List<ImageOutcome> convertFailed = new ArrayList<>();
      List<ImageJob> toConvert = new ArrayList<>();
      Set<Integer> seen = new HashSet<>();
      for (TileTask t : driverTasks) {
        if (t.image().convert() && seen.add(t.image().index())) {
          toConvert.add(t.image());
        }
      }
      if (!toConvert.isEmpty()) {
        Map<Integer, String> failed = new HashMap<>();
        for (Tuple2<Integer, String> r : StageNames.run(jsc, "upscale: convert "
            + toConvert.size() + " large input(s) to tiled TIFF", () -> jsc.parallelize(toConvert,
                toConvert.size()).map(new ConvertInput(conf)).collect())) {
          if (r._2() != null) {
            failed.put(r._1(), r._2());
          }
        }
        for (ImageJob job : toConvert) {
          if (failed.containsKey(job.index())) {
            convertFailed.add(ImageOutcome.failed(job, failed.get(job.index()), 0, 0));
          }
        }
        driverPartitions = withoutImages(driverPartitions, failed);
      }

      // 4. infer tiles (batched), 5. stitch or assemble each image and write it: the groups
      // planned in the partitions (moved to one inference partition each) and the partitions
      // planned here
      long converted = System.nanoTime();
      long tiles = driverPartitions.stream().mapToLong(List::size).sum()
          + (small ? 0 : summaries.stream().mapToLong(PartitionPlan.Summary::groupTiles).sum());
      int partitions = groupPartitions + driverPartitions.size();
      // images whose tiles all lie in one partition are stitched there; only the others (large
      // images planned here, at most two per partition boundary) go through a shuffle
      int split = splitImages(driverPartitions);
      String name = tiles == 0 ? "upscale: write the manifest"
          : "upscale: infer and write " + tiles + " tile(s) in " + partitions + " partition(s)"
              + (split == 0 ? "" : ", assemble " + split + " image(s) split between partitions")
              + ", write the manifest";
      LongAccumulator tilesDone = jsc.sc().longAccumulator("upscale tiles done");
      LongAccumulator pixelsDone = jsc.sc().longAccumulator("upscale output pixels done");
      List<List<TileTask>> spreadPartitions = driverPartitions;
      RunTotals done;
      try (UpscaleProgress progress = new UpscaleProgress(tiles, tilesDone::value,
          pixelsDone::value, cfg.progressSeconds())) {
        // built inside the named action, so that its shuffle stages carry the name too
        done = StageNames.run(jsc, name, () -> {
          JavaRDD<ImageOutcome> rows = plans.flatMap(p -> p.settled().iterator());
          if (!convertFailed.isEmpty()) {
            rows = rows.union(jsc.parallelize(convertFailed, 1));
          }
          if (tiles > 0) {
            List<JavaRDD<List<TileTask>>> work = new ArrayList<>();
            if (groupPartitions > 0) {
              work.add(groups(plans, summaries, groupPartitions));
            }
            if (!spreadPartitions.isEmpty()) {
              work.add(jsc.parallelize(spreadPartitions, spreadPartitions.size()));
            }
            JavaRDD<List<TileTask>> all = work.size() == 1 ? work.get(0)
                : work.get(0).union(work.get(1));
            JavaRDD<Upscaled> inferred = all.mapPartitions(new UpscalePartition(conf,
                cfg.model(), cfg.forwardPermits(), tiling, settings, tilesDone, pixelsDone));
            int assemblers = Math.max(1, Math.min(split, partitions));
            rows = rows.union(split == 0
                ? inferred.map(new AssembleImage.Finished())
                : inferred.mapToPair(new AssembleImage.ByImage()).groupByKey(assemblers)
                    .map(new AssembleImage(conf, tiling, settings)));
          }
          // 6. the manifest: each task of this last stage writes its rows; the driver sums
          return rows.mapPartitionsWithIndex(new WriteManifest(conf, output, runId), false)
              .fold(RunTotals.NONE, RunTotals::plus);
        });
      }
      long inferred = System.nanoTime();
      Manifest.joinCsv(hadoop, output, runId);
      long manifested = System.nanoTime();
      if (done.failed() == 0) {
        HadoopFiles.deleteRecursively(hadoop, output + "/" + WORK_DIR);
      }
      UpscaleJobResult result = new UpscaleJobResult(runId, output, manifest, done, tiles,
          partitions, (System.nanoTime() - start) / 1e9, described, false, hadoop,
          MANIFEST_PARQUET);
      LOG.info("upscale run {}: {} written, {} skipped, {} failed, {} ignored, {} s (list and "
          + "probe {} s, plan {} s, convert {} s, infer and write {} s, manifest {} s)", runId,
          result.succeeded(), result.skipped(), result.failed(), result.ignored(),
          String.format("%.1f", result.seconds()),
          secs(start, probed), secs(probed, planned), secs(planned, converted),
          secs(converted, inferred), secs(inferred, manifested));
      return result;
    } finally {
      release.forEach(Runnable::run);
    }
  }

  /**
   * Upscales tables (Parquet files of image bytes) into tables of the same names and shape below
   * the output, one Spark task per file ({@link UpscaleTableFile}).
   */
  private static UpscaleJobResult runTables(JavaSparkContext jsc, UpscaleJobConfig resolved,
      TileOperator op, String runId, Broadcast<HadoopConf> conf, Configuration hadoop,
      String output, long start) throws IOException {
    List<ImageTables.TableFile> files = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    long rows = 0;
    for (String in : resolved.inputs()) {
      for (ImageTables.TableFile f : ImageTables.files(hadoop, in)) {
        String first = names.putIfAbsent(f.relative(), f.path());
        if (first != null) {
          throw new IllegalArgumentException("table files " + first + " and " + f.path()
              + " would both be written to " + output + "/" + f.relative());
        }
        files.add(f);
        rows += ImageTables.rows(hadoop, f.path());
      }
    }
    // tables hold many images: the largest tile
    UpscaleJobConfig cfg = resolved.resolveTileSize(t -> Long.MAX_VALUE, jsc.defaultParallelism());
    String described = String.format(java.util.Locale.ROOT, "upscale plan: %,d table file(s), "
        + "%,d row(s), one task per file%n  model %s%s, x%d, tile %d + halo %d px, border %s%n"
        + "  output: a table of the same shape per file (image column upscaled; width, height, "
        + "status, reason), manifest in %s", files.size(), rows, cfg.model(),
        cfg.selfEnsemble() ? " (x8 self-ensemble)" : "", cfg.scale(),
        cfg.tileSize(), cfg.halo(), cfg.border().name().toLowerCase(java.util.Locale.ROOT),
        TABLE_MANIFEST_PARQUET);
    LOG.info("{}", described);
    String manifest = output + "/" + MANIFEST;
    if (cfg.dryRun()) {
      return new UpscaleJobResult(runId, output, manifest, RunTotals.NONE, 0, files.size(),
          (System.nanoTime() - start) / 1e9, described, true, hadoop, TABLE_MANIFEST_PARQUET);
    }
    OutputSettings settings = new OutputSettings(SparkSr.VERSION, cfg.model(),
        OperatorCache.sha256(op),
        cfg.selfEnsemble(), runId, cfg.jpegQuality(), cfg.pngCompression());
    LongAccumulator tilesDone = jsc.sc().longAccumulator("upscale tiles done");
    LongAccumulator pixelsDone = jsc.sc().longAccumulator("upscale output pixels done");
    LongAccumulator rowsDone = jsc.sc().longAccumulator("upscale table rows done");
    RunTotals done;
    try (UpscaleProgress progress = new UpscaleProgress(rows, "rows", rowsDone::value,
        pixelsDone::value, cfg.progressSeconds())) {
      done = StageNames.run(jsc, "upscale: " + rows + " row(s) of " + files.size()
          + " table file(s)", () -> jsc.parallelize(files, Math.max(1, files.size()))
              .mapPartitionsWithIndex(new UpscaleTableFile(conf, cfg, output, runId, settings,
                  cfg.tiling(), flopsPerOutputPixel(op, cfg.scale()), modelId(op), tilesDone,
                  pixelsDone, rowsDone), false)
              .fold(RunTotals.NONE, RunTotals::plus));
    }
    Manifest.joinCsv(hadoop, output, runId);
    UpscaleJobResult result = new UpscaleJobResult(runId, output, manifest, done,
        tilesDone.value(), files.size(), (System.nanoTime() - start) / 1e9, described, false,
        hadoop, TABLE_MANIFEST_PARQUET);
    LOG.info("upscale run {}: {} row(s) written, {} skipped, {} failed, {} s", runId,
        result.succeeded(), result.skipped(), result.failed(),
        String.format("%.1f", result.seconds()));
    return result;
  }

  /** The groups planned in the partitions of the listing, one inference partition each. */
  private static JavaRDD<List<TileTask>> groups(JavaRDD<PartitionPlan> plans,
      List<PartitionPlan.Summary> summaries, int count) {
    int[] groupBase = new int[summaries.size()];
    int next = 0;
    for (PartitionPlan.Summary sum : summaries) {
      groupBase[sum.partition()] = next;
      next += sum.groups();
    }
    return plans.flatMapToPair(p -> {
      List<Tuple2<Integer, List<TileTask>>> out = new ArrayList<>();
      for (int g = 0; g < p.groups().size(); g++) {
        out.add(new Tuple2<>(groupBase[p.partition()] + g, p.groups().get(g)));
      }
      return out.iterator();
    }).partitionBy(new ExactPartitioner(count)).values();
  }

  /** Partition i of the pairs keyed i (0 .. n-1): each local group is one inference partition. */
  static final class ExactPartitioner extends org.apache.spark.Partitioner {
    private final int n;

    ExactPartitioner(int n) {
      this.n = n;
    }

    @Override
    public int numPartitions() {
      return n;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ExactPartitioner e && e.n == n;
    }

    @Override
    public int hashCode() {
      return n;
    }
  }

  /**
   * With {@code -Dsparksr.log-heap=true} (benchmarks): the heap in use after a full collection,
   * i.e. what this JVM retains (in local mode the executors' share too).
   */
  static void logRetainedHeap(String when) {
    if (Boolean.getBoolean("sparksr.log-heap")) {
      System.gc();
      Runtime rt = Runtime.getRuntime();
      LOG.info("retained heap {}: {} MB", when, (rt.totalMemory() - rt.freeMemory()) >> 20);
    }
  }

  private static String secs(long from, long to) {
    return String.format(java.util.Locale.ROOT, "%.2f", (to - from) / 1e9);
  }

  /** The network's FLOPs per output pixel, times 8 for the self-ensemble; NaN for bicubic. */
  static double flopsPerOutputPixel(TileOperator op, int scale) {
    int runs = op instanceof SelfEnsemble ? SelfEnsemble.RUNS : 1;
    return SelfEnsemble.unwrap(op) instanceof SrModel m
        ? runs * m.architecture().flopsPerOutputPixel(scale) : Double.NaN;
  }

  /**
   * Identifies what computes the pixels in the compressed-tile folder names: the model's SHA-256
   * or class, plus "+x8" for the self-ensemble (a rerun with the other choice reuses no tiles).
   */
  static String modelId(TileOperator op) {
    String sha = OperatorCache.sha256(op);
    String id = sha.isEmpty() ? SelfEnsemble.unwrap(op).getClass().getName() : sha;
    return op instanceof SelfEnsemble ? id + "+x8" : id;
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
