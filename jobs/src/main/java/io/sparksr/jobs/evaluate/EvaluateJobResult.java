package io.sparksr.jobs.evaluate;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an evaluate run did.
 *
 * @param computed   rows computed by this run (including failed ones)
 * @param present    rows skipped because results.parquet already had them
 * @param stale      rows of earlier runs left out (other weights, HR files or degradation steps
 *                   under the same names), per reason ({@link Provenance})
 * @param failures   rows of this run that failed (the exit code is 1 if there are any)
 * @param summaries  every summary row (all runs in results.parquet)
 */
public record EvaluateJobResult(String runId, String output, String results, String summaryCsv,
    String reportMd, String reportHtml, long computed, long present, Map<String, Long> stale,
    List<EvalResult> failures,
    List<EvalSummary> summaries, double seconds) {

  public EvaluateJobResult {
    stale = Map.copyOf(stale);
    failures = List.copyOf(failures);
    summaries = List.copyOf(summaries);
  }

  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "evaluate: %d result(s) computed (%d failed), %d already "
        + "present, %.1f s%n", computed, failures.size(), present, seconds));
    stale.forEach((why, n) -> sb.append(String.format(Locale.ROOT,
        "left out: %d row(s) of earlier runs: %s%n", n, why)));
    sb.append(String.format(Locale.ROOT, "%-10s %5s  %-24s %-12s %6s %8s %8s %11s%n", "dataset",
        "scale", "model", "setting", "images", "PSNR", "SSIM", "s/image"));
    Map<String, String> labels = ModelNames.labels(
        summaries.stream().map(EvalSummary::model).toList());
    for (EvalSummary s : summaries) {
      EvalAccumulator.Result r = s.result();
      if (r.images() == 0) {
        continue; // every image failed: the FAILED lines below name them
      }
      sb.append(String.format(Locale.ROOT, "%-10s %5s  %-24s %-12s %6d %8.2f %8.4f %11s%n",
          s.dataset(), "x" + s.scale(), labels.get(s.model()), s.setting(), r.images(),
          r.psnr(), r.ssim(), EvalReport.seconds(r.secondsMean())));
    }
    for (EvalResult f : failures) {
      sb.append("  FAILED ").append(f.dataset()).append('/').append(f.image()).append(" x")
          .append(f.scale()).append(' ').append(f.model()).append(' ').append(f.setting())
          .append(": ").append(f.error()).append('\n');
    }
    sb.append("results: ").append(results).append('\n');
    sb.append("summary: ").append(summaryCsv).append('\n');
    sb.append("report: ").append(reportHtml).append(" (and ").append(reportMd).append(')');
    return sb.toString();
  }
}
