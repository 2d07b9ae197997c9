package io.sparksr.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.image.ImageTensor;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Charts read back independently: the SVG as XML, the PNG through ImageIO. */
class ChartsTest {
  private static final String SVG_NS = "http://www.w3.org/2000/svg";

  private static List<Charts.Series> series() {
    return List.of(
        new Charts.Series("ours <a&b>", Charts.PALETTE[0], Charts.Look.LINE, List.of(
            new Charts.Point(2, 33.5, "\u00d72"), new Charts.Point(3, 30.1, "\u00d73"),
            new Charts.Point(4, Double.NaN, "\u00d74"))),
        new Charts.Series("VDSR (published)", Charts.GREYS[0], Charts.Look.DASHED, List.of(
            new Charts.Point(2, 37.5, null), new Charts.Point(4, 31.4, null))));
  }

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(
        svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> texts(Document doc, String tag) {
    NodeList nodes = doc.getElementsByTagNameNS(SVG_NS, tag);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent());
    }
    return out;
  }

  @Test
  void svgIsOneWellFormedElementWithTheSeriesTheTicksAndAToolTipPerFinitePoint()
      throws Exception {
    Charts.Axis x = new Charts.Axis("scale", false, List.of(2.0, 3.0, 4.0),
        t -> "\u00d7" + Math.round(t));
    String svg = Charts.svg(Charts.xy("Set5: PSNR vs scale", x, Charts.Axis.linear("PSNR"),
        series()), 620, 320, "t1");
    Document doc = parse(svg);
    Element root = doc.getDocumentElement();
    assertThat(root.getLocalName()).isEqualTo("svg");
    assertThat(root.getNamespaceURI()).isEqualTo(SVG_NS);
    assertThat(root.getAttribute("class")).isEqualTo("chart");
    assertThat(root.getAttribute("aria-label")).isEqualTo("Set5: PSNR vs scale");
    assertThat(root.getAttribute("viewBox")).isEqualTo("0.0 0.0 620.0 320.0");
    List<String> text = texts(doc, "text");
    // title, legend (escaped in the file, plain once parsed), x label and exactly the ticks (the
    // rotated y label is drawn as glyph outlines, not as text)
    assertThat(text).contains("Set5: PSNR vs scale", "ours <a&b>", "VDSR (published)", "scale",
        "\u00d72", "\u00d73", "\u00d74");
    assertThat(text.stream().filter(s -> s.startsWith("\u00d7"))).hasSize(3);
    // one tooltip per finite point: 2 of ours (the NaN is left out) + 2 published
    assertThat(texts(doc, "title")).containsExactlyInAnyOrder("ours <a&b> \u00d72: 33.50",
        "ours <a&b> \u00d73: 30.10", "VDSR (published): 37.50", "VDSR (published): 31.40");
    assertThat(svg).contains("stroke-dasharray");
    // ids are prefixed, so two charts on one page do not share clip paths
    NodeList clips = doc.getElementsByTagNameNS(SVG_NS, "clipPath");
    assertThat(clips.getLength()).isPositive();
    for (int i = 0; i < clips.getLength(); i++) {
      assertThat(((Element) clips.item(i)).getAttribute("id")).startsWith("t1-");
    }
  }

  @Test
  void emptyChartSaysNoData() throws Exception {
    String svg = Charts.svg(Charts.xy("empty", Charts.Axis.linear("x"),
        Charts.Axis.linear("y"), List.of()), 300, 200, "e");
    assertThat(texts(parse(svg), "text")).contains("empty", "no data");
  }

  @Test
  void logAxisTicksAreDecadesWithOneTwoFiveSteps() {
    // 2 ms .. 10 s: 1-2-5 would be 12 ticks, so decades only
    assertThat(ticks(0.002, 10)).containsExactly("0.01", "0.1", "1", "10");
    // 4 ms .. 1 s: 1-2-5
    assertThat(ticks(0.004, 1)).containsExactly("0.005", "0.01", "0.02", "0.05", "0.1", "0.2",
        "0.5", "1");
    // a narrow range: every integer mantissa, then linear steps
    assertThat(ticks(0.25, 0.55)).containsExactly("0.3", "0.4", "0.5");
    assertThat(ticks(0.0248, 0.032)).containsExactly("0.026", "0.028", "0.03", "0.032");
  }

  private static List<String> ticks(double lo, double hi) {
    return Charts.logTicks(Math.log10(lo), Math.log10(hi)).stream().map(Charts::trim).toList();
  }

  @Test
  void imageHasTheRequestedSizeAndDecodesAsPng(@TempDir Path tmp) throws Exception {
    Charts.Series loss = new Charts.Series("loss", Color.DARK_GRAY, Charts.Look.THIN, List.of(
        new Charts.Point(1, 0.03, null), new Charts.Point(2, 0.028, null)));
    Charts.Series psnr = new Charts.Series("x2", Color.RED, Charts.Look.LINE, List.of(
        new Charts.Point(1, 30, null), new Charts.Point(2, 32, null)));
    ImageTensor t = Charts.image(Charts.xy("curve", Charts.Axis.linear("step"),
        new Charts.Axis("loss", true, null, null), List.of(loss),
        Charts.Axis.linear("PSNR"), List.of(psnr)), 400, 250);
    assertThat(t.width()).isEqualTo(400);
    assertThat(t.height()).isEqualTo(250);
    String png = tmp.resolve("c.png").toString();
    new ImageStore(new Configuration()).write(png, t, PixelFormat.of("png", 3, 8));
    BufferedImage img = ImageIO.read(tmp.resolve("c.png").toFile());
    assertThat(img.getWidth()).isEqualTo(400);
    assertThat(img.getHeight()).isEqualTo(250);
    Set<Integer> colours = new HashSet<>();
    boolean red = false;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        red |= (rgb >> 16) > 200 && ((rgb >> 8) & 0xff) < 60 && (rgb & 0xff) < 60;
      }
    }
    assertThat(img.getRGB(0, 0) & 0xffffff).as("white background").isEqualTo(0xffffff);
    assertThat(colours.size()).as("distinct colours").isGreaterThan(20);
    assertThat(red).as("the red x2 series is drawn").isTrue();
  }
}
