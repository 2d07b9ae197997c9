package io.sparksr.jobs.evaluate;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One row of results.parquet: one HR image, scale, model and setting. Failed rows (a bad image, a
 * model that throws) carry the reason in {@code error} and NaN metrics; they are not counted in
 * the means and are computed again by the next run.
 *
 * @param runId      the run that computed the row
 * @param dataset    data set name
 * @param image      HR file name
 * @param path       qualified HR path
 * @param scale      2, 3 or 4
 * @param model      model name as given
 * @param setting    {@link Setting#name()}
 * @param tileSize   tile core size in LR pixels (0 = whole image)
 * @param selfEnsemble whether the x8 self-ensemble was used
 * @param psnr       PSNR on Y, border = scale, dB
 * @param ssim       SSIM on Y, border = scale
 * @param seconds    wall time of the super-resolution alone (all tiles + stitch; not decode, LR
 *                   generation or scoring)
 * @param hrWidth    width of the modcropped HR image (= SR output)
 * @param hrHeight   height of the modcropped HR image
 * @param lrWidth    LR input width
 * @param lrHeight   LR input height
 * @param channels   colour channels scored (3, or 1 for grey; alpha is dropped)
 * @param tiles      tiles the LR image was split into
 * @param error      null, or why the row could not be computed
 * @param finishedAt epoch milliseconds when the row was computed
 */
public record EvalResult(String runId, String dataset, String image, String path, int scale,
    String model, String setting, int tileSize, boolean selfEnsemble, double psnr, double ssim,
    double seconds, int hrWidth, int hrHeight, int lrWidth, int lrHeight, int channels, int tiles,
    String error, long finishedAt) implements Serializable {

  /** The Parquet schema of results.parquet (snake_case columns, in record order). */
  public static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("dataset", DataTypes.StringType, false)
      .add("image", DataTypes.StringType, false)
      .add("path", DataTypes.StringType, false)
      .add("scale", DataTypes.IntegerType, false)
      .add("model", DataTypes.StringType, false)
      .add("setting", DataTypes.StringType, false)
      .add("tile_size", DataTypes.IntegerType, false)
      .add("self_ensemble", DataTypes.BooleanType, false)
      .add("psnr", DataTypes.DoubleType, false)
      .add("ssim", DataTypes.DoubleType, false)
      .add("seconds", DataTypes.DoubleType, false)
      .add("hr_width", DataTypes.IntegerType, false)
      .add("hr_height", DataTypes.IntegerType, false)
      .add("lr_width", DataTypes.IntegerType, false)
      .add("lr_height", DataTypes.IntegerType, false)
      .add("channels", DataTypes.IntegerType, false)
      .add("tiles", DataTypes.IntegerType, false)
      .add("error", DataTypes.StringType, true)
      .add("finished_at", DataTypes.LongType, false);

  /** A row that could not be computed. */
  static EvalResult failed(String runId, EvalUnit u, Setting s, String error) {
    return new EvalResult(runId, u.dataset(), u.image(), u.path(), u.scale(), u.model(), s.name(),
        s.tileSize(), s.selfEnsemble(), Double.NaN, Double.NaN, 0, 0, 0, 0, 0, 0, 0, error,
        System.currentTimeMillis());
  }

  public boolean ok() {
    return error == null;
  }

  public ResultKey key() {
    return new ResultKey(dataset, image, scale, model, setting);
  }

  public SummaryKey summaryKey() {
    return new SummaryKey(dataset, scale, model, setting);
  }

  /** This result as a row of {@link #SCHEMA}. */
  public Row toRow() {
    return new GenericRowWithSchema(new Object[] {runId, dataset, image, path, scale, model,
        setting, tileSize, selfEnsemble, psnr, ssim, seconds, hrWidth, hrHeight, lrWidth, lrHeight,
        channels, tiles, error, finishedAt}, SCHEMA);
  }

  /** Reads a row of {@link #SCHEMA} (by column name, so column order does not matter). */
  public static EvalResult fromRow(Row r) {
    int e = r.fieldIndex("error");
    return new EvalResult(r.getAs("run_id"), r.getAs("dataset"), r.getAs("image"),
        r.getAs("path"), r.<Integer>getAs("scale"), r.getAs("model"), r.getAs("setting"),
        r.<Integer>getAs("tile_size"), r.<Boolean>getAs("self_ensemble"),
        r.<Double>getAs("psnr"), r.<Double>getAs("ssim"), r.<Double>getAs("seconds"),
        r.<Integer>getAs("hr_width"), r.<Integer>getAs("hr_height"),
        r.<Integer>getAs("lr_width"), r.<Integer>getAs("lr_height"),
        r.<Integer>getAs("channels"), r.<Integer>getAs("tiles"),
        r.isNullAt(e) ? null : r.getString(e), r.<Long>getAs("finished_at"));
  }

  /**
   * Which of two rows with one key counts: an ok row over a failed one, then the later one (a
   * crashed run's leftovers can repeat a key; they never lose the newer result).
   */
  static EvalResult preferred(EvalResult a, EvalResult b) {
    if (a.ok() != b.ok()) {
      return a.ok() ? a : b;
    }
    if (a.finishedAt() != b.finishedAt()) {
      return a.finishedAt() > b.finishedAt() ? a : b;
    }
    return a.runId().compareTo(b.runId()) >= 0 ? a : b;
  }
}
