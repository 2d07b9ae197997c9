package io.sparksr.jobs.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.jobs.Degradations;
import io.sparksr.jobs.ImageTables;
import io.sparksr.jobs.StageNames;
import io.sparksr.jobs.prepare.PatchRows.ImageStats;
import io.sparksr.partitioning.degrade.DegradationSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HR image folders to a Parquet dataset of aligned LR/HR patch pairs, partitioned by scale, plus
 * {@code _SUMMARY.json}. The work unit is a source image; everything is deterministic in the seed.
 */
public final class PrepareJob {
  private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);
  public static final String SUMMARY = "_SUMMARY.json";

  private PrepareJob() {}

  public static PrepareJobResult run(SparkSession spark, PrepareJobConfig cfg) throws IOException {
    long start = System.nanoTime();
    LOG.info("prepare config: {}", cfg);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = jsc.hadoopConfiguration();
    String output = HadoopFiles.qualify(hadoop, cfg.output());
    if (HadoopFiles.exists(hadoop, output)) {
      if (!cfg.overwrite()) {
        throw new IllegalArgumentException(
            "'output' " + output + " exists; pass --overwrite to replace it");
      }
      HadoopFiles.deleteRecursively(hadoop, output);
    }
    boolean tables = ImageTables.allTables(hadoop, cfg.inputs(), "prepare");
    List<ImageTables.TableFile> tableFiles = new ArrayList<>();
    long tableRows = 0;
    if (tables) {
      for (String in : cfg.inputs()) {
        for (ImageTables.TableFile f : ImageTables.files(hadoop, in)) {
          tableFiles.add(f);
          tableRows += ImageTables.rows(hadoop, f.path());
        }
      }
    }
    List<String> inputs = tables ? List.of() : new ImageStore(hadoop).expand(cfg.inputs());
    long images = tables ? tableRows : inputs.size();
    LOG.info("prepare: {} source images{}", images, tables ? " in " + tableFiles.size()
        + " table file(s)" : "");

    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hadoop));
    CollectionAccumulator<ImageStats> stats = jsc.sc().collectionAccumulator("prepare-images");
    int slices = Math.max(1, Math.min(inputs.size(), jsc.defaultParallelism() * 4));
    DegradationSpec degradation = Degradations.load(cfg.degradation(), hadoop);
    LOG.info("prepare: LR patches by the '{}' degradation preset", degradation.name());
    PatchRows patches = new PatchRows(conf, cfg, degradation, stats);
    JavaRDD<Row> rows = tables
        ? jsc.parallelize(tableFiles, Math.max(1, tableFiles.size()))
            .flatMap(new TablePatchRows(conf, patches))
        : jsc.parallelize(inputs, slices).flatMap(patches);
    StageNames.run(jsc, "prepare: patches of " + images + " image(s) to " + output, () -> {
      spark.createDataFrame(rows, PatchRows.SCHEMA)
          .write()
          .mode(SaveMode.ErrorIfExists)
          .partitionBy("scale")
          .option("compression", cfg.compression())
          .option("parquet.block.size", Integer.toString(cfg.rowGroupMb() << 20))
          .parquet(output);
      return null;
    });

    // per-image stats, deduplicated by path (a retried task reports its images again)
    Map<String, ImageStats> byPath = new TreeMap<>();
    for (ImageStats s : stats.value()) {
      byPath.put(s.path(), s);
    }
    Map<Integer, Map<String, Long>> rowCounts = new TreeMap<>();
    Map<Integer, Long> dropped = new TreeMap<>();
    List<PrepareJobResult.Failure> failed = new ArrayList<>();
    for (ImageStats s : byPath.values()) {
      if (s.error() != null) {
        failed.add(new PrepareJobResult.Failure(s.path(), s.error()));
        continue;
      }
      s.rows().forEach((scale, n) -> rowCounts.computeIfAbsent(scale, k -> new TreeMap<>())
          .merge(s.split(), n, Long::sum));
      s.dropped().forEach((scale, n) -> dropped.merge(scale, n, Long::sum));
    }
    long bytes = HadoopFiles.totalSize(hadoop, output);
    PrepareJobResult result = new PrepareJobResult(output, rowCounts, dropped, (int) images,
        failed, bytes, (System.nanoTime() - start) / 1e9);
    HadoopFiles.writeText(hadoop, output + "/" + SUMMARY, summaryJson(cfg, degradation, result));
    LOG.info("prepare: {} rows, {} MB, {} failed images, {} s", result.totalRows(),
        String.format("%.1f", bytes / 1e6), failed.size(),
        String.format("%.1f", result.seconds()));
    return result;
  }

  static String summaryJson(PrepareJobConfig cfg, DegradationSpec degradation, PrepareJobResult r)
      throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("output", r.output());
    m.put("config", cfg);
    m.put("degradation", degradation.toString());
    m.put("images", r.images());
    m.put("rows", r.rows());
    m.put("total_rows", r.totalRows());
    m.put("flat_patches_dropped", r.dropped());
    m.put("failed_images", r.failedImages());
    m.put("bytes", r.bytes());
    m.put("seconds", r.seconds());
    m.put("schema", PatchRows.SCHEMA.simpleString());
    m.put("layout", "lr/hr: raw uint8, row-major H x W x C (RGB); lr is patch_size^2 x 3, hr is "
        + "(patch_size * scale)^2 x 3; hr sits at (x * scale, y * scale) of the modcropped source");
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
  }
}
