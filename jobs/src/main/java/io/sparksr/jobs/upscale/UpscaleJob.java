package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.ImageInfo;
import io.sparksr.io.ImageStore;
import io.sparksr.io.HadoopFiles;
import io.sparksr.jobs.upscale.UpscaleFunctions.Probe;
import io.sparksr.jobs.upscale.UpscaleFunctions.Tiling;
import io.sparksr.partitioning.CostPacker;
import io.sparksr.partitioning.TilePlan;
import io.sparksr.partitioning.TileSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Upscales every input image. The tile is the unit of work: the driver reads headers (on
 * executors), plans tiles, packs them into partitions by cost; executors upscale tiles (one decode
 * per image per partition), then each image's tiles are stitched and written atomically. A bad
 * image becomes a failed row of {@code _manifest.csv}, never a dead job or a black tile.
 */
public final class UpscaleJob {
  private static final Logger LOG = LoggerFactory.getLogger(UpscaleJob.class);
  public static final String MANIFEST = "_manifest.csv";

  private UpscaleJob() {}

  public static UpscaleJobResult run(SparkSession spark, UpscaleJobConfig config)
      throws IOException {
    long start = System.nanoTime();
    UpscaleJobConfig cfg = config.halo() == null || config.border() == null
        ? config.forOperator(OperatorCache.get(config.model())) : config;
    LOG.info("upscale config: {}", cfg);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = jsc.hadoopConfiguration();
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hadoop));
    String output = HadoopFiles.qualify(hadoop, cfg.output());
    Tiling tiling = new Tiling(cfg.model(), cfg.tileSize(), cfg.halo(), cfg.scale(), cfg.border());

    // 1. inputs and their headers (read on executors: a large archive has many)
    List<String> inputs = new ImageStore(hadoop).expand(cfg.inputs());
    int slices = Math.max(1, Math.min(inputs.size(), jsc.defaultParallelism() * 4));
    List<Probe> probes = jsc.parallelize(inputs, slices).map(new UpscaleFunctions.ProbeImage(conf))
        .collect();

    // 2. plan on the driver: output names, tiles, partitions by cost
    List<ImageOutcome> outcomes = new ArrayList<>();
    List<ImageJob> images = new ArrayList<>();
    Map<String, String> claimed = new HashMap<>();
    for (Probe p : probes) {
      String out = outputPath(output, p.path(), cfg.scale());
      if (p.error() != null) {
        outcomes.add(ImageOutcome.failed(p.path(), out, p.error()));
      } else if (claimed.containsKey(out)) {
        outcomes.add(ImageOutcome.failed(p.path(), out,
            "output name collides with that of " + claimed.get(out)));
      } else {
        claimed.put(out, p.path());
        ImageInfo info = p.info();
        images.add(new ImageJob(images.size(), p.path(), out, info.width(), info.height(),
            info.regionReadable(), info.format()));
      }
    }
    List<TileTask> tasks = new ArrayList<>();
    for (ImageJob im : images) {
      TilePlan plan = tiling.plan(im.width(), im.height());
      for (TileSpec t : plan.tiles()) {
        tasks.add(new TileTask(im.index(), im.input(), im.width(), im.height(),
            im.regionReadable(), im.format().bitDepth(), t));
      }
    }
    List<List<TileTask>> partitions = packByCost(tasks, cfg, jsc.defaultParallelism());
    LOG.info("upscale: {} images ({} unreadable), {} tiles in {} partitions", images.size(),
        outcomes.size(), tasks.size(), partitions.size());

    // 3. infer tiles, 4. stitch and write each image
    if (!tasks.isEmpty()) {
      Broadcast<List<ImageJob>> imagesBc = jsc.broadcast(images);
      List<ImageOutcome> written = jsc.parallelize(partitions, partitions.size())
          .mapPartitions(new UpscaleFunctions.InferTiles(conf, tiling))
          .mapToPair(r -> new Tuple2<>(r.image(), r))
          .groupByKey(Math.max(1, Math.min(images.size(), partitions.size())))
          .map(new UpscaleFunctions.StitchImage(conf, imagesBc, tiling))
          .collect();
      outcomes.addAll(written);
    }
    outcomes.sort(Comparator.comparing(ImageOutcome::input));

    // 5. the manifest, written last and atomically
    String manifest = output.replaceAll("/+$", "") + "/" + MANIFEST;
    StringBuilder csv = new StringBuilder(ImageOutcome.csvHeader()).append('\n');
    outcomes.forEach(o -> csv.append(o.csvRow()).append('\n'));
    HadoopFiles.writeText(hadoop, manifest, csv.toString());
    UpscaleJobResult result = new UpscaleJobResult(output, manifest, outcomes, tasks.size(),
        partitions.size(), (System.nanoTime() - start) / 1e9);
    LOG.info("upscale: {} written, {} failed, {} s", result.succeeded(), result.failed(),
        String.format("%.1f", result.seconds()));
    return result;
  }

  /** {@code <output>/<name>_x<scale>.<ext>} for input {@code .../<name>.<ext>}. */
  static String outputPath(String outputDir, String input, int scale) {
    String name = input.substring(input.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    return outputDir.replaceAll("/+$", "") + "/" + stem + "_x" + scale + ext;
  }

  /** Contiguous groups of tiles (image order kept) of about equal output pixels. */
  static List<List<TileTask>> packByCost(List<TileTask> tasks, UpscaleJobConfig cfg,
      int parallelism) {
    long[] costs = new long[tasks.size()];
    double total = 0;
    for (int i = 0; i < costs.length; i++) {
      costs[i] = tasks.get(i).cost(cfg.scale());
      total += costs[i];
    }
    int byCost = (int) Math.ceil(total / (cfg.partitionMegapixels() * 1e6));
    int groups = Math.max(1, Math.max(byCost, Math.min(tasks.size(), parallelism)));
    int[] starts = CostPacker.pack(costs, groups);
    List<List<TileTask>> out = new ArrayList<>(starts.length);
    for (int g = 0; g < starts.length; g++) {
      int end = g + 1 < starts.length ? starts[g + 1] : tasks.size();
      out.add(new ArrayList<>(tasks.subList(starts[g], end)));
    }
    return out;
  }
}
