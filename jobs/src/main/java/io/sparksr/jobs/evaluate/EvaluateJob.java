package io.sparksr.jobs.evaluate;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.InputListing;
import io.sparksr.jobs.ImageTables;
import io.sparksr.jobs.ParquetAppend;
import io.sparksr.jobs.RunIds;
import io.sparksr.jobs.StageNames;
import io.sparksr.jobs.evaluate.EvalPlanner.CropSpec;
import io.sparksr.jobs.evaluate.EvalPlanner.DatasetImages;
import io.sparksr.jobs.evaluate.EvalPlanner.EvalPlan;
import io.sparksr.jobs.evaluate.EvaluateFunctions.AddResult;
import io.sparksr.jobs.evaluate.EvaluateFunctions.ByResultKey;
import io.sparksr.jobs.evaluate.EvaluateFunctions.BySummaryKey;
import io.sparksr.jobs.evaluate.EvaluateFunctions.EvaluateUnits;
import io.sparksr.jobs.evaluate.EvaluateFunctions.FileSha256;
import io.sparksr.jobs.evaluate.EvaluateFunctions.FromRow;
import io.sparksr.jobs.evaluate.EvaluateFunctions.IsCurrent;
import io.sparksr.jobs.evaluate.EvaluateFunctions.IsOk;
import io.sparksr.jobs.evaluate.EvaluateFunctions.StaleReason;
import io.sparksr.jobs.evaluate.EvaluateFunctions.MergeAccumulators;
import io.sparksr.jobs.evaluate.EvaluateFunctions.Preferred;
import io.sparksr.partitioning.degrade.LrDegradation;
import io.sparksr.pipeline.OperatorCache;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Evaluates models on SR benchmark data sets: for each HR image and scale, modcrop and MATLAB
 * bicubic LR; super-resolve with each model under each setting through the upscale job's tiling
 * rules (timed); PSNR/SSIM on Y with border = scale. The unit of work is (image, scale, model);
 * models are loaded once per executor.
 *
 * <p>Output folder: {@code results.parquet/} (one Parquet file per run, appended by a single task
 * whose commit is one rename, so a run's rows appear all at once or not at all), {@code
 * summary.csv} (means per data set, scale, model and setting over every row, aggregated in Spark
 * with {@link EvalAccumulator}), {@code report.md}, {@code report.html}, {@code charts/*.svg},
 * {@code crops/}. Resume: rows already in results.parquet (ok ones) are not computed again if they
 * were computed from this run's model weights, HR file bytes and degradation steps ({@link
 * Provenance}: the rows record them); other rows under the same names are stale, computed again
 * and left out of the means. Failed rows are retried by the next run.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  public static final String RESULTS = "results.parquet";
  public static final String SUMMARY = "summary.csv";
  public static final String REPORT_MD = "report.md";
  public static final String REPORT_HTML = "report.html";
  public static final String CHARTS = "charts";
  /** Where the images of table data sets are written (one folder per data set). */
  public static final String TABLES = "_tables";

  private EvaluateJob() {}

  public static EvaluateJobResult run(SparkSession spark, EvaluateJobConfig cfg)
      throws IOException {
    long start = System.nanoTime();
    LOG.info("evaluate config: {}", cfg);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = jsc.hadoopConfiguration();
    cfg.checkModels(m -> OperatorCache.get(m, hadoop));
    // the weights this run scores: executors check theirs against them (a checkpoint rewritten
    // during the run gives failed rows, not a mix of two models' scores under one name)
    Map<String, String> shas = new java.util.HashMap<>();
    for (String m : cfg.models()) {
      shas.put(m, OperatorCache.sha256(OperatorCache.get(m, hadoop)));
    }
    String output = HadoopFiles.qualify(hadoop, cfg.output()).replaceAll("/+$", "");
    String results = output + "/" + RESULTS;
    String runId = RunIds.next();

    // 1. the HR images of each data set, the published anchors
    List<DatasetImages> datasets = new ArrayList<>();
    Broadcast<HadoopConf> tableConf = jsc.broadcast(new HadoopConf(hadoop));
    for (EvaluateJobConfig.Dataset d : cfg.datasets()) {
      String path = d.path();
      if (ImageTables.isTable(hadoop, path)) {
        // a table's images become files under the output (hidden from readers), read as a folder
        String folder = output + "/" + TABLES + "/" + d.name();
        // images of an earlier table of that name are not this table's
        HadoopFiles.deleteRecursively(hadoop, folder);
        List<ImageTables.TableFile> files = ImageTables.files(hadoop, path);
        int n = StageNames.run(jsc, "evaluate: images of table " + d.name(), () ->
            jsc.parallelize(files, Math.max(1, files.size()))
                .map(f -> ImageTables.extract(tableConf.value().get(), f, folder))
                .reduce(Integer::sum));
        LOG.info("evaluate: {} image(s) of table {} in {}", n, path, folder);
        long written = HadoopFiles.list(hadoop, folder).size();
        if (written != n) {
          throw new IllegalArgumentException("'datasets' " + d.name() + "=" + d.path() + " has "
              + n + " images but " + written + " distinct keys: keys must be unique within a "
              + "table (rows without a key are named by file and row)");
        }
        path = folder;
      }
      List<InputListing.Found> found = InputListing.list(hadoop, List.of(path)).images();
      List<String> paths = found.stream().map(InputListing.Found::path).toList();
      // what the rows record of each HR file: the SHA-256 of its bytes (read in parallel)
      List<String> hashes = paths.isEmpty() ? List.of() : StageNames.run(jsc,
          "evaluate: SHA-256 of the " + paths.size() + " HR file(s) of " + d.name(),
          () -> jsc.parallelize(paths, Math.max(1, Math.min(paths.size(),
              jsc.defaultParallelism() * 3))).map(new FileSha256(tableConf)).collect());
      DatasetImages ds = new DatasetImages(d.name(), paths,
          found.stream().map(InputListing.Found::relative).toList(), hashes);
      if (!EvalPlanner.duplicateImageNames(ds).isEmpty()) {
        throw new IllegalArgumentException("'datasets' " + d.name() + "=" + d.path()
            + " has file names that occur twice " + EvalPlanner.duplicateImageNames(ds)
            + " but names must be unique within a data set");
      }
      datasets.add(ds);
    }
    Anchors anchors = cfg.anchors() == null ? Anchors.none()
        : Anchors.parse(HadoopFiles.readText(hadoop, cfg.anchors()), cfg.anchors());

    // 2. resume: what results.parquet already has of the weights, HR files and degradations of
    // this run (rows of other ones are stale: neither resumed nor averaged); then the plan
    Provenance provenance = Provenance.of(shas, datasets, cfg.settings());
    Set<ResultKey> done = new HashSet<>();
    Map<String, Long> stale = new java.util.TreeMap<>();
    if (HadoopFiles.exists(hadoop, results)) {
      JavaRDD<EvalResult> earlier = readResults(spark, results);
      done.addAll(earlier.filter(new IsOk()).filter(new IsCurrent(provenance))
          .map(EvalResult::key).collect());
      earlier.map(new StaleReason(provenance)).countByValue().forEach((why, n) -> {
        if (!why.isEmpty()) {
          stale.put(why, n);
        }
      });
      stale.forEach((why, n) -> LOG.warn("evaluate: {} row(s) of earlier runs left out: {}", n,
          why));
    }
    EvalPlan plan = EvalPlanner.plan(datasets, cfg.scales(), cfg.models(), shas, cfg.settings(),
        done, cfg.crops());
    LOG.info("evaluate run {}: {} unit(s) to compute {} row(s); {} row(s) already in {}", runId,
        plan.units().size(), plan.toCompute(), plan.present(), results);

    // 3. evaluate on executors; 4. append this run's rows to results.parquet
    List<EvalResult> computed = List.of();
    if (!plan.units().isEmpty()) {
      List<List<EvalUnit>> groups = EvalPlanner.group(plan.units(), jsc.defaultParallelism() * 3);
      Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hadoop));
      long t0 = System.nanoTime();
      computed = StageNames.run(jsc, "evaluate: " + plan.units().size() + " unit(s) of "
          + plan.toCompute() + " result(s) in " + groups.size() + " partition(s)",
          () -> jsc.parallelize(groups, groups.size())
              .mapPartitions(new EvaluateUnits(conf, runId, output, shas))
              .collect());
      LOG.info("evaluate run {}: {} row(s) computed in {} partition(s) in {} s", runId,
          computed.size(), groups.size(), String.format("%.1f", (System.nanoTime() - t0) / 1e9));
      appendResults(hadoop, results, runId, computed);
    }
    List<EvalResult> failures = new ArrayList<>();
    for (EvalResult r : computed) {
      if (!r.ok()) {
        failures.add(r);
      }
    }

    // 5. means over every row of results.parquet, aggregated in Spark
    List<EvalSummary> summaries = HadoopFiles.exists(hadoop, results)
        ? summarize(readResults(spark, results).filter(new IsCurrent(provenance)))
        : new ArrayList<>();
    summaries.sort(order(cfg));
    HadoopFiles.writeText(hadoop, output + "/" + SUMMARY, EvalSummary.csv(summaries));

    // 6. the report: charts, crops that exist, Markdown and HTML
    double seconds = (System.nanoTime() - start) / 1e9;
    EvalReport.Input in = new EvalReport.Input(runId,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), seconds, computed.size(),
        plan.present(), cfg.datasets().stream().map(EvaluateJobConfig.Dataset::name).toList(),
        cfg.degradations().stream().map(LrDegradation::name).toList(), summaries, anchors,
        cfg.anchors(), cropSets(hadoop, output, plan.crops()), failures, stale);
    for (Map.Entry<String, String> chart : EvalReport.charts(in).entrySet()) {
      HadoopFiles.writeText(hadoop, output + "/" + CHARTS + "/" + chart.getKey(), chart.getValue());
    }
    HadoopFiles.writeText(hadoop, output + "/" + REPORT_MD, EvalReport.markdown(in));
    HadoopFiles.writeText(hadoop, output + "/" + REPORT_HTML, EvalReport.html(in));

    EvaluateJobResult result = new EvaluateJobResult(runId, output, results,
        output + "/" + SUMMARY, output + "/" + REPORT_MD, output + "/" + REPORT_HTML,
        computed.size(), plan.present(), stale, failures, summaries,
        (System.nanoTime() - start) / 1e9);
    LOG.info("evaluate run {}: {} computed, {} failed, {} present, {} s", runId, computed.size(),
        failures.size(), plan.present(), String.format("%.1f", result.seconds()));
    return result;
  }

  /** Every row of results.parquet. */
  static JavaRDD<EvalResult> readResults(SparkSession spark, String results) {
    return spark.read().schema(EvalResult.SCHEMA).parquet(results).javaRDD().map(new FromRow());
  }

  /** Appends this run's rows as one new Parquet file ({@link ParquetAppend}). */
  static void appendResults(Configuration hadoop, String results, String runId,
      List<EvalResult> rows) throws IOException {
    List<Row> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(r.toRow()));
    ParquetAppend.append(hadoop, results, runId, EvalResult.SCHEMA, out);
  }

  /**
   * Means per data set, scale, model and setting: one row per key counts (the preferred one: an ok
   * row over a failed one); a key with failed rows only is counted as failed.
   */
  static List<EvalSummary> summarize(JavaRDD<EvalResult> rows) {
    List<Tuple2<SummaryKey, EvalAccumulator>> sums = rows
        .mapToPair(new ByResultKey())
        .reduceByKey(new Preferred())
        .values()
        .mapToPair(new BySummaryKey())
        .aggregateByKey(new EvalAccumulator(), new AddResult(), new MergeAccumulators())
        .collect();
    List<EvalSummary> out = new ArrayList<>(sums.size());
    for (Tuple2<SummaryKey, EvalAccumulator> t : sums) {
      out.add(new EvalSummary(t._1(), t._2().result()));
    }
    return out;
  }

  /** Data sets and models in command-line order (others after, by name), then scale, setting. */
  static Comparator<EvalSummary> order(EvaluateJobConfig cfg) {
    List<String> ds = cfg.datasets().stream().map(EvaluateJobConfig.Dataset::name).toList();
    List<String> models = cfg.models();
    return Comparator
        .comparingInt((EvalSummary s) -> rank(ds, s.dataset())).thenComparing(EvalSummary::dataset)
        .thenComparingInt(EvalSummary::scale)
        .thenComparingInt(s -> rank(models, s.model())).thenComparing(EvalSummary::model)
        .thenComparing(EvalSummary::setting);
  }

  private static int rank(List<String> order, String name) {
    int i = order.indexOf(name);
    return i < 0 ? order.size() : i;
  }

  /** The crop panels of the plan that exist on disk (written by this run or an earlier one). */
  private static List<EvalReport.CropSet> cropSets(Configuration hadoop, String output,
      List<CropSpec> specs) throws IOException {
    List<EvalReport.CropSet> out = new ArrayList<>();
    for (CropSpec c : specs) {
      List<EvalReport.Panel> panels = new ArrayList<>();
      for (CropPanels.Spec panel : c.panels()) {
        String rel = CropPanels.relativePath(c.dataset(), c.image(), c.scale(), panel.name());
        if (HadoopFiles.exists(hadoop, output + "/" + rel)) {
          panels.add(new EvalReport.Panel(panel.label(), rel));
        }
      }
      out.add(new EvalReport.CropSet(c.dataset(), c.image(), c.scale(), c.degradation(),
          panels));
    }
    return out;
  }
}
