package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopFiles;
import io.sparksr.pipeline.ImageOutcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Step 6: the run's manifest, one row per input ({@link ImageOutcome}): appended to
 * {@code manifest.parquet/} (one file per run, {@link ManifestParquet}) and written as
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
      .add("seconds", DataTypes.DoubleType, false);

  private Manifest() {}

  static void write(Configuration hadoop, String output, String runId,
      List<ImageOutcome> outcomes) throws IOException {
    long now = System.currentTimeMillis();
    List<Row> rows = new ArrayList<>(outcomes.size());
    StringBuilder csv = new StringBuilder(csvHeader()).append('\n');
    for (ImageOutcome o : outcomes) {
      rows.add(row(o, runId, now));
      csv.append(csvRow(o)).append('\n');
    }
    ManifestParquet.append(hadoop, output + "/" + UpscaleJob.MANIFEST_PARQUET, runId, SCHEMA,
        rows);
    HadoopFiles.writeText(hadoop, output + "/" + UpscaleJob.MANIFEST, csv.toString());
  }

  static Row row(ImageOutcome o, String runId, long finishedAt) {
    return RowFactory.create(runId, finishedAt, o.input(), o.output(), o.status(), o.reason(),
        o.width(), o.height(), o.inputBytes(), o.outputWidth(), o.outputHeight(), o.outputBytes(),
        o.format(), o.tiles(), o.seconds());
  }

  static String csvHeader() {
    return "input,output,status,width,height,output_width,output_height,tiles,reason,"
        + "input_bytes,output_bytes,format,seconds";
  }

  static String csvRow(ImageOutcome o) {
    return String.join(",", csv(o.input()), csv(o.output()), o.status(),
        Integer.toString(o.width()), Integer.toString(o.height()),
        Long.toString(o.outputWidth()), Long.toString(o.outputHeight()),
        Integer.toString(o.tiles()), csv(o.reason()), Long.toString(o.inputBytes()),
        Long.toString(o.outputBytes()), csv(o.format()),
        String.format(Locale.ROOT, "%.3f", o.seconds()));
  }

  private static String csv(String s) {
    if (s == null) {
      return "";
    }
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
