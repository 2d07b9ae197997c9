package io.sparksr.jobs.evaluate;

import java.io.Serializable;
import java.util.Locale;

/** One row of summary.csv: the means of one data set, scale, model and setting. */
public record EvalSummary(SummaryKey key, EvalAccumulator.Result result) implements Serializable {

  public String dataset() {
    return key.dataset();
  }

  public int scale() {
    return key.scale();
  }

  public String model() {
    return key.model();
  }

  public String setting() {
    return key.setting();
  }

  static String csvHeader() {
    return "dataset,scale,model,setting,images,failed,psnr,ssim,psnr_min,psnr_max,"
        + "seconds_mean,seconds_total,output_mp_per_s";
  }

  String csvRow() {
    EvalAccumulator.Result r = result;
    return String.join(",", Csv.field(key.dataset()), Integer.toString(key.scale()),
        Csv.field(key.model()), Csv.field(key.setting()), Long.toString(r.images()),
        Long.toString(r.failed()), num("%.4f", r.psnr()), num("%.6f", r.ssim()),
        num("%.4f", r.psnrMin()), num("%.4f", r.psnrMax()), num("%.6f", r.secondsMean()),
        num("%.3f", r.secondsTotal()), num("%.3f", r.megapixelsPerSecond()));
  }

  private static String num(String format, double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : Double.toString(v);
  }

  /** CSV quoting (RFC 4180). */
  static final class Csv {
    private Csv() {}

    static String field(String s) {
      if (s == null) {
        return "";
      }
      if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
        return '"' + s.replace("\"", "\"\"") + '"';
      }
      return s;
    }
  }
}
