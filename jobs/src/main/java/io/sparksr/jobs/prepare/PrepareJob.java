package io.sparksr.jobs.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.InputListing.Found;
import io.sparksr.jobs.Degradations;
import io.sparksr.jobs.ImageTables;
import io.sparksr.jobs.ListInputs;
import io.sparksr.jobs.StageNames;
import io.sparksr.partitioning.degrade.DegradationSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
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
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hadoop));
    PrepareTotals stats = new PrepareTotals();
    jsc.sc().register(stats, "prepare-images");
    DegradationSpec degradation = Degradations.load(cfg.degradation(), hadoop);
    LOG.info("prepare: LR patches by the '{}' degradation preset", degradation.name());
    PatchRows patches = new PatchRows(conf, cfg, degradation, stats);
    JavaRDD<Row> rows;
    long images;
    ListInputs.Listed listed = null;
    List<PrepareJobResult.Failure> ignoredFiles = new ArrayList<>();
    if (tables) {
      List<ImageTables.TableFile> tableFiles = new ArrayList<>();
      long tableRows = 0;
      for (String in : cfg.inputs()) {
        for (ImageTables.TableFile f : ImageTables.files(hadoop, in)) {
          tableFiles.add(f);
          try {
            tableRows += ImageTables.rows(hadoop, f.path());
          } catch (IOException | RuntimeException e) {
            // its task reports it as a failed entry with the reason
            LOG.warn("prepare: cannot read the footer of table file {}: {}", f.path(),
                io.sparksr.io.Failures.reason(e));
          }
        }
      }
      images = tableRows;
      LOG.info("prepare: {} source images in {} table file(s)", images, tableFiles.size());
      rows = jsc.parallelize(tableFiles, Math.max(1, tableFiles.size()))
          .flatMap(new TablePatchRows(conf, patches));
    } else {
      // listed on the executors (ListInputs), as upscale lists: the driver holds no entry per file
      listed = ListInputs.list(jsc, conf, hadoop, cfg.inputs(), "prepare");
      images = listed.images();
      LOG.info("prepare: {} source images, {} other files ignored", images, listed.ignored());
      if (listed.ignored() > 0) {
        for (Found f : listed.files().filter(Found::ignored).take(PrepareJobResult.IGNORED_SHOWN)) {
          ignoredFiles.add(new PrepareJobResult.Failure(f.path(), f.reason()));
        }
      }
      // an image is many times the work of listing it: spread them over more, smaller tasks
      int slices = (int) Math.max(1, Math.min(images,
          Math.max(jsc.defaultParallelism() * 4L, images / 200)));
      rows = listed.files().filter(f -> !f.ignored()).map(Found::path).repartition(slices)
          .flatMap(patches);
    }
    try {
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
    } finally {
      if (listed != null) {
        listed.release();
      }
    }
    PrepareTotals.Sums sums = stats.value();
    List<PrepareJobResult.Failure> failed = new ArrayList<>();
    sums.failures().forEach((path, why) -> failed.add(new PrepareJobResult.Failure(path, why)));
    long bytes = HadoopFiles.totalSize(hadoop, output);
    PrepareJobResult result = new PrepareJobResult(output, sums.rows(), sums.dropped(), images,
        sums.failed(), failed, listed == null ? 0 : listed.ignored(), ignoredFiles, bytes,
        (System.nanoTime() - start) / 1e9);
    HadoopFiles.writeText(hadoop, output + "/" + SUMMARY, summaryJson(cfg, degradation, result));
    LOG.info("prepare: {} rows, {} MB, {} failed images, {} s", result.totalRows(),
        String.format("%.1f", bytes / 1e6), result.failed(),
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
    m.put("failed", r.failed());
    m.put("failed_images", r.failedImages());
    m.put("ignored", r.ignored());
    m.put("ignored_files", r.ignoredFiles());
    m.put("bytes", r.bytes());
    m.put("seconds", r.seconds());
    m.put("schema", PatchRows.SCHEMA.simpleString());
    m.put("layout", "lr/hr: raw uint8, row-major H x W x C (RGB); lr is patch_size^2 x 3, hr is "
        + "(patch_size * scale)^2 x 3; hr sits at (x * scale, y * scale) of the modcropped source");
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
  }
}
