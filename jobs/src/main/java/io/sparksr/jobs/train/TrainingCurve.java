package io.sparksr.jobs.train;

import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.image.ImageTensor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * The training curve: one CSV row per logged step (loss, learning rate, throughput, validation
 * PSNR per scale when measured) and a PNG chart of it, both rewritten atomically. Rows from an
 * earlier run are kept when resuming.
 */
final class TrainingCurve {
  static final String HEADER = "step,minutes,loss,lr,patches_per_s,val_psnr_x2,val_psnr_x3,val_psnr_x4";

  /** One row; NaN where not measured. */
  record Point(long step, double minutes, double loss, double lr, double patchesPerSecond,
      double psnr2, double psnr3, double psnr4) {
    String csv() {
      return String.format(Locale.ROOT, "%d,%.3f,%s,%s,%s,%s,%s,%s", step, minutes, num(loss),
          num(lr), num(patchesPerSecond), num(psnr2), num(psnr3), num(psnr4));
    }

    static Point parse(String line) {
      String[] f = line.split(",", -1);
      return new Point(Long.parseLong(f[0]), d(f[1]), d(f[2]), d(f[3]), d(f[4]), d(f[5]),
          d(f[6]), d(f[7]));
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

  /** Loads the rows of an earlier run up to {@code upToStep} (a resumed run rewrites later ones). */
  void resume(long upToStep) throws IOException {
    if (!HadoopFiles.exists(conf, csvPath)) {
      return;
    }
    for (String line : HadoopFiles.readText(conf, csvPath).split("\n")) {
      if (line.isBlank() || line.startsWith("step")) {
        continue;
      }
      Point p = Point.parse(line);
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

  /** Writes the CSV and the chart. */
  void write() throws IOException {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    points.forEach(p -> sb.append(p.csv()).append('\n'));
    HadoopFiles.writeText(conf, csvPath, sb.toString());
    new ImageStore(conf).write(pngPath, chart(points, 900, 420), PixelFormat.of("png", 3, 8));
  }

  /** Loss (left axis, log scale) and validation PSNR per scale (right axis) against steps. */
  static ImageTensor chart(List<Point> points, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    int left = 70;
    int right = width - 70;
    int top = 30;
    int bottom = height - 45;
    g.setColor(Color.DARK_GRAY);
    g.drawRect(left, top, right - left, bottom - top);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("training curve: L1 loss (log, left) and Set5 PSNR-Y (right) vs step", left, 18);
    if (!points.isEmpty()) {
      long maxStep = Math.max(1, points.get(points.size() - 1).step());
      double lossMin = Double.POSITIVE_INFINITY;
      double lossMax = Double.NEGATIVE_INFINITY;
      double psnrMin = Double.POSITIVE_INFINITY;
      double psnrMax = Double.NEGATIVE_INFINITY;
      for (Point p : points) {
        if (p.loss() > 0) {
          lossMin = Math.min(lossMin, p.loss());
          lossMax = Math.max(lossMax, p.loss());
        }
        for (double v : new double[] {p.psnr2(), p.psnr3(), p.psnr4()}) {
          if (!Double.isNaN(v)) {
            psnrMin = Math.min(psnrMin, v);
            psnrMax = Math.max(psnrMax, v);
          }
        }
      }
      g.drawString("0", left - 4, bottom + 15);
      g.drawString(Long.toString(maxStep), right - 30, bottom + 15);
      g.drawString("step", (left + right) / 2, bottom + 30);
      if (lossMax > 0) {
        double l0 = Math.log10(lossMin);
        double l1 = Math.max(l0 + 1e-3, Math.log10(lossMax));
        g.setColor(new Color(90, 90, 90));
        g.drawString(String.format(Locale.ROOT, "%.4f", lossMax), 5, top + 10);
        g.drawString(String.format(Locale.ROOT, "%.4f", lossMin), 5, bottom);
        g.setStroke(new BasicStroke(1f));
        int px = -1;
        int py = -1;
        for (Point p : points) {
          if (!(p.loss() > 0)) {
            continue;
          }
          int x = left + (int) ((right - left) * (double) p.step() / maxStep);
          int y = bottom - (int) ((bottom - top) * (Math.log10(p.loss()) - l0) / (l1 - l0));
          if (px >= 0) {
            g.drawLine(px, py, x, y);
          }
          px = x;
          py = y;
        }
      }
      if (psnrMax > psnrMin - 1) {
        double lo = Math.floor(psnrMin - 0.5);
        double hi = Math.ceil(psnrMax + 0.5);
        Map<Integer, Color> colors = new TreeMap<>(Map.of(2, new Color(200, 40, 40), 3,
            new Color(40, 140, 40), 4, new Color(40, 70, 200)));
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "%.0f dB", hi), right + 5, top + 10);
        g.drawString(String.format(Locale.ROOT, "%.0f dB", lo), right + 5, bottom);
        g.setStroke(new BasicStroke(2f));
        for (var e : colors.entrySet()) {
          int s = e.getKey();
          g.setColor(e.getValue());
          g.drawString("x" + s, right + 5, top + 30 + 15 * s);
          int px = -1;
          int py = -1;
          for (Point p : points) {
            double v = s == 2 ? p.psnr2() : s == 3 ? p.psnr3() : p.psnr4();
            if (Double.isNaN(v)) {
              continue;
            }
            int x = left + (int) ((right - left) * (double) p.step() / maxStep);
            int y = bottom - (int) ((bottom - top) * (v - lo) / (hi - lo));
            g.fillOval(x - 2, y - 2, 5, 5);
            if (px >= 0) {
              g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
          }
        }
      }
    }
    g.dispose();
    float[] d = new float[3 * width * height];
    int plane = width * height;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int rgb = img.getRGB(x, y);
        int i = y * width + x;
        d[i] = ((rgb >> 16) & 0xff) / 255f;
        d[plane + i] = ((rgb >> 8) & 0xff) / 255f;
        d[2 * plane + i] = (rgb & 0xff) / 255f;
      }
    }
    return new ImageTensor(3, height, width, d);
  }
}
