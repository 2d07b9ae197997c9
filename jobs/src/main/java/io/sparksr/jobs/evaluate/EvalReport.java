package io.sparksr.jobs.evaluate;

import io.sparksr.jobs.report.Charts;
import io.sparksr.partitioning.degrade.LrDegradation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders the evaluation report as Markdown and as one self-contained HTML page (inline CSS and
 * SVG charts, no script, no network; crop panels are PNG files next to it, referenced by relative
 * path, so the page opens from disk). Per data set and scale: when the rows come from more than
 * one LR (clean and degraded, {@link Setting#degradationName}), a table with a column group per
 * LR; a table of this run's models next to the published anchors, grouped by LR; then the crops,
 * a row per LR; per data set: PSNR vs scale and PSNR vs inference time; then the self-ensemble's
 * gain and cost, failures and references. Every "vs bicubic" compares with bicubic from the same
 * LR. Pure: text in, text out.
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

  /**
   * The panels of one image at one scale from one LR (those that exist): a row of crops.
   *
   * @param degradation the LR's degradation name ({@code clean}: the clean LR)
   */
  record CropSet(String dataset, String image, int scale, String degradation,
      List<Panel> panels) {}

  /**
   * Everything the report shows.
   *
   * @param summaries  every summary row of results.parquet (all runs)
   * @param crops      crop sets to show
   * @param failures   rows of this run that failed
   * @param datasetOrder data set names in command-line order (others follow, sorted)
   * @param degradationOrder degradation names in command-line order ({@code clean} comes first,
   *                     names only earlier runs used follow, sorted)
   */
  record Input(String runId, String generatedAt, double wallSeconds, long computed, long skipped,
      List<String> datasetOrder, List<String> degradationOrder, List<EvalSummary> summaries,
      Anchors anchors, String anchorsOrigin, List<CropSet> crops, List<EvalResult> failures,
      Map<String, Long> stale) {
    /**
     * @param summaries the summary rows; those without a scored image (every image failed) are
     *                  left out of tables and charts (the failures table names them)
     * @param stale     rows of earlier runs left out, per reason ({@link Provenance})
     */
    Input {
      summaries = summaries.stream().filter(e -> e.result().images() > 0).toList();
      stale = Map.copyOf(stale);
    }

    /** A model's label, told apart from every other model of the report ({@link ModelNames}). */
    String label(String model) {
      Set<String> models = new java.util.LinkedHashSet<>();
      summaries.forEach(e -> models.add(e.model()));
      failures.forEach(f -> models.add(f.model()));
      models.add(model);
      return ModelNames.labels(models).get(model);
    }
  }

  /**
   * A row of a per-scale table: one of this run's models, or a published anchor.
   *
   * @param degradation    the LR's degradation ({@code clean} for anchors)
   * @param deltaVsBicubic PSNR minus that of bicubic from the same LR (for the clean LR, ours or
   *                       else the published bicubic); null when there is none
   */
  record TableRow(boolean ours, String method, String setting, String degradation, double psnr,
      Double ssim, Double deltaVsBicubic, Double seconds, Long images, String source,
      String note) {}

  /** A cell of the degradation table: one model and setting from one LR. */
  record PivotCell(double psnr, double ssim, Double deltaVsBicubic) {}

  /**
   * A row of the degradation table: one model under one base setting ({@link Setting#baseName}),
   * with a cell per degradation it was run on.
   */
  record PivotRow(String method, String setting, Map<String, PivotCell> cells) {}

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

    /**
     * The cost as the report shows it: the ratio when both times were measured in one run, else
     * that they were not (two runs may be two machines or loads: their ratio means nothing).
     */
    String costText() {
      List<String> a = plain.result().runs();
      List<String> b = ensemble.result().runs();
      return a.size() == 1 && a.equals(b) ? String.format(Locale.ROOT, "%.1f\u00d7", cost())
          : "n/a (timed in different runs)";
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
    out.sort(Comparator.comparing((EvalSummary e) -> in.label(e.model()))
        .thenComparing(EvalSummary::setting));
    return out;
  }

  /**
   * {@code present} in report order: {@code clean} first, then as in {@code order}, then the rest
   * by name.
   */
  private static List<String> degradationsInOrder(Set<String> present, List<String> order) {
    TreeSet<String> rest = new TreeSet<>(present);
    List<String> out = new ArrayList<>();
    if (rest.remove(LrDegradation.CLEAN)) {
      out.add(LrDegradation.CLEAN);
    }
    for (String d : order) {
      if (rest.remove(d)) {
        out.add(d);
      }
    }
    out.addAll(rest);
    return out;
  }

  /** The degradations this run's rows of one data set and scale were scored on, in order. */
  static List<String> degradations(Input in, String dataset, int scale) {
    Set<String> present = new HashSet<>();
    for (EvalSummary e : of(in, dataset, scale)) {
      present.add(Setting.degradationName(e.setting()));
    }
    return degradationsInOrder(present, in.degradationOrder());
  }

  /**
   * The groups of the detailed table of one data set and scale: its degradations, and clean
   * when there are anchors (published numbers are for the clean LR).
   */
  static List<String> groups(Input in, String dataset, int scale) {
    Set<String> present = new HashSet<>(degradations(in, dataset, scale));
    if (!in.anchors().of(dataset, scale).isEmpty()) {
      present.add(LrDegradation.CLEAN);
    }
    return degradationsInOrder(present, in.degradationOrder());
  }

  /**
   * The PSNR of bicubic from each LR: this run's plain (not x8) bicubic row of that degradation;
   * for the clean LR without one, the published bicubic.
   */
  static Map<String, Double> bicubicPsnr(Input in, String dataset, int scale) {
    Map<String, Double> out = new HashMap<>();
    for (EvalSummary e : of(in, dataset, scale)) {
      if (ModelNames.isBicubic(e.model()) && !Setting.isEnsembleName(e.setting())) {
        out.putIfAbsent(Setting.degradationName(e.setting()), e.result().psnr());
      }
    }
    if (!out.containsKey(LrDegradation.CLEAN)) {
      for (Anchors.Anchor a : in.anchors().of(dataset, scale)) {
        if (a.method().equalsIgnoreCase("bicubic")) {
          out.put(LrDegradation.CLEAN, a.psnr());
        }
      }
    }
    return out;
  }

  private static Double minus(double psnr, Double bicubic) {
    return bicubic == null ? null : psnr - bicubic;
  }

  /**
   * This run's models and the anchors of one data set and scale, grouped by LR degradation
   * ({@link #groups} order; the anchors in the clean group), by ascending PSNR within a group.
   */
  static List<TableRow> rows(Input in, String dataset, int scale) {
    List<EvalSummary> ours = of(in, dataset, scale);
    List<Anchors.Anchor> published = in.anchors().of(dataset, scale);
    Map<String, Double> bicubic = bicubicPsnr(in, dataset, scale);
    List<TableRow> rows = new ArrayList<>();
    for (EvalSummary e : ours) {
      String label = in.label(e.model());
      String degradation = Setting.degradationName(e.setting());
      String note = null;
      for (Anchors.Anchor a : published) {
        if (a.method().equalsIgnoreCase(label) && degradation.equals(LrDegradation.CLEAN)) {
          note = "published " + f2(a.psnr()) + (a.ssim() == null ? "" : " / " + f4(a.ssim()))
              + ", \u0394 " + signed(e.result().psnr() - a.psnr()) + " dB";
        }
      }
      if (e.result().failed() > 0) {
        // the mean is over fewer images than the data set has: not comparable with full rows
        String failed = e.result().failed() + " image(s) failed: mean of "
            + e.result().images() + " only";
        note = note == null ? failed : note + "; " + failed;
      }
      rows.add(new TableRow(true, label, e.setting(), degradation, e.result().psnr(),
          e.result().ssim(), minus(e.result().psnr(), bicubic.get(degradation)),
          e.result().secondsMean(), e.result().images(), "this run", note));
    }
    for (Anchors.Anchor a : published) {
      rows.add(new TableRow(false, a.method(), null, LrDegradation.CLEAN, a.psnr(), a.ssim(),
          minus(a.psnr(), bicubic.get(LrDegradation.CLEAN)), null, null, a.source(), null));
    }
    List<String> groups = groups(in, dataset, scale);
    rows.sort(Comparator.comparingInt((TableRow r) -> groups.indexOf(r.degradation()))
        .thenComparingDouble(TableRow::psnr).thenComparing(r -> r.ours() ? 1 : 0));
    return rows;
  }

  /**
   * The degradation table of one data set and scale: a row per model and base setting, a cell per
   * degradation ({@link #degradations} order) with PSNR, SSIM and the PSNR gain over bicubic from
   * the same LR. Rows by ascending PSNR in the first column (rows without it last), then name.
   */
  static List<PivotRow> pivot(Input in, String dataset, int scale) {
    Map<String, Double> bicubic = bicubicPsnr(in, dataset, scale);
    Map<List<String>, PivotRow> rows = new LinkedHashMap<>();
    for (EvalSummary e : of(in, dataset, scale)) {
      String base = Setting.baseName(e.setting());
      String degradation = Setting.degradationName(e.setting());
      PivotRow row = rows.computeIfAbsent(List.of(e.model(), base),
          k -> new PivotRow(in.label(e.model()), base, new LinkedHashMap<>()));
      row.cells().put(degradation, new PivotCell(e.result().psnr(), e.result().ssim(),
          minus(e.result().psnr(), bicubic.get(degradation))));
    }
    List<String> degradations = degradations(in, dataset, scale);
    String first = degradations.isEmpty() ? LrDegradation.CLEAN : degradations.get(0);
    List<PivotRow> out = new ArrayList<>(rows.values());
    out.sort(Comparator.comparingDouble((PivotRow r) -> r.cells().containsKey(first)
            ? r.cells().get(first).psnr() : Double.POSITIVE_INFINITY)
        .thenComparing(PivotRow::method).thenComparing(PivotRow::setting));
    return out;
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
    all.sort(Comparator.comparing((EvalSummary e) -> in.label(e.model()))
        .thenComparing(EvalSummary::setting).thenComparingInt(EvalSummary::scale));
    for (EvalSummary e : all) {
      series.computeIfAbsent(in.label(e.model()) + " (" + e.setting() + ")",
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

  /**
   * The crop rows of one data set and scale by image (in input order): one row per LR, clean
   * first, then the degradations in {@link Input#degradationOrder()} order.
   */
  static Map<String, List<CropSet>> cropRows(Input in, String dataset, int scale) {
    Map<String, List<CropSet>> out = new LinkedHashMap<>();
    for (CropSet c : in.crops()) {
      if (c.dataset().equals(dataset) && c.scale() == scale && !c.panels().isEmpty()) {
        out.computeIfAbsent(c.image(), k -> new ArrayList<>()).add(c);
      }
    }
    for (List<CropSet> rows : out.values()) {
      Set<String> present = new HashSet<>();
      rows.forEach(c -> present.add(c.degradation()));
      List<String> order = degradationsInOrder(present, in.degradationOrder());
      rows.sort(Comparator.comparingInt(c -> order.indexOf(c.degradation())));
    }
    return out;
  }

  /** Whether any row of the report is from a degraded LR. */
  private static boolean anyDegraded(Input in) {
    for (EvalSummary e : in.summaries()) {
      if (!Setting.degradationName(e.setting()).equals(LrDegradation.CLEAN)) {
        return true;
      }
    }
    return false;
  }

  static String degradationNote() {
    return "A degraded setting (<em>setting@degradation</em>, e.g. whole@jpeg75) applies that "
        + "named degradation (conf/degradations/eval.yaml, or --degradations-file) to the 8-bit "
        + "LR before every method sees it, bicubic included. \u0394 PSNR vs bicubic compares "
        + "with bicubic from the same LR; the published anchors are for the clean LR.";
  }

  static String lrLabel(String degradation) {
    return "LR: " + degradation;
  }

  static String protocol() {
    return "Each HR image is cropped to a multiple of the scale (modcrop); its LR input is MATLAB "
        + "bicubic imresize by 1/scale, rounded to 8 bits. Every model super-resolves the LR image "
        + "through the upscale job's tiling rules (tile cores with a halo of the model's "
        + "receptive-field radius and its border policy, so tiled output equals whole-image "
        + "output). PSNR and SSIM are computed on Y (BT.601 from the 8-bit RGB, in double and "
        + "not rounded: BasicSR's convention) with <em>scale</em> pixels "
        + "cropped from each border, and averaged over images. Time is the wall time of the "
        + "super-resolution alone (all tiles and the stitch), per image, in one Spark task with the "
        + "ND4J threads it was given (OMP_NUM_THREADS); times of different runs are not compared.";
  }

  // ---------------------------------------------------------------------------------------------
  // Markdown

  static String markdown(Input in) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(TITLE).append("\n\n");
    sb.append(meta(in)).append("\n\n");
    sb.append(protocol().replace("<em>", "*").replace("</em>", "*")).append("\n\n");
    if (anyDegraded(in)) {
      sb.append(degradationNote().replace("<em>", "*").replace("</em>", "*")).append("\n\n");
    }
    for (String d : datasets(in)) {
      sb.append("## ").append(d).append("\n\n");
      sb.append("![").append(d).append(": PSNR vs scale](charts/")
          .append(chartName(d, "psnr_vs_scale")).append(")\n");
      sb.append("![").append(d).append(": PSNR vs inference time](charts/")
          .append(chartName(d, "psnr_vs_time")).append(")\n\n");
      for (int s : scales(in, d)) {
        sb.append("### ").append(d).append(" \u00d7").append(s).append("\n\n");
        List<String> degradations = degradations(in, d, s);
        if (degradations.size() > 1) {
          sb.append("By LR: PSNR (dB), \u0394 PSNR vs bicubic from the same LR, SSIM.\n\n");
          sb.append("| method | setting |");
          degradations.forEach(g -> sb.append(' ').append(mdEsc(g)).append(" PSNR | ")
              .append(mdEsc(g)).append(" \u0394 | ").append(mdEsc(g)).append(" SSIM |"));
          sb.append("\n|---|---|").append("---:|".repeat(3 * degradations.size())).append('\n');
          for (PivotRow r : pivot(in, d, s)) {
            sb.append("| ").append(mdEsc(r.method())).append(" | ").append(r.setting())
                .append(" |");
            for (String g : degradations) {
              PivotCell c = r.cells().get(g);
              sb.append(c == null ? " \u2014 | | |" : " " + f2(c.psnr()) + " | "
                  + (c.deltaVsBicubic() == null ? "" : signed(c.deltaVsBicubic())) + " | "
                  + f4(c.ssim()) + " |");
            }
            sb.append('\n');
          }
          sb.append('\n');
        }
        sb.append("| method | setting | PSNR (dB) | SSIM | \u0394 PSNR vs bicubic | s / image "
            + "| images | source |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---|\n");
        boolean grouped = groups(in, d, s).size() > 1;
        String group = null;
        for (TableRow r : rows(in, d, s)) {
          if (grouped && !r.degradation().equals(group)) {
            group = r.degradation();
            sb.append("| *").append(mdEsc(lrLabel(group))).append("* | | | | | | | |\n");
          }
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
        for (Map.Entry<String, List<CropSet>> image : cropRows(in, d, s).entrySet()) {
          sb.append("Crops of ").append(mdEsc(image.getKey())).append(" \u00d7").append(s)
              .append(":\n\n");
          boolean labelled = image.getValue().size() > 1;
          for (CropSet c : image.getValue()) {
            if (labelled) {
              sb.append('*').append(mdEsc(lrLabel(c.degradation()))).append("*\n\n");
            }
            sb.append('|');
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
    }
    List<EnsembleRow> ens = ensembleRows(in);
    if (!ens.isEmpty()) {
      sb.append("## Self-ensemble (x8)\n\n");
      sb.append("| data set | scale | model | setting | PSNR plain | PSNR x8 | gain (dB) | "
          + "SSIM gain | s / image plain | s / image x8 | cost |\n");
      sb.append("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (EnsembleRow r : ens) {
        sb.append("| ").append(mdEsc(r.dataset())).append(" | \u00d7").append(r.scale())
            .append(" | ").append(mdEsc(in.label(r.model()))).append(" | ")
            .append(r.setting()).append(" | ").append(f2(r.plain().result().psnr()))
            .append(" | ").append(f2(r.ensemble().result().psnr())).append(" | ")
            .append(signed(r.gain())).append(" | ").append(signed4(r.ssimGain())).append(" | ")
            .append(seconds(r.plain().result().secondsMean())).append(" | ")
            .append(seconds(r.ensemble().result().secondsMean())).append(" | ")
            .append(r.costText()).append(" |\n");
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
        .append("tr.group th{text-align:left;background:#e6e6e6}\n")
        .append("table.degradations .g{border-left:2px solid #888}\n")
        .append(".meta{color:#555}\n")
        .append(".charts{display:flex;flex-wrap:wrap;gap:12px}\n")
        .append(".crops{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:1.5em}\n")
        .append(".crops figure{margin:0;text-align:center;font-size:12px}\n")
        .append(".crops img{height:192px;image-rendering:pixelated;border:1px solid #999}\n")
        .append(".crops .lr{width:7em;align-self:center;font-size:13px;font-weight:600}\n")
        .append("</style>\n</head>\n<body>\n");
    sb.append("<h1>").append(TITLE).append("</h1>\n");
    sb.append("<p class=\"meta\">").append(esc(meta(in))).append("</p>\n");
    sb.append("<p>").append(protocol()).append("</p>\n");
    if (anyDegraded(in)) {
      sb.append("<p>").append(esc(degradationNote()).replace("&lt;em&gt;", "<em>")
          .replace("&lt;/em&gt;", "</em>")).append("</p>\n");
    }
    Map<String, String> charts = charts(in);
    for (String d : datasets(in)) {
      sb.append("<section class=\"dataset\" id=\"").append(esc(CropPanels.safe(d)))
          .append("\">\n<h2>").append(esc(d)).append("</h2>\n<div class=\"charts\">\n");
      sb.append(charts.get(chartName(d, "psnr_vs_scale")));
      sb.append(charts.get(chartName(d, "psnr_vs_time")));
      sb.append("</div>\n");
      for (int s : scales(in, d)) {
        sb.append("<h3>").append(esc(d)).append(" \u00d7").append(s).append("</h3>\n");
        List<String> degradations = degradations(in, d, s);
        if (degradations.size() > 1) {
          htmlPivot(sb, in, d, s, degradations);
        }
        sb.append("<table class=\"results\" data-dataset=\"").append(esc(d))
            .append("\" data-scale=\"").append(s).append("\">\n<thead><tr><th>method</th>"
                + "<th>setting</th><th>PSNR (dB)</th><th>SSIM</th><th>\u0394 PSNR vs bicubic</th>"
                + "<th>s / image</th><th>images</th><th>source</th></tr></thead>\n<tbody>\n");
        boolean grouped = groups(in, d, s).size() > 1;
        String group = null;
        for (TableRow r : rows(in, d, s)) {
          if (grouped && !r.degradation().equals(group)) {
            group = r.degradation();
            sb.append("<tr class=\"group\" data-degradation=\"").append(esc(group))
                .append("\"><th colspan=\"8\">").append(esc(lrLabel(group)))
                .append("</th></tr>\n");
          }
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
        for (Map.Entry<String, List<CropSet>> image : cropRows(in, d, s).entrySet()) {
          sb.append("<p>Crops of ").append(esc(image.getKey())).append(" \u00d7").append(s)
              .append(":</p>\n");
          boolean labelled = image.getValue().size() > 1;
          for (CropSet c : image.getValue()) {
            sb.append("<div class=\"crops\" data-degradation=\"").append(esc(c.degradation()))
                .append("\">\n");
            if (labelled) {
              sb.append("<div class=\"lr\">").append(esc(lrLabel(c.degradation())))
                  .append("</div>\n");
            }
            for (Panel p : c.panels()) {
              sb.append("<figure><img src=\"").append(esc(p.path())).append("\" alt=\"")
                  .append(esc(p.label())).append("\"><figcaption>").append(esc(p.label()))
                  .append("</figcaption></figure>\n");
            }
            sb.append("</div>\n");
          }
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
            .append(r.scale()).append("</td><td>").append(esc(in.label(r.model())))
            .append("</td><td>").append(esc(r.setting())).append("</td><td class=\"n\">")
            .append(f2(r.plain().result().psnr())).append("</td><td class=\"n\">")
            .append(f2(r.ensemble().result().psnr())).append("</td><td class=\"n\">")
            .append(signed(r.gain())).append("</td><td class=\"n\">")
            .append(signed4(r.ssimGain())).append("</td><td class=\"n\">")
            .append(seconds(r.plain().result().secondsMean())).append("</td><td class=\"n\">")
            .append(seconds(r.ensemble().result().secondsMean())).append("</td><td class=\"n\">")
            .append(r.costText()).append("</td></tr>\n");
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

  /** The degradation table: a column group (PSNR, Δ vs bicubic, SSIM) per degradation. */
  private static void htmlPivot(StringBuilder sb, Input in, String d, int s,
      List<String> degradations) {
    sb.append("<p>By LR: PSNR (dB), \u0394 PSNR vs bicubic from the same LR, SSIM.</p>\n")
        .append("<table class=\"degradations\" data-dataset=\"").append(esc(d))
        .append("\" data-scale=\"").append(s).append("\">\n<thead><tr>"
            + "<th rowspan=\"2\">method</th><th rowspan=\"2\">setting</th>");
    for (String g : degradations) {
      sb.append("<th class=\"g\" colspan=\"3\">").append(esc(lrLabel(g))).append("</th>");
    }
    sb.append("</tr>\n<tr>");
    for (int i = 0; i < degradations.size(); i++) {
      sb.append("<th class=\"g\">PSNR</th><th>\u0394 bicubic</th><th>SSIM</th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (PivotRow r : pivot(in, d, s)) {
      sb.append("<tr data-method=\"").append(esc(r.method())).append("\" data-setting=\"")
          .append(esc(r.setting())).append("\"><td>").append(esc(r.method())).append("</td><td>")
          .append(esc(r.setting())).append("</td>");
      for (String g : degradations) {
        PivotCell c = r.cells().get(g);
        sb.append("<td class=\"n g\" data-degradation=\"").append(esc(g)).append("\">")
            .append(c == null ? "\u2014" : f2(c.psnr())).append("</td><td class=\"n\">")
            .append(c == null || c.deltaVsBicubic() == null ? "" : signed(c.deltaVsBicubic()))
            .append("</td><td class=\"n\">").append(c == null ? "" : f4(c.ssim()))
            .append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</tbody>\n</table>\n");
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Anchors.Source> sortedSources(Input in) {
    List<Anchors.Source> out = new ArrayList<>(in.anchors().sources().values());
    out.sort(Comparator.comparing(Anchors.Source::key));
    return out;
  }

  private static String meta(Input in) {
    String text = String.format(Locale.ROOT, "Run %s, generated %s: %d result(s) computed, %d "
            + "already present, %.1f s wall time. Tables cover every row of results.parquet "
            + "computed from this run's model weights, HR files and degradations.",
        in.runId(), in.generatedAt(), in.computed(), in.skipped(), in.wallSeconds());
    if (!in.stale().isEmpty()) {
      List<String> parts = new ArrayList<>();
      new java.util.TreeMap<>(in.stale()).forEach((why, n) -> parts.add(n + " (" + why + ")"));
      text += " Rows of earlier runs left out: " + String.join(", ", parts) + ".";
    }
    return text;
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
