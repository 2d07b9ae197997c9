package io.sparksr.jobs.upscale;

import io.sparksr.io.AtomicFiles;
import io.sparksr.io.HadoopFiles;
import io.sparksr.jobs.Csv;
import io.sparksr.jobs.ParquetAppend;
import io.sparksr.pipeline.ImageOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Step 6: the run's manifest, one row per input ({@link ImageOutcome}), written by the tasks
 * that decided the rows, one part per task: {@code manifest.parquet/} (files
 * {@code part-<run>-<part>.zstd.parquet}, {@link ParquetAppend}; every run's rows kept) and
 * {@code _manifest.csv} (this run's rows, the parts joined at the end of the run).
 */
final class Manifest {
  /** The Parquet schema of manifest.parquet (snake_case columns; run_id and finished_at first). */
  static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("finished_at", DataTypes.LongType, false)
      .add("input", DataTypes.StringType, false)
      .add("output", DataTypes.StringType, true)
      .add("status", DataTypes.StringType, false)
      .add("reason", DataTypes.StringType, true)
      .add("width", DataTypes.IntegerType, false)
      .add("height", DataTypes.IntegerType, false)
      .add("input_bytes", DataTypes.LongType, false)
      .add("output_width", DataTypes.LongType, false)
      .add("output_height", DataTypes.LongType, false)
      .add("output_bytes", DataTypes.LongType, false)
      .add("format", DataTypes.StringType, true)
      .add("tiles", DataTypes.IntegerType, false)
      .add("seconds", DataTypes.DoubleType, false)
      .add("relative_path", DataTypes.StringType, true)
      .add("metadata", DataTypes.StringType, true);

  private Manifest() {}

  /**
   * Writes one task's rows: {@code <folder>/part-<runId>-<part>.zstd.parquet} ({@code folder}:
   * {@code manifest.parquet}, for a table output {@code _manifest.parquet}) and the
   * CSV rows (no header) into this run's hidden CSV folder; both atomically, so a retried task
   * replaces its part and readers never see a partial one. Nothing for no rows.
   */
  static void writePart(Configuration hadoop, String output, String folder, String runId,
      int part, List<ImageOutcome> outcomes) throws IOException {
    if (outcomes.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    List<Row> rows = new ArrayList<>(outcomes.size());
    List<List<Object>> csv = new ArrayList<>(outcomes.size());
    for (ImageOutcome o : outcomes) {
      rows.add(row(o, runId, now));
      csv.add(csvRow(o));
    }
    String name = String.format(Locale.ROOT, "%s-%05d", runId, part);
    ParquetAppend.append(hadoop, output + "/" + folder, name, SCHEMA, rows);
    String text = Csv.text(CSV_HEADER, csv);
    HadoopFiles.writeText(hadoop, csvParts(output, runId) + "/" + name + ".csv",
        text.substring(text.indexOf('\n') + 1));
  }

  /** The hidden folder of a run's CSV parts (joined into {@code _manifest.csv} at its end). */
  static String csvParts(String output, String runId) {
    return output + "/.manifest-" + runId + ".csv.parts";
  }

  /**
   * Joins this run's CSV parts, in part order, under the header into {@code _manifest.csv}
   * (streaming: one part in memory at a time), and deletes them.
   */
  static void joinCsv(Configuration hadoop, String output, String runId) throws IOException {
    String parts = csvParts(output, runId);
    java.util.Set<String> names = HadoopFiles.list(hadoop, parts).keySet(); // sorted by name
    AtomicFiles.write(hadoop, output + "/" + UpscaleJob.MANIFEST, (fs, tmp) -> {
      try (java.io.OutputStream out = AtomicFiles.create(fs, tmp)) {
        out.write(Csv.text(CSV_HEADER, List.of()).getBytes(StandardCharsets.UTF_8));
        for (String n : names) {
          HadoopFiles.copyTo(hadoop, parts + "/" + n, out);
        }
      }
    });
    HadoopFiles.deleteRecursively(hadoop, parts);
  }

  /** This run's rows of {@code manifest.parquet}, in path order. */
  static List<ImageOutcome> read(Configuration hadoop, String output, String manifestFolder,
      String runId) throws IOException {
    String folder = output + "/" + manifestFolder;
    List<ImageOutcome> out = new ArrayList<>();
    for (String n : HadoopFiles.list(hadoop, folder).keySet()) {
      if (!n.startsWith("part-" + runId + "-") || !n.endsWith(".parquet")) {
        continue;
      }
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(folder + "/" + n);
      try (org.apache.parquet.hadoop.ParquetReader<Group> r = org.apache.parquet.hadoop
          .ParquetReader.builder(new GroupReadSupport(), p).withConf(hadoop).build()) {
        for (Group g = r.read(); g != null; g = r.read()) {
          out.add(new ImageOutcome(str(g, "input"), str(g, "relative_path"), str(g, "output"),
              str(g, "status"), str(g, "reason"), g.getInteger("width", 0),
              g.getInteger("height", 0), g.getLong("input_bytes", 0),
              g.getLong("output_width", 0), g.getLong("output_height", 0),
              g.getLong("output_bytes", 0), str(g, "format"), g.getInteger("tiles", 0),
              g.getDouble("seconds", 0), str(g, "metadata"), -1));
        }
      }
    }
    out.sort(java.util.Comparator.comparing(ImageOutcome::input));
    return out;
  }

  private static String str(Group g, String field) {
    return g.getFieldRepetitionCount(field) == 0 ? null : g.getString(field, 0);
  }

  static Row row(ImageOutcome o, String runId, long finishedAt) {
    return RowFactory.create(runId, finishedAt, o.input(), o.output(), o.status(), o.reason(),
        o.width(), o.height(), o.inputBytes(), o.outputWidth(), o.outputHeight(), o.outputBytes(),
        o.format(), o.tiles(), o.seconds(), o.relative(), o.metadata());
  }

  /** The columns of {@code _manifest.csv}. */
  static final List<String> CSV_HEADER = List.of("input", "output", "status", "width", "height",
      "output_width", "output_height", "tiles", "reason", "input_bytes", "output_bytes", "format",
      "seconds", "relative_path", "metadata");

  static List<Object> csvRow(ImageOutcome o) {
    return Arrays.asList(o.input(), o.output(), o.status(), o.width(), o.height(),
        o.outputWidth(), o.outputHeight(), o.tiles(), o.reason(), o.inputBytes(), o.outputBytes(),
        o.format(), String.format(Locale.ROOT, "%.3f", o.seconds()), o.relative(), o.metadata());
  }
}
