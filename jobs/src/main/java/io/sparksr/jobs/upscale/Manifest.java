package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopFiles;
import io.sparksr.jobs.Csv;
import io.sparksr.jobs.ParquetAppend;
import io.sparksr.pipeline.ImageOutcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Step 6: the run's manifest, one row per input ({@link ImageOutcome}): appended to
 * {@code manifest.parquet/} (one file per run, {@link ParquetAppend}) and written as
 * {@code _manifest.csv} (this run's rows).
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

  static void write(Configuration hadoop, String output, String runId,
      List<ImageOutcome> outcomes) throws IOException {
    long now = System.currentTimeMillis();
    List<Row> rows = new ArrayList<>(outcomes.size());
    List<List<Object>> csv = new ArrayList<>(outcomes.size());
    for (ImageOutcome o : outcomes) {
      rows.add(row(o, runId, now));
      csv.add(csvRow(o));
    }
    ParquetAppend.append(hadoop, output + "/" + UpscaleJob.MANIFEST_PARQUET, runId, SCHEMA,
        rows);
    HadoopFiles.writeText(hadoop, output + "/" + UpscaleJob.MANIFEST, Csv.text(CSV_HEADER, csv));
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
