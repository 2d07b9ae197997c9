package io.sparksr.jobs.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small self-contained SVG charts (no script, no external resources) for the report: a series is
 * a set of points drawn as markers, joined by a line or not, solid or dashed. Pure text output;
 * the same SVG is inlined in report.html and written next to report.md.
 */
final class SvgCharts {
  static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
      "#8c564b", "#e377c2", "#17becf"};
  static final String[] GREYS = {"#7f7f7f", "#a0a0a0", "#5a5a5a", "#bcbcbc"};
  private static final int W = 620;
  private static final int H = 320;
  private static final int LEFT = 58;
  private static final int RIGHT = 190;
  private static final int TOP = 30;
  private static final int BOTTOM = 46;

  private SvgCharts() {}

  record Point(double x, double y, String label) {}

  record Series(String name, String color, boolean line, boolean dashed, List<Point> points) {}

  /**
   * A chart of {@code series}. With {@code logX} the x axis is log10 (values must be > 0); with
   * {@code xTicks} given, exactly those x ticks are drawn (e.g. the scales).
   */
  static String chart(String title, String xLabel, String yLabel, List<Series> series,
      boolean logX, List<Double> xTicks) {
    List<Point> all = new ArrayList<>();
    for (Series s : series) {
      for (Point p : s.points()) {
        if (Double.isFinite(p.x()) && Double.isFinite(p.y()) && (!logX || p.x() > 0)) {
          all.add(p);
        }
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(W)
        .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ')
        .append(H).append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">\n");
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    sb.append(text(LEFT, 18, title, "start", 14, "bold"));
    if (all.isEmpty()) {
      sb.append(text(W / 2.0, H / 2.0, "no data", "middle", 12, "normal")).append("</svg>\n");
      return sb.toString();
    }
    double x0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY;
    double y1 = Double.NEGATIVE_INFINITY;
    for (Point p : all) {
      double x = logX ? Math.log10(p.x()) : p.x();
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, p.y());
      y1 = Math.max(y1, p.y());
    }
    if (xTicks != null && !xTicks.isEmpty()) {
      for (double t : xTicks) {
        x0 = Math.min(x0, logX ? Math.log10(t) : t);
        x1 = Math.max(x1, logX ? Math.log10(t) : t);
      }
    }
    double xpad = x1 > x0 ? (x1 - x0) * 0.08 : 0.5;
    x0 -= xpad;
    x1 += xpad;
    double ypad = y1 > y0 ? (y1 - y0) * 0.08 : 0.5;
    double yStep = niceStep((y1 - y0 + 2 * ypad) / 5);
    y0 = Math.floor((y0 - ypad) / yStep) * yStep;
    y1 = Math.ceil((y1 + ypad) / yStep) * yStep;
    Axis ax = new Axis(x0, x1, y0, y1, logX);

    // frame, grid and ticks
    int pw = W - LEFT - RIGHT;
    int ph = H - TOP - BOTTOM;
    sb.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
        .append(pw).append("\" height=\"").append(ph)
        .append("\" fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>\n");
    for (double y = y0; y <= y1 + yStep / 2; y += yStep) {
      double py = ax.py(y);
      sb.append(line(LEFT, py, LEFT + pw, py, "#e5e5e5", false));
      sb.append(text(LEFT - 6, py + 4, fmt(y, yStep), "end", 11, "normal"));
    }
    List<Double> ticks = xTicks != null && !xTicks.isEmpty() ? xTicks : autoTicks(x0, x1, logX);
    for (double t : ticks) {
      double px = ax.px(logX ? Math.log10(t) : t);
      if (px < LEFT - 0.5 || px > LEFT + pw + 0.5) {
        continue;
      }
      sb.append(line(px, TOP, px, TOP + ph, "#eeeeee", false));
      sb.append(text(px, TOP + ph + 16, tickLabel(t, logX), "middle", 11, "normal"));
    }
    sb.append(text(LEFT + pw / 2.0, H - 8, xLabel, "middle", 12, "normal"));
    sb.append("<text x=\"14\" y=\"").append(TOP + ph / 2).append("\" font-size=\"12\" "
        + "font-family=\"sans-serif\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
        .append(TOP + ph / 2).append(")\">").append(esc(yLabel)).append("</text>\n");

    // series and legend
    int ly = TOP + 6;
    for (Series s : series) {
      List<Point> pts = new ArrayList<>();
      for (Point p : s.points()) {
        if (Double.isFinite(p.x()) && Double.isFinite(p.y()) && (!logX || p.x() > 0)) {
          pts.add(p);
        }
      }
      if (pts.isEmpty()) {
        continue;
      }
      if (s.line() && pts.size() > 1) {
        StringBuilder d = new StringBuilder();
        for (Point p : pts) {
          d.append(d.length() == 0 ? "" : " ").append(f(ax.px(ax.x(p.x())))).append(',')
              .append(f(ax.py(p.y())));
        }
        sb.append("<polyline fill=\"none\" stroke=\"").append(s.color())
            .append("\" stroke-width=\"2\"").append(s.dashed() ? " stroke-dasharray=\"6 4\"" : "")
            .append(" points=\"").append(d).append("\"/>\n");
      }
      for (Point p : pts) {
        double px = ax.px(ax.x(p.x()));
        double py = ax.py(p.y());
        sb.append("<circle cx=\"").append(f(px)).append("\" cy=\"").append(f(py))
            .append("\" r=\"").append(s.dashed() ? "3" : "4").append("\" fill=\"")
            .append(s.color()).append("\"><title>").append(esc(s.name()))
            .append(p.label() == null ? "" : " " + esc(p.label())).append(": ")
            .append(fmt(p.y(), 0.01)).append("</title></circle>\n");
        if (p.label() != null && !s.line()) {
          sb.append(text(px + 6, py - 6, p.label(), "start", 10, "normal"));
        }
      }
      int lx = LEFT + pw + 12;
      sb.append(line(lx, ly, lx + 22, ly, s.color(), s.dashed()).replace("stroke-width=\"1\"",
          "stroke-width=\"2\""));
      sb.append(text(lx + 28, ly + 4, s.name(), "start", 11, "normal"));
      ly += 17;
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private record Axis(double x0, double x1, double y0, double y1, boolean logX) {
    double x(double v) {
      return logX ? Math.log10(v) : v;
    }

    double px(double x) {
      return LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT);
    }

    double py(double y) {
      return TOP + (y1 - y) / (y1 - y0) * (H - TOP - BOTTOM);
    }
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static List<Double> autoTicks(double x0, double x1, boolean logX) {
    if (logX) {
      // decades with 1-2-5 steps; for a narrow range every integer mantissa; then linear steps
      for (double[] mantissas : new double[][] {{1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
        List<Double> out = new ArrayList<>();
        for (int e = (int) Math.floor(x0); e <= (int) Math.ceil(x1); e++) {
          for (double m : mantissas) {
            double v = m * Math.pow(10, e);
            double lv = Math.log10(v);
            if (lv >= x0 && lv <= x1) {
              out.add(v);
            }
          }
        }
        if (out.size() >= 3) {
          return out;
        }
      }
      return linearTicks(Math.pow(10, x0), Math.pow(10, x1));
    }
    return linearTicks(x0, x1);
  }

  private static List<Double> linearTicks(double x0, double x1) {
    List<Double> out = new ArrayList<>();
    double step = niceStep((x1 - x0) / 5);
    for (double v = Math.ceil(x0 / step) * step; v <= x1 + step * 1e-9; v += step) {
      out.add(v);
    }
    return out;
  }

  private static String tickLabel(double t, boolean logX) {
    if (logX) {
      return t >= 1 ? trim(t) + " s" : trim(t * 1000) + " ms";
    }
    return t == Math.rint(t) ? "\u00d7" + (long) t : fmt(t, 0.1);
  }

  /** A tick value with as few decimals as it needs (up to 3). */
  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  private static String fmt(double v, double step) {
    int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String line(double x1, double y1, double x2, double y2, String color,
      boolean dashed) {
    return "<line x1=\"" + f(x1) + "\" y1=\"" + f(y1) + "\" x2=\"" + f(x2) + "\" y2=\"" + f(y2)
        + "\" stroke=\"" + color + "\" stroke-width=\"1\""
        + (dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
  }

  private static String text(double x, double y, String s, String anchor, int size,
      String weight) {
    return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" font-size=\"" + size
        + "\" font-family=\"sans-serif\" font-weight=\"" + weight + "\" text-anchor=\"" + anchor
        + "\">" + esc(s) + "</text>\n";
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** XML/HTML text escaping. */
  static String esc(String s) {
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
}
