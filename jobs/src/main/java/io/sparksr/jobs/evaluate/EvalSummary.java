package io.sparksr.jobs.evaluate;

import io.sparksr.jobs.Csv;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
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

  static final List<String> CSV_HEADER = List.of("dataset", "scale", "model", "setting",
      "images", "failed", "psnr", "ssim", "psnr_min", "psnr_max", "seconds_mean",
      "seconds_total", "output_mp_per_s");

  /** summary.csv: the header and a row per summary. */
  static String csv(List<EvalSummary> summaries) {
    return Csv.text(CSV_HEADER, summaries.stream().map(EvalSummary::csvRow).toList());
  }

  List<String> csvRow() {
    EvalAccumulator.Result r = result;
    return Arrays.asList(key.dataset(), Integer.toString(key.scale()), key.model(),
        key.setting(), Long.toString(r.images()), Long.toString(r.failed()), num("%.4f", r.psnr()),
        num("%.6f", r.ssim()), num("%.4f", r.psnrMin()), num("%.4f", r.psnrMax()),
        num("%.6f", r.secondsMean()), num("%.3f", r.secondsTotal()),
        num("%.3f", r.megapixelsPerSecond()));
  }

  private static String num(String format, double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : Double.toString(v);
  }
}
