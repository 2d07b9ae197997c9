package io.sparksr.jobs.report;

import io.sparksr.partitioning.image.ImageTensor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.regex.Matcher;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.ui.VerticalAlignment;
import org.jfree.data.Range;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;
import org.jfree.svg.ViewBox;

/**
 * XY charts for the evaluation report and the training curve, drawn by JFreeChart in one look:
 * white background, light grid, legend on the right. {@link #xy} builds a chart from series of
 * points (a left axis and optionally a right one); {@link #svg} renders it as a self-contained
 * SVG element (JFreeSVG: no script, no external resources, a {@code <title>} tooltip per marker)
 * and {@link #image} as an RGB tensor for a PNG. Points with a non-finite coordinate (or x <= 0 on
 * a log axis) are left out.
 */
public final class Charts {
  public static final Color[] PALETTE = {rgb(0x1f77b4), rgb(0xd62728), rgb(0x2ca02c),
      rgb(0x9467bd), rgb(0xff7f0e), rgb(0x8c564b), rgb(0xe377c2), rgb(0x17becf)};
  public static final Color[] GREYS = {rgb(0x7f7f7f), rgb(0xa0a0a0), rgb(0x5a5a5a),
      rgb(0xbcbcbc)};
  private static final String FONT = Font.SANS_SERIF;
  private static final double PAD = 0.08;

  private Charts() {}

  /** A point; {@code label} (may be null) is shown in its tooltip and next to a bare marker. */
  public record Point(double x, double y, String label) {}

  /** How a series is drawn. */
  public enum Look {
    /** a 2-pixel line through round markers */
    LINE,
    /** a dashed 2-pixel line through small markers (published reference values) */
    DASHED,
    /** round markers with their labels, no line */
    MARKERS,
    /** a 1-pixel line, no markers (dense, noisy data such as a loss) */
    THIN
  }

  public record Series(String name, Color color, Look look, List<Point> points) {}

  /**
   * An axis. With {@code log} the scale is log10 (values must be > 0). {@code ticks} (may be
   * null: chosen from the range) are exactly the ticks drawn; {@code tickLabel} (may be null: the
   * plain number) formats them.
   */
  public record Axis(String label, boolean log, List<Double> ticks,
      DoubleFunction<String> tickLabel) {
    public static Axis linear(String label) {
      return new Axis(label, false, null, null);
    }
  }

  /** A chart of {@code series} against one y axis. */
  public static JFreeChart xy(String title, Axis x, Axis y, List<Series> series) {
    return xy(title, x, y, series, null, List.of());
  }

  /**
   * A chart of {@code left} against the left y axis and of {@code right} against a right one
   * ({@code y2}, may be null when {@code right} is empty). The legend lists left then right.
   */
  public static JFreeChart xy(String title, Axis x, Axis y, List<Series> left, Axis y2,
      List<Series> right) {
    XYPlot plot = new XYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlinePaint(rgb(0x444444));
    plot.setDomainGridlinePaint(rgb(0xeeeeee));
    plot.setRangeGridlinePaint(rgb(0xe5e5e5));
    plot.setDomainGridlineStroke(new BasicStroke(1f));
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    plot.setNoDataMessage("no data");
    plot.setNoDataMessageFont(new Font(FONT, Font.PLAIN, 12));
    List<Point> all = new ArrayList<>();
    left.forEach(s -> all.addAll(kept(s.points(), x.log())));
    right.forEach(s -> all.addAll(kept(s.points(), x.log())));
    plot.setDomainAxis(axis(x, all.stream().mapToDouble(Point::x).toArray(), true));
    plot.setRangeAxis(0, axis(y, null, false));
    plot.setDataset(0, dataset(left, x.log()));
    plot.setRenderer(0, renderer(left, x.log(), 0));
    if (!right.isEmpty()) {
      plot.setRangeAxis(1, axis(y2, null, false));
      plot.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
      plot.setDataset(1, dataset(right, x.log()));
      plot.setRenderer(1, renderer(right, x.log(), 1));
      plot.mapDatasetToRangeAxis(1, 1);
    }
    JFreeChart chart = new JFreeChart(null, new Font(FONT, Font.BOLD, 14), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    TextTitle t = new TextTitle(title, new Font(FONT, Font.BOLD, 14));
    t.setHorizontalAlignment(HorizontalAlignment.LEFT);
    t.setPadding(new RectangleInsets(6, 8, 4, 8));
    chart.setTitle(t);
    LegendTitle legend = chart.getLegend();
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setFrame(BlockBorder.NONE);
    legend.setItemFont(new Font(FONT, Font.PLAIN, 11));
    legend.setVerticalAlignment(VerticalAlignment.TOP);
    legend.setBackgroundPaint(Color.WHITE);
    chart.setPadding(new RectangleInsets(2, 4, 4, 4));
    return chart;
  }

  /**
   * The chart as one {@code <svg class="chart">} element of {@code width} x {@code height}, for a
   * file or inline in HTML. {@code id} (letters, digits, '-' and '_') prefixes the element's
   * internal references (clip paths), so several charts can share a page.
   */
  public static String svg(JFreeChart chart, int width, int height, String id) {
    SVGGraphics2D g = new SVGGraphics2D(width, height);
    g.setDefsKeyPrefix(id + "-");
    chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
    String svg = g.getSVGElement(null, true, new ViewBox(0, 0, width, height), null, null);
    String title = chart.getTitle() == null ? "" : chart.getTitle().getText();
    return svg.replaceFirst("<svg ", "<svg class=\"chart\" role=\"img\" aria-label=\""
        + Matcher.quoteReplacement(xmlEscape(title)) + "\" ") + "\n";
  }

  /** The chart drawn into a {@code width} x {@code height} RGB tensor (planar, [0,1]). */
  public static ImageTensor image(JFreeChart chart, int width, int height) {
    BufferedImage img = chart.createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB,
        null);
    float[] d = new float[3 * width * height];
    int plane = width * height;
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      img.getRGB(0, y, width, 1, row, 0, width);
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        d[i] = ((row[x] >> 16) & 0xff) / 255f;
        d[plane + i] = ((row[x] >> 8) & 0xff) / 255f;
        d[2 * plane + i] = (row[x] & 0xff) / 255f;
      }
    }
    return new ImageTensor(3, height, width, d);
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Point> kept(List<Point> points, boolean logX) {
    List<Point> out = new ArrayList<>();
    for (Point p : points) {
      if (Double.isFinite(p.x()) && Double.isFinite(p.y()) && (!logX || p.x() > 0)) {
        out.add(p);
      }
    }
    return out;
  }

  /** A series key that shows as its name and stays unique when two names are equal. */
  private record Key(int index, String name) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      return Integer.compare(index, o.index);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static XYSeriesCollection dataset(List<Series> series, boolean logX) {
    XYSeriesCollection c = new XYSeriesCollection();
    for (int i = 0; i < series.size(); i++) {
      XYSeries s = new XYSeries(new Key(i, series.get(i).name()), false, true);
      for (Point p : kept(series.get(i).points(), logX)) {
        s.add(p.x(), p.y());
      }
      c.addSeries(s);
    }
    return c;
  }

  private static XYLineAndShapeRenderer renderer(List<Series> series, boolean logX, int axis) {
    List<List<Point>> points = new ArrayList<>();
    series.forEach(s -> points.add(kept(s.points(), logX)));
    TooltipRenderer r = new TooltipRenderer(series, points, axis);
    r.setDrawOutlines(false);
    r.setDefaultItemLabelFont(new Font(FONT, Font.PLAIN, 10));
    r.setDefaultItemLabelPaint(rgb(0x222222));
    r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3,
        TextAnchor.BOTTOM_LEFT));
    r.setDefaultItemLabelGenerator((dataset, s, item) -> points.get(s).get(item).label());
    r.setLegendLine(new Line2D.Double(-11, 0, 11, 0));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      r.setSeriesPaint(i, s.color());
      r.setSeriesLinesVisible(i, s.look() != Look.MARKERS && points.get(i).size() > 1);
      r.setSeriesShapesVisible(i, s.look() != Look.THIN);
      r.setSeriesItemLabelsVisible(i, s.look() == Look.MARKERS);
      double radius = s.look() == Look.DASHED ? 3 : 4;
      r.setSeriesShape(i, new Ellipse2D.Double(-radius, -radius, 2 * radius, 2 * radius));
      r.setSeriesStroke(i, switch (s.look()) {
        case THIN -> new BasicStroke(1f);
        case DASHED -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {6f, 4f}, 0f);
        default -> new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
      });
    }
    return r;
  }

  /** In SVG output, each marker is a group with a title "series label: y". */
  private static final class TooltipRenderer extends XYLineAndShapeRenderer {
    private static final long serialVersionUID = 1L;
    private final transient List<Series> series;
    private final transient List<List<Point>> points;
    private final int axis;

    TooltipRenderer(List<Series> series, List<List<Point>> points, int axis) {
      this.series = series;
      this.points = points;
      this.axis = axis;
    }

    @Override
    public void drawItem(Graphics2D g2, XYItemRendererState state, Rectangle2D dataArea,
        PlotRenderingInfo info, XYPlot plot, ValueAxis domainAxis, ValueAxis rangeAxis,
        XYDataset dataset, int s, int item, CrosshairState crosshair, int pass) {
      boolean tooltip = g2 instanceof SVGGraphics2D && isItemPass(pass)
          && getItemShapeVisible(s, item) && getItemVisible(s, item);
      if (tooltip) {
        Point p = points.get(s).get(item);
        g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, ((SVGGraphics2D) g2).getDefsKeyPrefix()
            + "p" + axis + "-" + s + "-" + item);
        g2.setRenderingHint(SVGHints.KEY_ELEMENT_TITLE, xmlEscape(series.get(s).name()
            + (p.label() == null ? "" : " " + p.label()) + ": "
            + String.format(Locale.ROOT, "%.2f", p.y())));
      }
      super.drawItem(g2, state, dataArea, info, plot, domainAxis, rangeAxis, dataset, s, item,
          crosshair, pass);
      if (tooltip) {
        g2.setRenderingHint(SVGHints.KEY_END_GROUP, Boolean.TRUE);
      }
    }
  }

  /** A value axis: linear or log, with the given or chosen ticks, padded 8% around the data. */
  private static ValueAxis axis(Axis a, double[] values, boolean domain) {
    ValueAxis axis = a.log() ? new TickedLogAxis(a) : new TickedNumberAxis(a);
    axis.setLabelFont(new Font(FONT, Font.PLAIN, 12));
    axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 11));
    axis.setLabelPaint(rgb(0x222222));
    axis.setTickLabelPaint(rgb(0x222222));
    axis.setAxisLineVisible(false);
    axis.setTickMarkPaint(rgb(0x444444));
    axis.setLowerMargin(PAD);
    axis.setUpperMargin(PAD);
    if (axis instanceof NumberAxis n) {
      n.setAutoRangeIncludesZero(false);
      n.setAutoRangeMinimumSize(1.0);
    }
    if (domain && values != null && values.length > 0) {
      // the x range also covers the requested ticks (e.g. every scale, even one without data)
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double v : values) {
        lo = Math.min(lo, a.log() ? Math.log10(v) : v);
        hi = Math.max(hi, a.log() ? Math.log10(v) : v);
      }
      for (double t : a.ticks() == null ? List.<Double>of() : a.ticks()) {
        lo = Math.min(lo, a.log() ? Math.log10(t) : t);
        hi = Math.max(hi, a.log() ? Math.log10(t) : t);
      }
      double pad = hi > lo ? (hi - lo) * PAD : 0.5;
      lo -= pad;
      hi += pad;
      axis.setRange(a.log() ? new Range(Math.pow(10, lo), Math.pow(10, hi)) : new Range(lo, hi));
    }
    return axis;
  }

  private static List<NumberTick> ticks(Axis a, Range r, RectangleEdge edge, boolean log) {
    List<Double> values = a.ticks() != null ? a.ticks()
        : log ? logTicks(Math.log10(r.getLowerBound()), Math.log10(r.getUpperBound())) : null;
    if (values == null) {
      return null;
    }
    DoubleFunction<String> label = a.tickLabel() != null ? a.tickLabel() : Charts::trim;
    TextAnchor anchor = RectangleEdge.LEFT.equals(edge) ? TextAnchor.CENTER_RIGHT
        : RectangleEdge.RIGHT.equals(edge) ? TextAnchor.CENTER_LEFT
        : RectangleEdge.TOP.equals(edge) ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER;
    List<NumberTick> out = new ArrayList<>();
    for (double v : values) {
      if (v >= r.getLowerBound() && v <= r.getUpperBound()) {
        out.add(new NumberTick(v, label.apply(v), anchor, TextAnchor.CENTER, 0.0));
      }
    }
    return out;
  }

  private static final class TickedNumberAxis extends NumberAxis {
    private static final long serialVersionUID = 1L;
    private final transient Axis spec;

    TickedNumberAxis(Axis spec) {
      super(spec.label());
      this.spec = spec;
      if (spec.tickLabel() != null) {
        setNumberFormatOverride(new LabelFormat(spec.tickLabel()));
      }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea,
        RectangleEdge edge) {
      List<NumberTick> fixed = ticks(spec, getRange(), edge, false);
      return fixed != null ? fixed : super.refreshTicks(g2, state, dataArea, edge);
    }
  }

  private static final class TickedLogAxis extends LogAxis {
    private static final long serialVersionUID = 1L;
    private final transient Axis spec;

    TickedLogAxis(Axis spec) {
      super(spec.label());
      this.spec = spec;
      setSmallestValue(1e-12);
      setMinorTickMarksVisible(false);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea,
        RectangleEdge edge) {
      return ticks(spec, getRange(), edge, true);
    }
  }

  /** A NumberFormat over a label function (for the linear axis' automatic ticks). */
  private static final class LabelFormat extends NumberFormat {
    private static final long serialVersionUID = 1L;
    private final transient DoubleFunction<String> label;

    LabelFormat(DoubleFunction<String> label) {
      this.label = label;
    }

    @Override
    public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
      return to.append(label.apply(v));
    }

    @Override
    public StringBuffer format(long v, StringBuffer to, FieldPosition pos) {
      return to.append(label.apply(v));
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
      throw new UnsupportedOperationException("labels are not parsed");
    }
  }

  /**
   * Ticks for a log axis over [10^lo, 10^hi]: decades with 1-2-5 steps (only the decades when
   * that gives more than 8), for a narrow range every integer mantissa, else linear steps.
   */
  static List<Double> logTicks(double lo, double hi) {
    List<Double> oneTwoFive = decades(lo, hi, new double[] {1, 2, 5});
    if (oneTwoFive.size() > 8) {
      return decades(lo, hi, new double[] {1});
    }
    if (oneTwoFive.size() >= 3) {
      return oneTwoFive;
    }
    List<Double> every = decades(lo, hi, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    if (every.size() >= 3) {
      return every;
    }
    List<Double> out = new ArrayList<>();
    double x0 = Math.pow(10, lo);
    double x1 = Math.pow(10, hi);
    double step = niceStep((x1 - x0) / 5);
    for (long k = (long) Math.ceil(x0 / step - 1e-9); k <= (long) Math.floor(x1 / step + 1e-9);
        k++) {
      out.add(k * step);
    }
    return out;
  }

  private static List<Double> decades(double lo, double hi, double[] mantissas) {
    List<Double> out = new ArrayList<>();
    for (int e = (int) Math.floor(lo); e <= (int) Math.ceil(hi); e++) {
      for (double m : mantissas) {
        double v = m * Math.pow(10, e);
        double lv = Math.log10(v);
        if (lv >= lo && lv <= hi) {
          out.add(v);
        }
      }
    }
    return out;
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

  /** A value with as few decimals as it needs (up to 4). */
  public static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.4f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  private static String xmlEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static Color rgb(int rgb) {
    return new Color(rgb);
  }
}
