package io.sparksr.jobs.upscale;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One row of the manifest: what happened to one input image.
 *
 * @param input        the input (qualified path)
 * @param output       the output file ({@code null} when no name could be given)
 * @param status       {@value #OK}, {@value #FAILED} or {@value #SKIPPED} (the output existed)
 * @param reason       why it failed or was skipped; null when ok
 * @param width        input width (0 if unreadable)
 * @param height       input height
 * @param inputBytes   input file size (-1 if unknown)
 * @param outputWidth  output width as written (after the EXIF orientation); 0 if none
 * @param outputHeight output height
 * @param outputBytes  output file size (-1 if none)
 * @param format       output format: png, jpeg, bmp or tiff ({@code tiled-tiff} / {@code bigtiff}
 *                     for outputs assembled from tiles)
 * @param tiles        tiles the image was split into
 * @param seconds      executor seconds spent on the image (tiles, stitch, encode, write)
 */
public record ImageOutcome(String input, String output, String status, String reason, int width,
    int height, long inputBytes, long outputWidth, long outputHeight, long outputBytes,
    String format, int tiles, double seconds) implements Serializable {

  public static final String OK = "ok";
  public static final String FAILED = "failed";
  public static final String SKIPPED = "skipped";

  /** The Parquet schema of manifest.parquet (snake_case columns; run_id and finished_at first). */
  public static final StructType SCHEMA = new StructType()
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

  static ImageOutcome failed(String input, String output, String reason) {
    return new ImageOutcome(input, output, FAILED, reason, 0, 0, -1, 0, 0, -1, null, 0, 0);
  }

  static ImageOutcome failed(ImageJob job, String reason, int tiles, double seconds) {
    return new ImageOutcome(job.input(), job.output(), FAILED, reason, job.width(), job.height(),
        job.inputBytes(), 0, 0, -1, null, tiles, seconds);
  }

  public boolean ok() {
    return OK.equals(status);
  }

  public boolean isFailed() {
    return FAILED.equals(status);
  }

  public boolean skipped() {
    return SKIPPED.equals(status);
  }

  Row toRow(String runId, long finishedAt) {
    return RowFactory.create(runId, finishedAt, input, output, status, reason, width, height,
        inputBytes, outputWidth, outputHeight, outputBytes, format, tiles, seconds);
  }

  static String csvHeader() {
    return "input,output,status,width,height,output_width,output_height,tiles,reason,"
        + "input_bytes,output_bytes,format,seconds";
  }

  String csvRow() {
    return String.join(",", csv(input), csv(output), status, Integer.toString(width),
        Integer.toString(height), Long.toString(outputWidth), Long.toString(outputHeight),
        Integer.toString(tiles), csv(reason), Long.toString(inputBytes), Long.toString(outputBytes),
        csv(format), String.format(java.util.Locale.ROOT, "%.3f", seconds));
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
