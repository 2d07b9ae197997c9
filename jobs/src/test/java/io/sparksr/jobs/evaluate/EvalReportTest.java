package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** Report rendering from a hand-made input: tables, anchors, self-ensemble, crops, escaping. */
class EvalReportTest {

  private static EvalSummary summary(String ds, int scale, String model, String setting,
      double psnr, double ssim, double seconds) {
    return new EvalSummary(new SummaryKey(ds, scale, model, setting),
        new EvalAccumulator.Result(5, 0, psnr, ssim, psnr - 2, psnr + 2, 0, seconds, 5 * seconds,
            1.0, List.of("r1")));
  }

  static EvalReport.Input input() throws Exception {
    List<EvalSummary> s = List.of(
        summary("Set5", 2, "bicubic", "whole", 33.69, 0.9297, 0.004),
        summary("Set5", 2, "hdfs://nn/m/<net>.srm", "whole", 36.10, 0.9500, 0.9),
        summary("Set5", 2, "hdfs://nn/m/<net>.srm", "whole+x8", 36.25, 0.9510, 7.5),
        summary("Set5", 4, "bicubic", "whole", 28.43, 0.8110, 0.002),
        summary("Other", 2, "bicubic", "whole", 30.0, 0.9, 0.01));
    EvalResult failed = EvalResult.builder().runId("r1").dataset("Set5").image("bad.png")
        .path("/d/bad.png").scale(2).model("bicubic").setting(new Setting(0, false))
        .psnr(Double.NaN).ssim(Double.NaN).seconds(0).hrWidth(0).hrHeight(0).lrWidth(0)
        .lrHeight(0).channels(0).tiles(0).error("decode <error>").finishedAt(1L).build();
    return new EvalReport.Input("r1", "2025-01-01T00:00:00Z", 12.5, 7, 3,
        List.of("Set5", "Other"), List.of("clean"), s, AnchorsTest.load(),
        "conf/anchors/published.yaml",
        List.of(new EvalReport.CropSet("Set5", "baby.png", 2, "clean", List.of(
            new EvalReport.Panel("HR", "crops/Set5/baby_x2_hr.png"),
            new EvalReport.Panel("bicubic", "crops/Set5/baby_x2_bicubic.png")))),
        List.of(failed), Map.of());
  }

  @Test
  void eachDataSetAndScaleHasItsModelsNextToTheAnchorsByPsnr() throws Exception {
    List<EvalReport.TableRow> rows = EvalReport.rows(input(), "Set5", 2);
    assertThat(rows).extracting(EvalReport.TableRow::method).containsExactly("Bicubic", "bicubic",
        "<net>", "<net>", "FSRCNN", "VDSR");
    EvalReport.TableRow ours = rows.get(1);
    assertThat(ours.ours()).isTrue();
    assertThat(ours.note()).isEqualTo("published 33.66 / 0.9299, \u0394 +0.03 dB");
    assertThat(rows.get(5).deltaVsBicubic()).isCloseTo(37.53 - 33.69,
        org.assertj.core.api.Assertions.within(1e-9));
    assertThat(EvalReport.rows(input(), "Other", 2)).hasSize(1);
  }

  /**
   * Set5 x2 scored on the clean LR, on jpeg75 and (bicubic only, an earlier run) on jpeg50; the
   * run named jpeg75 before clean. Set5 x4 is clean only.
   */
  static EvalReport.Input degradedInput() throws Exception {
    String net = "hdfs://nn/m/net.srm";
    List<EvalSummary> s = List.of(
        summary("Set5", 2, "bicubic", "whole", 33.69, 0.9297, 0.004),
        summary("Set5", 2, "bicubic", "whole@jpeg75", 31.50, 0.8800, 0.004),
        summary("Set5", 2, "bicubic", "whole@jpeg50", 29.00, 0.8300, 0.004),
        summary("Set5", 2, net, "whole", 36.10, 0.9500, 0.9),
        summary("Set5", 2, net, "whole+x8", 36.25, 0.9510, 7.5),
        summary("Set5", 2, net, "whole@jpeg75", 32.00, 0.8900, 0.9),
        summary("Set5", 2, net, "whole@jpeg75+x8", 32.10, 0.8920, 7.5),
        summary("Set5", 4, "bicubic", "whole", 28.43, 0.8110, 0.002),
        summary("Set5", 4, net, "whole", 30.50, 0.8600, 0.3));
    List<EvalReport.Panel> jpeg = List.of(
        new EvalReport.Panel("HR", "crops/Set5/baby_x2_hr.png"),
        new EvalReport.Panel("bicubic", "crops/Set5/baby_x2_bicubic_jpeg75.png"),
        new EvalReport.Panel("net (whole)", "crops/Set5/baby_x2_net_whole_jpeg75.png"));
    List<EvalReport.Panel> clean = List.of(
        new EvalReport.Panel("HR", "crops/Set5/baby_x2_hr.png"),
        new EvalReport.Panel("bicubic", "crops/Set5/baby_x2_bicubic.png"),
        new EvalReport.Panel("net (whole)", "crops/Set5/baby_x2_net_whole.png"));
    return new EvalReport.Input("r2", "2025-01-02T00:00:00Z", 30, 6, 0, List.of("Set5"),
        List.of("jpeg75", "clean"), s, AnchorsTest.load(), "conf/anchors/published.yaml",
        List.of(new EvalReport.CropSet("Set5", "baby.png", 2, "jpeg75", jpeg),
            new EvalReport.CropSet("Set5", "baby.png", 2, "clean", clean),
            new EvalReport.CropSet("Set5", "baby.png", 4, "clean", List.of(
                new EvalReport.Panel("HR", "crops/Set5/baby_x4_hr.png")))),
        List.of(), Map.of());
  }

  @Test
  void aDegradedRowIsComparedWithBicubicFromTheSameLr() throws Exception {
    List<EvalReport.TableRow> rows = EvalReport.rows(degradedInput(), "Set5", 2);
    // clean first (with the anchors), then the run's order, then earlier runs' names
    assertThat(rows).extracting(EvalReport.TableRow::degradation).containsExactly(
        "clean", "clean", "clean", "clean", "clean", "clean",
        "jpeg75", "jpeg75", "jpeg75", "jpeg50");
    assertThat(rows).extracting(r -> r.method() + " " + (r.setting() == null ? "" : r.setting()))
        .containsExactly("Bicubic ", "bicubic whole", "net whole", "net whole+x8", "FSRCNN ",
            "VDSR ", "bicubic whole@jpeg75", "net whole@jpeg75",
            "net whole@jpeg75+x8", "bicubic whole@jpeg50");
    // hand-computed: clean rows against bicubic on the clean LR (33.69), jpeg75 rows against
    // bicubic on the jpeg75 LR (31.50), jpeg50 against 29.00
    double[] expected = {33.66 - 33.69, 0, 36.10 - 33.69, 36.25 - 33.69, 37.00 - 33.69,
        37.53 - 33.69, 0, 32.00 - 31.50, 32.10 - 31.50, 0};
    for (int i = 0; i < expected.length; i++) {
      assertThat(rows.get(i).deltaVsBicubic()).as("row %d", i)
          .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-9));
    }
    assertThat(rows.get(6).note()).as("published numbers are for the clean LR").isNull();
    assertThat(rows.get(1).note()).startsWith("published 33.66");
    assertThat(EvalReport.rows(degradedInput(), "Set5", 4)).extracting(
        EvalReport.TableRow::degradation).containsOnly("clean");
  }

  @Test
  void withoutAnyBicubicOnADegradedLrTheDeltaIsLeftBlank() throws Exception {
    EvalReport.Input in = degradedInput();
    List<EvalSummary> noDegradedBicubic = in.summaries().stream().filter(e ->
        !(e.model().equals("bicubic") && e.setting().contains("@"))).toList();
    EvalReport.Input without = new EvalReport.Input(in.runId(), in.generatedAt(),
        in.wallSeconds(), in.computed(), in.skipped(), in.datasetOrder(), in.degradationOrder(),
        noDegradedBicubic, in.anchors(), in.anchorsOrigin(), in.crops(), in.failures(),
        in.stale());
    for (EvalReport.TableRow r : EvalReport.rows(without, "Set5", 2)) {
      if (r.degradation().equals("clean")) {
        assertThat(r.deltaVsBicubic()).as(r.toString()).isNotNull();
      } else {
        assertThat(r.deltaVsBicubic()).as(r.toString()).isNull();
      }
    }
  }

  @Test
  void theDegradationTableHasAColumnGroupPerLr() throws Exception {
    EvalReport.Input in = degradedInput();
    assertThat(EvalReport.degradations(in, "Set5", 2)).containsExactly("clean", "jpeg75",
        "jpeg50");
    List<EvalReport.PivotRow> pivot = EvalReport.pivot(in, "Set5", 2);
    assertThat(pivot).extracting(r -> r.method() + " " + r.setting()).containsExactly(
        "bicubic whole", "net whole", "net whole+x8");
    EvalReport.PivotRow bicubic = pivot.get(0);
    assertThat(bicubic.cells()).containsOnlyKeys("clean", "jpeg75", "jpeg50");
    assertThat(bicubic.cells().get("jpeg50")).isEqualTo(new EvalReport.PivotCell(29.00, 0.8300,
        0.0));
    EvalReport.PivotRow net = pivot.get(1);
    assertThat(net.cells()).containsOnlyKeys("clean", "jpeg75");
    assertThat(net.cells().get("clean").psnr()).isEqualTo(36.10);
    assertThat(net.cells().get("clean").deltaVsBicubic()).isCloseTo(36.10 - 33.69,
        org.assertj.core.api.Assertions.within(1e-9));
    assertThat(net.cells().get("jpeg75").ssim()).isEqualTo(0.8900);
    assertThat(net.cells().get("jpeg75").deltaVsBicubic()).isCloseTo(32.00 - 31.50,
        org.assertj.core.api.Assertions.within(1e-9));
    assertThat(pivot.get(2).cells().get("jpeg75").deltaVsBicubic()).isCloseTo(32.10 - 31.50,
        org.assertj.core.api.Assertions.within(1e-9));

    String md = EvalReport.markdown(in);
    assertThat(md).contains("| method | setting | clean PSNR | clean \u0394 | clean SSIM "
            + "| jpeg75 PSNR | jpeg75 \u0394 | jpeg75 SSIM | jpeg50 PSNR | jpeg50 \u0394 "
            + "| jpeg50 SSIM |")
        .contains("| net | whole | 36.10 | +2.41 | 0.9500 | 32.00 | +0.50 | 0.8900 | \u2014 | | |")
        .contains("| *LR: jpeg75* |")
        .contains("| **net** | whole@jpeg75 | **32.00** | 0.8900 | +0.50 |")
        .contains("A degraded setting");
    // the x4 section (clean only) has no degradation table and no group rows
    String x4 = md.substring(md.indexOf("### Set5 \u00d74"));
    assertThat(x4).doesNotContain("clean PSNR").doesNotContain("*LR: ");

    String html = EvalReport.html(in);
    assertThat(count(html, "<table class=\"degradations\"")).isEqualTo(1);
    int pivotAt = html.indexOf("<table class=\"degradations\" data-dataset=\"Set5\" "
        + "data-scale=\"2\">");
    int resultsAt = html.indexOf("<table class=\"results\" data-dataset=\"Set5\" "
        + "data-scale=\"2\">");
    assertThat(pivotAt).isPositive().isLessThan(resultsAt);
    String pivotHtml = html.substring(pivotAt, html.indexOf("</table>", pivotAt));
    assertThat(pivotHtml.indexOf("LR: clean")).isLessThan(pivotHtml.indexOf("LR: jpeg75"));
    assertThat(pivotHtml.indexOf("LR: jpeg75")).isLessThan(pivotHtml.indexOf("LR: jpeg50"));
    assertThat(pivotHtml).contains("<tr data-method=\"net\" data-setting=\"whole+x8\">"
        + "<td>net</td><td>whole+x8</td><td class=\"n g\" data-degradation=\"clean\">36.25</td>"
        + "<td class=\"n\">+2.56</td><td class=\"n\">0.9510</td>"
        + "<td class=\"n g\" data-degradation=\"jpeg75\">32.10</td><td class=\"n\">+0.60</td>");
    String results = html.substring(resultsAt, html.indexOf("</table>", resultsAt));
    int cleanGroup = results.indexOf("<tr class=\"group\" data-degradation=\"clean\">");
    int jpegGroup = results.indexOf("<tr class=\"group\" data-degradation=\"jpeg75\">");
    assertThat(cleanGroup).isPositive().isLessThan(results.indexOf("data-method=\"VDSR\""));
    assertThat(results.indexOf("data-method=\"VDSR\"")).isLessThan(jpegGroup);
    assertThat(jpegGroup).isLessThan(results.indexOf("<td>whole@jpeg75</td>"));
  }

  @Test
  void cropsAreARowPerLrCleanFirst() throws Exception {
    EvalReport.Input in = degradedInput();
    Map<String, List<EvalReport.CropSet>> rows = EvalReport.cropRows(in, "Set5", 2);
    assertThat(rows).containsOnlyKeys("baby.png");
    assertThat(rows.get("baby.png")).extracting(EvalReport.CropSet::degradation)
        .containsExactly("clean", "jpeg75");

    String html = EvalReport.html(in);
    int clean = html.indexOf("<div class=\"crops\" data-degradation=\"clean\">");
    int jpeg = html.indexOf("<div class=\"crops\" data-degradation=\"jpeg75\">");
    assertThat(clean).isPositive().isLessThan(jpeg);
    String jpegRow = html.substring(jpeg, html.indexOf("</div>\n<", html.indexOf("<figure>",
        jpeg)));
    assertThat(jpegRow).contains("<div class=\"lr\">LR: jpeg75</div>")
        .contains("<img src=\"crops/Set5/baby_x2_hr.png\" alt=\"HR\">")
        .contains("<img src=\"crops/Set5/baby_x2_bicubic_jpeg75.png\" alt=\"bicubic\">")
        .contains("<img src=\"crops/Set5/baby_x2_net_whole_jpeg75.png\"")
        .doesNotContain("baby_x2_bicubic.png").doesNotContain("baby_x2_net_whole.png");
    String cleanRow = html.substring(clean, jpeg);
    assertThat(cleanRow).contains("crops/Set5/baby_x2_bicubic.png")
        .doesNotContain("jpeg75");
    // one LR at x4: a row without an LR label
    String x4 = html.substring(html.indexOf("Crops of baby.png \u00d74"));
    assertThat(x4.substring(0, x4.indexOf("</div>\n<"))).doesNotContain("class=\"lr\"");

    String md = EvalReport.markdown(in);
    int mdClean = md.indexOf("*LR: clean*");
    int mdJpeg = md.indexOf("*LR: jpeg75*\n\n| HR | bicubic | net (whole) |");
    assertThat(mdClean).isPositive().isLessThan(mdJpeg);
    assertThat(md.substring(mdJpeg)).contains("![bicubic](crops/Set5/baby_x2_bicubic_jpeg75.png)");
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void htmlIsOneSelfContainedPageWithTablesChartsAndCrops() throws Exception {
    String html = EvalReport.html(input());
    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(html).doesNotContain("<script").doesNotContain("http://fonts")
        .doesNotContain("<link");
    assertThat(html).contains("<table class=\"results\" data-dataset=\"Set5\" data-scale=\"2\">")
        .contains("<table class=\"results\" data-dataset=\"Set5\" data-scale=\"4\">")
        .contains("<tr class=\"ours\" data-method=\"bicubic\"><td>bicubic</td><td>whole</td>"
            + "<td class=\"n\">33.69</td><td class=\"n\">0.9297</td>")
        .contains("<tr class=\"published\" data-method=\"VDSR\">")
        .contains("<img src=\"crops/Set5/baby_x2_hr.png\" alt=\"HR\">")
        .contains("&lt;net&gt;").doesNotContain("<net>")
        .contains("decode &lt;error&gt;")
        .contains("<svg class=\"chart\" role=\"img\" aria-label=\"Set5: PSNR vs scale\"")
        .contains("xmlns='http://www.w3.org/2000/svg'")
        .contains("id=\"ref-vdsr\"");
    // clean only: no degradation table, no group rows, no LR labels on crops
    assertThat(html).doesNotContain("class=\"degradations\"").doesNotContain("class=\"group\"")
        .doesNotContain("class=\"lr\"").doesNotContain("A degraded setting");
    // Set5 before Other (command-line order), and x2 before x4
    assertThat(html.indexOf("<h2>Set5</h2>")).isLessThan(html.indexOf("<h2>Other</h2>"));
    assertThat(html.indexOf("data-scale=\"2\"")).isLessThan(html.indexOf("data-scale=\"4\""));
  }

  @Test
  void selfEnsembleGainAndCostAreReported() throws Exception {
    List<EvalReport.EnsembleRow> ens = EvalReport.ensembleRows(input());
    assertThat(ens).hasSize(1);
    assertThat(ens.get(0).gain()).isCloseTo(0.15, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(ens.get(0).cost()).isCloseTo(7.5 / 0.9,
        org.assertj.core.api.Assertions.within(1e-9));
    assertThat(EvalReport.markdown(input())).contains("## Self-ensemble (x8)")
        .contains("| Set5 | \u00d72 | <net> | whole | 36.10 | 36.25 | +0.15 | +0.0010 | 900.0 ms "
            + "| 7.50 s | 8.3\u00d7 |");

    // timed in two runs (maybe two machines): no ratio
    EvalSummary plain = ens.get(0).plain();
    EvalSummary other = new EvalSummary(plain.key(), new EvalAccumulator.Result(5, 0, 36.10,
        0.95, 34.1, 38.1, 0, 0.9, 4.5, 1.0, List.of("r0")));
    assertThat(new EvalReport.EnsembleRow("Set5", 2, plain.model(), "whole", other,
        ens.get(0).ensemble()).costText()).isEqualTo("n/a (timed in different runs)");
  }

  @Test
  void markdownHasTheSameTablesChartsAndCrops() throws Exception {
    String md = EvalReport.markdown(input());
    assertThat(md).contains("### Set5 \u00d72")
        .contains("| **bicubic** | whole | **33.69** | 0.9297 | +0.00 | 4.0 ms | 5 | this run "
            + "(published 33.66 / 0.9299, \u0394 +0.03 dB) |")
        .contains("| VDSR |  | 37.53 | 0.9587 | +3.84 |  |  | vdsr |")
        .contains("![Set5: PSNR vs scale](charts/Set5_psnr_vs_scale.svg)")
        .contains("![HR](crops/Set5/baby_x2_hr.png)")
        .contains("## Failures of this run");
    Map<String, String> charts = EvalReport.charts(input());
    assertThat(charts).containsOnlyKeys("Set5_psnr_vs_scale.svg", "Set5_psnr_vs_time.svg",
        "Other_psnr_vs_scale.svg", "Other_psnr_vs_time.svg");
    assertThat(charts.get("Set5_psnr_vs_scale.svg")).contains("VDSR (published)")
        .contains("stroke-dasharray");
    assertThat(charts.get("Set5_psnr_vs_time.svg")).contains(" ms</text>");
    // read back as XML: every chart is one <svg class="chart">; a tooltip per point; the
    // scale axis has exactly the scales as ticks, the time axis is labelled in ms/s
    for (Map.Entry<String, String> c : charts.entrySet()) {
      Document doc = xml(c.getValue());
      assertThat(doc.getDocumentElement().getAttribute("class")).as(c.getKey()).isEqualTo("chart");
    }
    Document scale = xml(charts.get("Set5_psnr_vs_scale.svg"));
    // Set5: <net> whole (x2), <net> whole+x8 (x2), bicubic (x2, x4), then the anchors Bicubic
    // (x2, x4), FSRCNN (x2, x4), VDSR (x2, x4)
    assertThat(texts(scale, "title")).hasSize(4 + 6).contains("bicubic (whole) \u00d74: 28.43",
        "VDSR (published) \u00d72: 37.53");
    assertThat(texts(scale, "text")).contains("\u00d72", "\u00d74", "<net> (whole+x8)")
        .doesNotContain("\u00d73");
    Document time = xml(charts.get("Set5_psnr_vs_time.svg"));
    assertThat(texts(time, "title")).hasSize(4).contains("<net> (whole+x8) \u00d72: 36.25");
  }

  private static Document xml(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(
        svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> texts(Document doc, String tag) {
    NodeList nodes = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", tag);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent());
    }
    return out;
  }
}
