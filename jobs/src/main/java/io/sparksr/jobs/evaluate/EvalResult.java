package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.degrade.LrDegradation;
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
 * <p>Made with {@link #builder()} (named values; a record cannot hide its canonical constructor,
 * which is the builder's); the components stay flat, in column order, because a row is read back
 * from the results.parquet files of earlier runs.
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
 * @param modelSha256 SHA-256 of the model's weights ("" for a built-in operator); null in rows of
 *                   sparksr before it was recorded
 * @param hrSha256   SHA-256 of the HR file's bytes; null in older rows
 * @param lrSpec     the LR's degradation steps ({@link LrDegradation#spec()}, "" for the clean
 *                   LR); null in older rows
 */
public record EvalResult(String runId, String dataset, String image, String path, int scale,
    String model, String setting, int tileSize, boolean selfEnsemble, double psnr, double ssim,
    double seconds, int hrWidth, int hrHeight, int lrWidth, int lrHeight, int channels, int tiles,
    String error, long finishedAt, String modelSha256, String hrSha256, String lrSpec)
    implements Serializable {

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
      .add("finished_at", DataTypes.LongType, false)
      // provenance: what the row was computed from (nullable: files of older runs lack them)
      .add("model_sha256", DataTypes.StringType, true)
      .add("hr_sha256", DataTypes.StringType, true)
      .add("lr_spec", DataTypes.StringType, true);

  /** A row that could not be computed. */
  static EvalResult failed(String runId, EvalUnit u, Setting s, String error) {
    return builder().runId(runId).unit(u).setting(s).error(error)
        .finishedAt(System.currentTimeMillis()).build();
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
        channels, tiles, error, finishedAt, modelSha256, hrSha256, lrSpec}, SCHEMA);
  }

  /** Reads a row of {@link #SCHEMA} (by column name, so column order does not matter). */
  public static EvalResult fromRow(Row r) {
    int e = r.fieldIndex("error");
    return builder().runId(r.getAs("run_id")).dataset(r.getAs("dataset"))
        .image(r.getAs("image")).path(r.getAs("path")).scale(r.<Integer>getAs("scale"))
        .model(r.getAs("model")).settingName(r.getAs("setting"))
        .tileSize(r.<Integer>getAs("tile_size")).selfEnsemble(r.<Boolean>getAs("self_ensemble"))
        .psnr(r.<Double>getAs("psnr")).ssim(r.<Double>getAs("ssim"))
        .seconds(r.<Double>getAs("seconds"))
        .hrWidth(r.<Integer>getAs("hr_width")).hrHeight(r.<Integer>getAs("hr_height"))
        .lrWidth(r.<Integer>getAs("lr_width")).lrHeight(r.<Integer>getAs("lr_height"))
        .channels(r.<Integer>getAs("channels")).tiles(r.<Integer>getAs("tiles"))
        .error(r.isNullAt(e) ? null : r.getString(e)).finishedAt(r.<Long>getAs("finished_at"))
        .modelSha256(nullable(r, "model_sha256")).hrSha256(nullable(r, "hr_sha256"))
        .lrSpec(nullable(r, "lr_spec")).build();
  }

  /** A nullable string column, null also when the row's schema lacks it. */
  private static String nullable(Row r, String column) {
    if (r.schema() != null && !java.util.Arrays.asList(r.schema().fieldNames()).contains(column)) {
      return null;
    }
    int i = r.fieldIndex(column);
    return r.isNullAt(i) ? null : r.getString(i);
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

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Named setters, keyed like the columns. Always required: run_id, dataset, image, path, scale,
   * model, setting, tile_size, self_ensemble, finished_at. A row without an error also needs every
   * metric and size; a failed row defaults them to NaN (psnr, ssim) and 0.
   */
  public static final class Builder {
    private String runId;
    private String dataset;
    private String image;
    private String path;
    private Integer scale;
    private String model;
    private String setting;
    private Integer tileSize;
    private Boolean selfEnsemble;
    private Double psnr;
    private Double ssim;
    private Double seconds;
    private Integer hrWidth;
    private Integer hrHeight;
    private Integer lrWidth;
    private Integer lrHeight;
    private Integer channels;
    private Integer tiles;
    private String error;
    private Long finishedAt;
    private String modelSha256;
    private String hrSha256;
    private String lrSpec;

    private Builder() {}

    public Builder runId(String v) {
      runId = v;
      return this;
    }

    /** dataset, image, path, scale and model of the unit, and the SHA-256 of model and HR. */
    public Builder unit(EvalUnit u) {
      return dataset(u.dataset()).image(u.image()).path(u.path()).scale(u.scale())
          .model(u.model()).modelSha256(u.modelSha256()).hrSha256(u.hrSha256());
    }

    public Builder dataset(String v) {
      dataset = v;
      return this;
    }

    public Builder image(String v) {
      image = v;
      return this;
    }

    public Builder path(String v) {
      path = v;
      return this;
    }

    public Builder scale(int v) {
      scale = v;
      return this;
    }

    public Builder model(String v) {
      model = v;
      return this;
    }

    /** setting (its name), tile_size, self_ensemble and the LR's degradation steps. */
    public Builder setting(Setting s) {
      return settingName(s.name()).tileSize(s.tileSize()).selfEnsemble(s.selfEnsemble())
          .lrSpec(s.degradation().spec());
    }

    /** The setting column as stored ({@link Setting#name()} when written). */
    public Builder settingName(String v) {
      setting = v;
      return this;
    }

    public Builder tileSize(int v) {
      tileSize = v;
      return this;
    }

    public Builder selfEnsemble(boolean v) {
      selfEnsemble = v;
      return this;
    }

    public Builder psnr(double v) {
      psnr = v;
      return this;
    }

    public Builder ssim(double v) {
      ssim = v;
      return this;
    }

    public Builder seconds(double v) {
      seconds = v;
      return this;
    }

    public Builder hrWidth(int v) {
      hrWidth = v;
      return this;
    }

    public Builder hrHeight(int v) {
      hrHeight = v;
      return this;
    }

    public Builder lrWidth(int v) {
      lrWidth = v;
      return this;
    }

    public Builder lrHeight(int v) {
      lrHeight = v;
      return this;
    }

    public Builder channels(int v) {
      channels = v;
      return this;
    }

    public Builder tiles(int v) {
      tiles = v;
      return this;
    }

    public Builder error(String v) {
      error = v;
      return this;
    }

    public Builder finishedAt(long v) {
      finishedAt = v;
      return this;
    }

    public Builder modelSha256(String v) {
      modelSha256 = v;
      return this;
    }

    public Builder hrSha256(String v) {
      hrSha256 = v;
      return this;
    }

    public Builder lrSpec(String v) {
      lrSpec = v;
      return this;
    }

    /** @throws IllegalStateException naming the first missing column */
    public EvalResult build() {
      boolean ok = error == null;
      return new EvalResult(need(runId, "run_id"), need(dataset, "dataset"), need(image, "image"),
          need(path, "path"), need(scale, "scale"), need(model, "model"),
          need(setting, "setting"), need(tileSize, "tile_size"),
          need(selfEnsemble, "self_ensemble"), metric(psnr, "psnr", ok, Double.NaN),
          metric(ssim, "ssim", ok, Double.NaN), metric(seconds, "seconds", ok, 0.0),
          metric(hrWidth, "hr_width", ok, 0), metric(hrHeight, "hr_height", ok, 0),
          metric(lrWidth, "lr_width", ok, 0), metric(lrHeight, "lr_height", ok, 0),
          metric(channels, "channels", ok, 0), metric(tiles, "tiles", ok, 0), error,
          need(finishedAt, "finished_at"), modelSha256, hrSha256, lrSpec);
    }

    private static <T> T need(T v, String column) {
      if (v == null) {
        throw new IllegalStateException("an EvalResult needs '" + column + "' but it is not set");
      }
      return v;
    }

    private static <T> T metric(T v, String column, boolean ok, T failedDefault) {
      if (v != null) {
        return v;
      }
      if (ok) {
        throw new IllegalStateException("an EvalResult without an error needs '" + column
            + "' but it is not set");
      }
      return failedDefault;
    }
  }
}
