package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Means over images, merged in any grouping, failed rows counted but not averaged. */
class EvalAccumulatorTest {

  static EvalResult row(String image, double psnr, double ssim, double seconds, String error) {
    return EvalResult.builder().runId("run").dataset("Set5").image(image).path("/d/" + image)
        .scale(2).model("bicubic").setting(new Setting(0, false)).psnr(psnr).ssim(ssim)
        .seconds(seconds).hrWidth(100).hrHeight(50).lrWidth(50).lrHeight(25).channels(3).tiles(1)
        .error(error).finishedAt(1L).build();
  }

  @Test
  void mergedPartsGiveTheMeansOfTheWhole() {
    Random rnd = new Random(4);
    List<EvalResult> rows = new ArrayList<>();
    for (int i = 0; i < 37; i++) {
      rows.add(row("i" + i, 25 + 10 * rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble(), null));
    }
    rows.add(row("bad", Double.NaN, Double.NaN, 0, "corrupt"));
    double psnr = 0;
    double ssim = 0;
    double secs = 0;
    double min = Double.MAX_VALUE;
    for (EvalResult r : rows.subList(0, 37)) {
      psnr += r.psnr();
      ssim += r.ssim();
      secs += r.seconds();
      min = Math.min(min, r.psnr());
    }
    for (int parts : new int[] {1, 2, 5, 38}) {
      EvalAccumulator total = new EvalAccumulator();
      for (int p = 0; p < parts; p++) {
        EvalAccumulator a = new EvalAccumulator();
        for (int i = p; i < rows.size(); i += parts) {
          a.add(rows.get(i));
        }
        total.merge(a);
      }
      EvalAccumulator.Result r = total.result();
      assertThat(r.images()).isEqualTo(37);
      assertThat(r.failed()).isEqualTo(1);
      assertThat(r.psnr()).isCloseTo(psnr / 37, within(1e-9));
      assertThat(r.ssim()).isCloseTo(ssim / 37, within(1e-12));
      assertThat(r.psnrMin()).isEqualTo(min);
      assertThat(r.secondsMean()).isCloseTo(secs / 37, within(1e-12));
      assertThat(r.secondsTotal()).isCloseTo(secs, within(1e-9));
      assertThat(r.megapixelsPerSecond()).isCloseTo(37 * 100 * 50 / 1e6 / secs, within(1e-9));
    }
  }

  @Test
  void anEmptyAccumulatorHasNoMeans() {
    EvalAccumulator.Result r = new EvalAccumulator().add(row("x", 0, 0, 0, "bad")).result();
    assertThat(r.images()).isZero();
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.psnr()).isNaN();
    assertThat(r.secondsMean()).isNaN();
  }

  private static EvalResult okRow(String runId, double psnr, long finishedAt) {
    return EvalResult.builder().runId(runId).dataset("S").image("i").path("p").scale(2).model("m")
        .setting(new Setting(0, false)).psnr(psnr).ssim(0.9).seconds(1).hrWidth(1).hrHeight(1)
        .lrWidth(1).lrHeight(1).channels(3).tiles(1).finishedAt(finishedAt).build();
  }

  @Test
  void theRowThatCountsIsOkThenNewest() {
    EvalResult old = okRow("a", 30, 10L);
    EvalResult newer = okRow("b", 31, 20L);
    EvalResult failed = EvalResult.builder().runId("c").dataset("S").image("i").path("p")
        .scale(2).model("m").setting(new Setting(0, false)).psnr(Double.NaN).ssim(Double.NaN)
        .seconds(0).hrWidth(0).hrHeight(0).lrWidth(0).lrHeight(0).channels(0).tiles(0)
        .error("boom").finishedAt(30L).build();
    assertThat(EvalResult.preferred(old, newer)).isSameAs(newer);
    assertThat(EvalResult.preferred(newer, old)).isSameAs(newer);
    assertThat(EvalResult.preferred(failed, old)).isSameAs(old);
    assertThat(EvalResult.preferred(old, failed)).isSameAs(old);
  }

  @Test
  void rowsSurviveTheSparkRowRoundTrip() {
    EvalResult r = row("baby.png", 33.1, 0.93, 0.25, null);
    assertThat(EvalResult.fromRow(r.toRow())).isEqualTo(r);
    EvalResult f = row("bad.png", Double.NaN, Double.NaN, 0, "ImageDecodeException: truncated");
    assertThat(EvalResult.fromRow(f.toRow())).isEqualTo(f);
    assertThat(EvalResult.SCHEMA.fieldNames()).hasSize(r.getClass().getRecordComponents().length);
  }

  @Test
  void summaryRowsAreCsv() {
    EvalSummary s = new EvalSummary(new SummaryKey("Set5", 2, "/m/a,b.srm", "whole"),
        new EvalAccumulator().add(row("x", 33.5, 0.9, 0.5, null)).result());
    String[] lines = EvalSummary.csv(List.of(s)).split("\n");
    assertThat(lines[0].split(",")).hasSize(13);
    assertThat(lines[1]).startsWith("Set5,2,\"/m/a,b.srm\",whole,1,0,33.5000,0.900000,");
  }
}
