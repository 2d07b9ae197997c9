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
            1.0));
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
        List.of("Set5", "Other"), s, AnchorsTest.load(), "conf/anchors/published.yaml",
        List.of(new EvalReport.CropSet("Set5", "baby.png", 2, List.of(
            new EvalReport.Panel("HR", "crops/Set5/baby_x2_hr.png"),
            new EvalReport.Panel("bicubic", "crops/Set5/baby_x2_bicubic.png")))),
        List.of(failed));
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
