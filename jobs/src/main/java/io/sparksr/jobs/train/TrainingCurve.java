package io.sparksr.jobs.train;

import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.Csv;
import io.sparksr.jobs.report.Charts;
import io.sparksr.partitioning.image.ImageTensor;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;

/**
 * The training curve: one CSV row per logged step (loss, learning rate, throughput, validation
 * PSNR per scale when measured, an empty cell where not) and a PNG chart of it, both rewritten
 * atomically. Rows from an earlier run are kept when resuming. A run with the FFT-L1 loss term
 * has one more column, {@value #FFT_COLUMN} (the unweighted term; "loss" is then L1 + w x it);
 * a run without it writes the columns of earlier versions, byte for byte.
 */
final class TrainingCurve {
  static final List<String> COLUMNS = List.of("step", "minutes", "loss", "lr", "patches_per_s",
      "val_psnr_x2", "val_psnr_x3", "val_psnr_x4");
  static final String HEADER = String.join(",", COLUMNS);
  static final String FFT_COLUMN = "fft_l1";
  static final String TITLE =
      "training curve: loss (log, left) and Set5 PSNR-Y (right) vs step";
  static final int WIDTH = 900;
  static final int HEIGHT = 420;

  /** One row; NaN where not measured ({@code fftL1}: also where the term is off). */
  record Point(long step, double minutes, double loss, double lr, double patchesPerSecond,
      double psnr2, double psnr3, double psnr4, double fftL1) {
    /** A row without the FFT-L1 term. */
    Point(long step, double minutes, double loss, double lr, double patchesPerSecond,
        double psnr2, double psnr3, double psnr4) {
      this(step, minutes, loss, lr, patchesPerSecond, psnr2, psnr3, psnr4, Double.NaN);
    }

    /** Whether this row holds a validation (a PSNR at some scale). */
    boolean validated() {
      return !Double.isNaN(psnr2) || !Double.isNaN(psnr3) || !Double.isNaN(psnr4);
    }

    /** The mean PSNR over the scales measured in this row. */
    double meanPsnr() {
      return java.util.stream.DoubleStream.of(psnr2, psnr3, psnr4).filter(v -> !Double.isNaN(v))
          .average().orElse(Double.NaN);
    }

    List<String> csv(boolean withFft) {
      List<String> row = new ArrayList<>(Arrays.asList(Long.toString(step),
          String.format(Locale.ROOT, "%.3f", minutes), num(loss), num(lr), num(patchesPerSecond),
          num(psnr2), num(psnr3), num(psnr4)));
      if (withFft) {
        row.add(num(fftL1));
      }
      return row;
    }

    static Point of(CSVRecord r) {
      return new Point(Long.parseLong(r.get("step")), d(r.get("minutes")), d(r.get("loss")),
          d(r.get("lr")), d(r.get("patches_per_s")), d(r.get("val_psnr_x2")),
          d(r.get("val_psnr_x3")), d(r.get("val_psnr_x4")),
          r.isMapped(FFT_COLUMN) ? d(r.get(FFT_COLUMN)) : Double.NaN);
    }

    private static String num(double v) {
      return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static double d(String s) {
      return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
  }

  private final Configuration conf;
  private final String csvPath;
  private final String pngPath;
  private final List<Point> points = new ArrayList<>();

  TrainingCurve(Configuration conf, String csvPath, String pngPath) {
    this.conf = conf;
    this.csvPath = csvPath;
    this.pngPath = pngPath;
  }

  /**
   * Loads the rows of an earlier run up to {@code upToStep} (a resumed run rewrites later ones).
   */
  void resume(long upToStep) throws IOException {
    if (!HadoopFiles.exists(conf, csvPath)) {
      return;
    }
    for (CSVRecord r : Csv.records(HadoopFiles.readText(conf, csvPath), csvPath)) {
      Point p;
      try {
        p = Point.of(r);
      } catch (IllegalArgumentException e) { // also NumberFormatException
        throw new IOException("cannot read row " + r.getRecordNumber() + " of " + csvPath + ": "
            + e.getMessage(), e);
      }
      if (p.step() <= upToStep) {
        points.add(p);
      }
    }
  }

  void add(Point p) {
    points.add(p);
  }

  List<Point> points() {
    return List.copyOf(points);
  }

  /** The minutes of the last row (0 without rows). */
  double lastMinutes() {
    return points.isEmpty() ? 0 : points.get(points.size() - 1).minutes();
  }

  /** Whether a validation row is at {@code step}. */
  boolean validatedAt(long step) {
    return points.stream().anyMatch(p -> p.step() == step && p.validated());
  }

  /** The best mean validation PSNR over the scales of a row (minus infinity without one). */
  double bestValidation() {
    return points.stream().filter(Point::validated).mapToDouble(Point::meanPsnr).max()
        .orElse(Double.NEGATIVE_INFINITY);
  }

  /**
   * The CSV text of {@code points}: the header and a row per point; the {@value #FFT_COLUMN}
   * column only if a point has a value in it.
   */
  static String csv(List<Point> points) {
    boolean fft = points.stream().anyMatch(p -> !Double.isNaN(p.fftL1()));
    List<String> columns = new ArrayList<>(COLUMNS);
    if (fft) {
      columns.add(FFT_COLUMN);
    }
    return Csv.text(columns, points.stream().map(p -> p.csv(fft)).toList());
  }

  /** Writes the CSV and the chart. */
  void write() throws IOException {
    HadoopFiles.writeText(conf, csvPath, csv(points));
    new ImageStore(conf).write(pngPath, chart(points, WIDTH, HEIGHT),
        PixelFormat.of("png", 3, 8));
  }

  /** Loss (left axis, log scale) and validation PSNR per scale (right axis) against steps. */
  static ImageTensor chart(List<Point> points, int width, int height) {
    List<Charts.Series> loss = new ArrayList<>();
    List<Charts.Point> l = series(points, Point::loss, true);
    List<Charts.Point> f = series(points, Point::fftL1, true);
    if (!l.isEmpty()) {
      loss.add(new Charts.Series(f.isEmpty() ? "L1 loss" : "loss (L1 + w x FFT-L1)",
          new Color(90, 90, 90), Charts.Look.THIN, l));
    }
    if (!f.isEmpty()) {
      loss.add(new Charts.Series("FFT-L1 term", new Color(200, 130, 0), Charts.Look.THIN, f));
    }
    List<Charts.Series> psnr = new ArrayList<>();
    addPsnr(psnr, "x2", new Color(200, 40, 40), series(points, Point::psnr2, false));
    addPsnr(psnr, "x3", new Color(40, 140, 40), series(points, Point::psnr3, false));
    addPsnr(psnr, "x4", new Color(40, 70, 200), series(points, Point::psnr4, false));
    long maxStep = points.isEmpty() ? 1 : Math.max(1, points.get(points.size() - 1).step());
    Charts.Axis step = new Charts.Axis("step", false, null, null);
    Charts.Axis lossAxis = new Charts.Axis("loss (log)", true, null, null);
    Charts.Axis psnrAxis = new Charts.Axis("Set5 PSNR-Y (dB)", false, null, null);
    var chart = Charts.xy(TITLE, step, lossAxis, loss, psnrAxis, psnr);
    chart.getXYPlot().getDomainAxis().setRange(0, maxStep);
    return Charts.image(chart, width, height);
  }

  private static void addPsnr(List<Charts.Series> out, String name, Color color,
      List<Charts.Point> pts) {
    if (!pts.isEmpty()) {
      out.add(new Charts.Series(name, color, Charts.Look.LINE, pts));
    }
  }

  private static List<Charts.Point> series(List<Point> points, ToDoubleFunction<Point> value,
      boolean positive) {
    List<Charts.Point> out = new ArrayList<>();
    for (Point p : points) {
      double v = value.applyAsDouble(p);
      if (!Double.isNaN(v) && (!positive || v > 0)) {
        out.add(new Charts.Point(p.step(), v, "step " + p.step()));
      }
    }
    return out;
  }
}
