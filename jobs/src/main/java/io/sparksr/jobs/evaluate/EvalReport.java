package io.sparksr.jobs.evaluate;

import io.sparksr.jobs.report.Charts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders the evaluation report as Markdown and as one self-contained HTML page (inline CSS and
 * SVG charts, no script, no network; crop panels are PNG files next to it, referenced by relative
 * path, so the page opens from disk). Per data set and scale: a table of this run's models next to
 * the published anchors, then the crops; per data set: PSNR vs scale and PSNR vs inference time;
 * then the self-ensemble's gain and cost, failures and references. Pure: text in, text out.
 * Long because the page is: each section is one method, in page order; charts are drawn by
 * {@link io.sparksr.jobs.report.Charts}.
 */
final class EvalReport {
  static final String TITLE = "sparksr evaluation";
  static final int CHART_WIDTH = 620;
  static final int CHART_HEIGHT = 320;
  private static final String Y_LABEL = "PSNR (dB, Y)";

  private EvalReport() {}

  /** One image of a crop row. */
  record Panel(String label, String path) {}

  /** The panels of one image at one scale (those that exist). */
  record CropSet(String dataset, String image, int scale, List<Panel> panels) {}

  /**
   * Everything the report shows.
   *
   * @param summaries  every summary row of results.parquet (all runs)
   * @param crops      crop sets to show
   * @param failures   rows of this run that failed
   * @param datasetOrder data set names in command-line order (others follow, sorted)
   */
  record Input(String runId, String generatedAt, double wallSeconds, long computed, long skipped,
      List<String> datasetOrder, List<EvalSummary> summaries, Anchors anchors,
      String anchorsOrigin, List<CropSet> crops, List<EvalResult> failures) {}

  /** A row of a per-scale table: one of this run's models, or a published anchor. */
  record TableRow(boolean ours, String method, String setting, double psnr, Double ssim,
      Double deltaVsBicubic, Double seconds, Long images, String source, String note) {}

  /** A self-ensemble comparison: the same model and tiling with and without the x8 ensemble. */
  record EnsembleRow(String dataset, int scale, String model, String setting, EvalSummary plain,
      EvalSummary ensemble) {
    double gain() {
      return ensemble.result().psnr() - plain.result().psnr();
    }

    double ssimGain() {
      return ensemble.result().ssim() - plain.result().ssim();
    }

    double cost() {
      return ensemble.result().secondsMean() / plain.result().secondsMean();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Content shared by both renderings

  static List<String> datasets(Input in) {
    List<String> out = new ArrayList<>();
    TreeSet<String> rest = new TreeSet<>();
    for (EvalSummary s : in.summaries()) {
      rest.add(s.dataset());
    }
    for (String d : in.datasetOrder()) {
      if (rest.remove(d)) {
        out.add(d);
      }
    }
    out.addAll(rest);
    return out;
  }

  static List<Integer> scales(Input in, String dataset) {
    TreeSet<Integer> s = new TreeSet<>();
    for (EvalSummary e : in.summaries()) {
      if (e.dataset().equals(dataset)) {
        s.add(e.scale());
      }
    }
    return new ArrayList<>(s);
  }

  private static List<EvalSummary> of(Input in, String dataset, int scale) {
    List<EvalSummary> out = new ArrayList<>();
    for (EvalSummary e : in.summaries()) {
      if (e.dataset().equals(dataset) && e.scale() == scale) {
        out.add(e);
      }
    }
    out.sort(Comparator.comparing((EvalSummary e) -> ModelNames.label(e.model()))
        .thenComparing(EvalSummary::setting));
    return out;
  }

  /** This run's models and the anchors of one data set and scale, by ascending PSNR. */
  static List<TableRow> rows(Input in, String dataset, int scale) {
    List<EvalSummary> ours = of(in, dataset, scale);
    List<Anchors.Anchor> published = in.anchors().of(dataset, scale);
    Double bicubic = null;
    for (EvalSummary e : ours) {
      if (ModelNames.isBicubic(e.model()) && !Setting.isEnsembleName(e.setting())) {
        bicubic = e.result().psnr();
        break;
      }
    }
    if (bicubic == null) {
      for (Anchors.Anchor a : published) {
        if (a.method().equalsIgnoreCase("bicubic")) {
          bicubic = a.psnr();
        }
      }
    }
    List<TableRow> rows = new ArrayList<>();
    for (EvalSummary e : ours) {
      String label = ModelNames.label(e.model());
      String note = null;
      for (Anchors.Anchor a : published) {
        if (a.method().equalsIgnoreCase(label)) {
          note = "published " + f2(a.psnr()) + (a.ssim() == null ? "" : " / " + f4(a.ssim()))
              + ", \u0394 " + signed(e.result().psnr() - a.psnr()) + " dB";
        }
      }
      rows.add(new TableRow(true, label, e.setting(), e.result().psnr(), e.result().ssim(),
          bicubic == null ? null : e.result().psnr() - bicubic, e.result().secondsMean(),
          e.result().images(), "this run", note));
    }
    for (Anchors.Anchor a : published) {
      rows.add(new TableRow(false, a.method(), null, a.psnr(), a.ssim(),
          bicubic == null ? null : a.psnr() - bicubic, null, null, a.source(), null));
    }
    rows.sort(Comparator.comparingDouble(TableRow::psnr).thenComparing(r -> r.ours() ? 1 : 0));
    return rows;
  }

  static List<EnsembleRow> ensembleRows(Input in) {
    Map<SummaryKey, EvalSummary> byKey = new LinkedHashMap<>();
    for (EvalSummary e : in.summaries()) {
      byKey.put(e.key(), e);
    }
    List<EnsembleRow> out = new ArrayList<>();
    for (String d : datasets(in)) {
      for (int s : scales(in, d)) {
        for (EvalSummary e : of(in, d, s)) {
          if (Setting.isEnsembleName(e.setting())) {
            EvalSummary plain = byKey.get(new SummaryKey(d, s, e.model(),
                Setting.plainName(e.setting())));
            if (plain != null) {
              out.add(new EnsembleRow(d, s, e.model(), Setting.plainName(e.setting()), plain, e));
            }
          }
        }
      }
    }
    return out;
  }

  /** Chart file name (under charts/) to SVG text, two per data set. */
  static Map<String, String> charts(Input in) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String d : datasets(in)) {
      out.put(chartName(d, "psnr_vs_scale"), psnrVsScale(in, d));
      out.put(chartName(d, "psnr_vs_time"), psnrVsTime(in, d));
    }
    return out;
  }

  static String chartName(String dataset, String kind) {
    return CropPanels.safe(dataset) + "_" + kind + ".svg";
  }

  private static Map<String, List<EvalSummary>> seriesOf(Input in, String dataset) {
    Map<String, List<EvalSummary>> series = new LinkedHashMap<>();
    List<EvalSummary> all = new ArrayList<>();
    for (EvalSummary e : in.summaries()) {
      if (e.dataset().equals(dataset)) {
        all.add(e);
      }
    }
    all.sort(Comparator.comparing((EvalSummary e) -> ModelNames.label(e.model()))
        .thenComparing(EvalSummary::setting).thenComparingInt(EvalSummary::scale));
    for (EvalSummary e : all) {
      series.computeIfAbsent(ModelNames.label(e.model()) + " (" + e.setting() + ")",
          k -> new ArrayList<>()).add(e);
    }
    return series;
  }

  static String psnrVsScale(Input in, String dataset) {
    List<Charts.Series> series = new ArrayList<>();
    List<Integer> scales = scales(in, dataset);
    int c = 0;
    for (Map.Entry<String, List<EvalSummary>> e : seriesOf(in, dataset).entrySet()) {
      List<Charts.Point> pts = new ArrayList<>();
      for (EvalSummary s : e.getValue()) {
        pts.add(new Charts.Point(s.scale(), s.result().psnr(), "\u00d7" + s.scale()));
      }
      series.add(new Charts.Series(legend(e.getKey()),
          Charts.PALETTE[c++ % Charts.PALETTE.length], Charts.Look.LINE, pts));
    }
    int g = 0;
    for (String method : in.anchors().methods()) {
      List<Charts.Point> pts = new ArrayList<>();
      for (int s : scales) {
        for (Anchors.Anchor a : in.anchors().of(dataset, s)) {
          if (a.method().equals(method)) {
            pts.add(new Charts.Point(s, a.psnr(), "\u00d7" + s));
          }
        }
      }
      if (!pts.isEmpty()) {
        series.add(new Charts.Series(legend(method + " (published)"),
            Charts.GREYS[g++ % Charts.GREYS.length], Charts.Look.DASHED, pts));
      }
    }
    List<Double> ticks = new ArrayList<>();
    scales.forEach(s -> ticks.add((double) s));
    Charts.Axis x = new Charts.Axis("scale", false, ticks, t -> "\u00d7" + Math.round(t));
    String title = dataset + ": PSNR vs scale";
    return Charts.svg(Charts.xy(title, x, Charts.Axis.linear(Y_LABEL), series), CHART_WIDTH,
        CHART_HEIGHT, svgId(dataset, "psnr_vs_scale"));
  }

  static String psnrVsTime(Input in, String dataset) {
    List<Charts.Series> series = new ArrayList<>();
    int c = 0;
    for (Map.Entry<String, List<EvalSummary>> e : seriesOf(in, dataset).entrySet()) {
      List<Charts.Point> pts = new ArrayList<>();
      for (EvalSummary s : e.getValue()) {
        pts.add(new Charts.Point(s.result().secondsMean(), s.result().psnr(),
            "\u00d7" + s.scale()));
      }
      series.add(new Charts.Series(legend(e.getKey()),
          Charts.PALETTE[c++ % Charts.PALETTE.length], Charts.Look.MARKERS, pts));
    }
    Charts.Axis x = new Charts.Axis("mean inference time per image", true, null,
        t -> t >= 1 ? Charts.trim(t) + " s" : Charts.trim(t * 1000) + " ms");
    String title = dataset + ": PSNR vs inference time";
    return Charts.svg(Charts.xy(title, x, Charts.Axis.linear(Y_LABEL), series), CHART_WIDTH,
        CHART_HEIGHT, svgId(dataset, "psnr_vs_time"));
  }

  /** An id unique within the page (data set names are unique, their safe forms nearly so). */
  private static String svgId(String dataset, String kind) {
    return "c" + Integer.toHexString(dataset.hashCode()) + "-" + kind;
  }

  private static String legend(String s) {
    return s.length() <= 28 ? s : s.substring(0, 27) + "\u2026";
  }

  private static List<CropSet> cropsOf(Input in, String dataset, int scale) {
    List<CropSet> out = new ArrayList<>();
    for (CropSet c : in.crops()) {
      if (c.dataset().equals(dataset) && c.scale() == scale && !c.panels().isEmpty()) {
        out.add(c);
      }
    }
    return out;
  }

  static String protocol() {
    return "Each HR image is cropped to a multiple of the scale (modcrop); its LR input is MATLAB "
        + "bicubic imresize by 1/scale, rounded to 8 bits. Every model super-resolves the LR image "
        + "through the upscale job's tiling rules (tile cores with a halo of the model's "
        + "receptive-field radius and its border policy, so tiled output equals whole-image "
        + "output). PSNR and SSIM are computed on Y (BT.601, 8-bit) with <em>scale</em> pixels "
        + "cropped from each border, and averaged over images. Time is the wall time of the "
        + "super-resolution alone (all tiles and the stitch), per image, on one executor core.";
  }

  // ---------------------------------------------------------------------------------------------
  // Markdown

  static String markdown(Input in) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(TITLE).append("\n\n");
    sb.append(meta(in)).append("\n\n");
    sb.append(protocol().replace("<em>", "*").replace("</em>", "*")).append("\n\n");
    for (String d : datasets(in)) {
      sb.append("## ").append(d).append("\n\n");
      sb.append("![").append(d).append(": PSNR vs scale](charts/")
          .append(chartName(d, "psnr_vs_scale")).append(")\n");
      sb.append("![").append(d).append(": PSNR vs inference time](charts/")
          .append(chartName(d, "psnr_vs_time")).append(")\n\n");
      for (int s : scales(in, d)) {
        sb.append("### ").append(d).append(" \u00d7").append(s).append("\n\n");
        sb.append("| method | setting | PSNR (dB) | SSIM | \u0394 PSNR vs bicubic | s / image "
            + "| images | source |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---|\n");
        for (TableRow r : rows(in, d, s)) {
          String m = r.ours() ? "**" + mdEsc(r.method()) + "**" : mdEsc(r.method());
          sb.append("| ").append(m).append(" | ").append(r.setting() == null ? "" : r.setting())
              .append(" | ").append(r.ours() ? "**" + f2(r.psnr()) + "**" : f2(r.psnr()))
              .append(" | ").append(r.ssim() == null ? "\u2014" : f4(r.ssim()))
              .append(" | ").append(r.deltaVsBicubic() == null ? "" : signed(r.deltaVsBicubic()))
              .append(" | ").append(r.seconds() == null ? "" : seconds(r.seconds()))
              .append(" | ").append(r.images() == null ? "" : r.images())
              .append(" | ").append(mdEsc(r.source()))
              .append(r.note() == null ? "" : " (" + r.note() + ")").append(" |\n");
        }
        sb.append('\n');
        for (CropSet c : cropsOf(in, d, s)) {
          sb.append("Crops of ").append(mdEsc(c.image())).append(" \u00d7").append(s)
              .append(":\n\n|");
          c.panels().forEach(p -> sb.append(' ').append(mdEsc(p.label())).append(" |"));
          sb.append("\n|");
          c.panels().forEach(p -> sb.append("---|"));
          sb.append("\n|");
          c.panels().forEach(p -> sb.append(" ![").append(mdEsc(p.label())).append("](")
              .append(p.path()).append(") |"));
          sb.append("\n\n");
        }
      }
    }
    List<EnsembleRow> ens = ensembleRows(in);
    if (!ens.isEmpty()) {
      sb.append("## Self-ensemble (x8)\n\n");
      sb.append("| data set | scale | model | setting | PSNR plain | PSNR x8 | gain (dB) | "
          + "SSIM gain | s / image plain | s / image x8 | cost |\n");
      sb.append("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (EnsembleRow r : ens) {
        sb.append("| ").append(mdEsc(r.dataset())).append(" | \u00d7").append(r.scale())
            .append(" | ").append(mdEsc(ModelNames.label(r.model()))).append(" | ")
            .append(r.setting()).append(" | ").append(f2(r.plain().result().psnr()))
            .append(" | ").append(f2(r.ensemble().result().psnr())).append(" | ")
            .append(signed(r.gain())).append(" | ").append(signed4(r.ssimGain())).append(" | ")
            .append(seconds(r.plain().result().secondsMean())).append(" | ")
            .append(seconds(r.ensemble().result().secondsMean())).append(" | ")
            .append(String.format(Locale.ROOT, "%.1f\u00d7", r.cost())).append(" |\n");
      }
      sb.append('\n');
    }
    if (!in.failures().isEmpty()) {
      sb.append("## Failures of this run\n\n")
          .append("| data set | image | scale | model | setting | error |\n")
          .append("|---|---|---:|---|---|---|\n");
      for (EvalResult f : in.failures()) {
        sb.append("| ").append(mdEsc(f.dataset())).append(" | ").append(mdEsc(f.image()))
            .append(" | \u00d7").append(f.scale()).append(" | ").append(mdEsc(f.model()))
            .append(" | ").append(f.setting()).append(" | ").append(mdEsc(f.error()))
            .append(" |\n");
      }
      sb.append('\n');
    }
    sb.append("## References\n\n");
    if (in.anchors().sources().isEmpty()) {
      sb.append("No published anchors were loaded.\n");
    }
    for (Anchors.Source s : sortedSources(in)) {
      sb.append("- **").append(mdEsc(s.key())).append("**: ").append(mdEsc(s.citation()));
      if (s.url() != null) {
        sb.append(" <").append(s.url()).append('>');
      }
      if (s.note() != null) {
        sb.append(" \u2014 ").append(mdEsc(s.note()));
      }
      sb.append('\n');
    }
    if (in.anchorsOrigin() != null) {
      sb.append("\nAnchors from `").append(in.anchorsOrigin()).append("`.\n");
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // HTML

  static String html(Input in) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>").append(TITLE).append("</title>\n<style>\n")
        .append("body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em;"
            + "max-width:1300px;color:#222}\n")
        .append("table{border-collapse:collapse;margin:0.5em 0 1em}\n")
        .append("th,td{border:1px solid #ccc;padding:3px 8px}\n")
        .append("th{background:#f2f2f2}\n")
        .append("td.n{text-align:right;font-variant-numeric:tabular-nums}\n")
        .append("tr.ours{background:#eef5ff;font-weight:600}\n")
        .append("tr.published{color:#555}\n")
        .append(".meta{color:#555}\n")
        .append(".charts{display:flex;flex-wrap:wrap;gap:12px}\n")
        .append(".crops{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:1.5em}\n")
        .append(".crops figure{margin:0;text-align:center;font-size:12px}\n")
        .append(".crops img{height:192px;image-rendering:pixelated;border:1px solid #999}\n")
        .append("</style>\n</head>\n<body>\n");
    sb.append("<h1>").append(TITLE).append("</h1>\n");
    sb.append("<p class=\"meta\">").append(esc(meta(in))).append("</p>\n");
    sb.append("<p>").append(protocol()).append("</p>\n");
    Map<String, String> charts = charts(in);
    for (String d : datasets(in)) {
      sb.append("<section class=\"dataset\" id=\"").append(esc(CropPanels.safe(d)))
          .append("\">\n<h2>").append(esc(d)).append("</h2>\n<div class=\"charts\">\n");
      sb.append(charts.get(chartName(d, "psnr_vs_scale")));
      sb.append(charts.get(chartName(d, "psnr_vs_time")));
      sb.append("</div>\n");
      for (int s : scales(in, d)) {
        sb.append("<h3>").append(esc(d)).append(" \u00d7").append(s).append("</h3>\n");
        sb.append("<table class=\"results\" data-dataset=\"").append(esc(d))
            .append("\" data-scale=\"").append(s).append("\">\n<thead><tr><th>method</th>"
                + "<th>setting</th><th>PSNR (dB)</th><th>SSIM</th><th>\u0394 PSNR vs bicubic</th>"
                + "<th>s / image</th><th>images</th><th>source</th></tr></thead>\n<tbody>\n");
        for (TableRow r : rows(in, d, s)) {
          sb.append("<tr class=\"").append(r.ours() ? "ours" : "published")
              .append("\" data-method=\"").append(esc(r.method())).append("\"><td>")
              .append(esc(r.method())).append("</td><td>")
              .append(r.setting() == null ? "" : esc(r.setting())).append("</td><td class=\"n\">")
              .append(f2(r.psnr())).append("</td><td class=\"n\">")
              .append(r.ssim() == null ? "\u2014" : f4(r.ssim())).append("</td><td class=\"n\">")
              .append(r.deltaVsBicubic() == null ? "" : signed(r.deltaVsBicubic()))
              .append("</td><td class=\"n\">")
              .append(r.seconds() == null ? "" : seconds(r.seconds()))
              .append("</td><td class=\"n\">").append(r.images() == null ? "" : r.images())
              .append("</td><td>").append(r.ours() ? esc(r.source())
                  : "<a href=\"#ref-" + esc(r.source()) + "\">" + esc(r.source()) + "</a>")
              .append(r.note() == null ? "" : " (" + esc(r.note()) + ")").append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        for (CropSet c : cropsOf(in, d, s)) {
          sb.append("<p>Crops of ").append(esc(c.image())).append(" \u00d7").append(s)
              .append(":</p>\n<div class=\"crops\">\n");
          for (Panel p : c.panels()) {
            sb.append("<figure><img src=\"").append(esc(p.path())).append("\" alt=\"")
                .append(esc(p.label())).append("\"><figcaption>").append(esc(p.label()))
                .append("</figcaption></figure>\n");
          }
          sb.append("</div>\n");
        }
      }
      sb.append("</section>\n");
    }
    List<EnsembleRow> ens = ensembleRows(in);
    if (!ens.isEmpty()) {
      sb.append("<h2>Self-ensemble (x8)</h2>\n<table class=\"ensemble\">\n<thead><tr>"
          + "<th>data set</th><th>scale</th><th>model</th><th>setting</th><th>PSNR plain</th>"
          + "<th>PSNR x8</th><th>gain (dB)</th><th>SSIM gain</th><th>s / image plain</th>"
          + "<th>s / image x8</th><th>cost</th></tr></thead>\n<tbody>\n");
      for (EnsembleRow r : ens) {
        sb.append("<tr><td>").append(esc(r.dataset())).append("</td><td class=\"n\">\u00d7")
            .append(r.scale()).append("</td><td>").append(esc(ModelNames.label(r.model())))
            .append("</td><td>").append(esc(r.setting())).append("</td><td class=\"n\">")
            .append(f2(r.plain().result().psnr())).append("</td><td class=\"n\">")
            .append(f2(r.ensemble().result().psnr())).append("</td><td class=\"n\">")
            .append(signed(r.gain())).append("</td><td class=\"n\">")
            .append(signed4(r.ssimGain())).append("</td><td class=\"n\">")
            .append(seconds(r.plain().result().secondsMean())).append("</td><td class=\"n\">")
            .append(seconds(r.ensemble().result().secondsMean())).append("</td><td class=\"n\">")
            .append(String.format(Locale.ROOT, "%.1f\u00d7", r.cost())).append("</td></tr>\n");
      }
      sb.append("</tbody>\n</table>\n");
    }
    if (!in.failures().isEmpty()) {
      sb.append("<h2>Failures of this run</h2>\n<table class=\"failures\">\n<thead><tr>"
          + "<th>data set</th><th>image</th><th>scale</th><th>model</th><th>setting</th>"
          + "<th>error</th></tr></thead>\n<tbody>\n");
      for (EvalResult f : in.failures()) {
        sb.append("<tr><td>").append(esc(f.dataset())).append("</td><td>").append(esc(f.image()))
            .append("</td><td>\u00d7").append(f.scale()).append("</td><td>").append(esc(f.model()))
            .append("</td><td>").append(esc(f.setting())).append("</td><td>")
            .append(esc(f.error())).append("</td></tr>\n");
      }
      sb.append("</tbody>\n</table>\n");
    }
    sb.append("<h2>References</h2>\n");
    if (in.anchors().sources().isEmpty()) {
      sb.append("<p>No published anchors were loaded.</p>\n");
    } else {
      sb.append("<ul class=\"references\">\n");
      for (Anchors.Source s : sortedSources(in)) {
        sb.append("<li id=\"ref-").append(esc(s.key())).append("\"><b>").append(esc(s.key()))
            .append("</b>: ").append(esc(s.citation()));
        if (s.url() != null) {
          sb.append(" <a href=\"").append(esc(s.url())).append("\">").append(esc(s.url()))
              .append("</a>");
        }
        if (s.note() != null) {
          sb.append(" \u2014 ").append(esc(s.note()));
        }
        sb.append("</li>\n");
      }
      sb.append("</ul>\n");
    }
    if (in.anchorsOrigin() != null) {
      sb.append("<p class=\"meta\">Anchors from ").append(esc(in.anchorsOrigin()))
          .append(".</p>\n");
    }
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Anchors.Source> sortedSources(Input in) {
    List<Anchors.Source> out = new ArrayList<>(in.anchors().sources().values());
    out.sort(Comparator.comparing(Anchors.Source::key));
    return out;
  }

  private static String meta(Input in) {
    return String.format(Locale.ROOT, "Run %s, generated %s: %d result(s) computed, %d already "
            + "present, %.1f s wall time. Tables cover every row of results.parquet.",
        in.runId(), in.generatedAt(), in.computed(), in.skipped(), in.wallSeconds());
  }

  static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String f4(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  static String signed(double v) {
    return String.format(Locale.ROOT, "%+.2f", v);
  }

  static String signed4(double v) {
    return String.format(Locale.ROOT, "%+.4f", v);
  }

  /** Seconds as "850 µs", "12.3 ms" or "1.23 s". */
  static String seconds(double s) {
    if (!Double.isFinite(s)) {
      return "";
    }
    if (s < 1e-3) {
      return String.format(Locale.ROOT, "%.0f \u00b5s", s * 1e6);
    }
    if (s < 1) {
      return String.format(Locale.ROOT, "%.1f ms", s * 1e3);
    }
    return String.format(Locale.ROOT, "%.2f s", s);
  }

  /** XML/HTML text escaping. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String mdEsc(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }
}
