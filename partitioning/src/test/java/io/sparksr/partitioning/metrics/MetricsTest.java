package io.sparksr.partitioning.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.testing.TestTensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private static ImageTensor constant(int c, int h, int w, float v) {
    float[] d = new float[c * h * w];
    java.util.Arrays.fill(d, v);
    return new ImageTensor(c, h, w, d);
  }

  @Test
  void identicalImagesGiveInfinitePsnrAndSsimOne() {
    ImageTensor a = TestTensors.randomImage(new Random(1), 3, 30, 40);
    assertThat(Metrics.psnrY(a, a, 2)).isInfinite();
    assertThat(Metrics.ssimY(a, a, 2)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void psnrOfAUniformOffsetFollowsTheFormula() {
    // grey 100 vs 110 (scored on the grey value itself): PSNR = 10 log10(255^2 / 10^2)
    ImageTensor a = constant(1, 20, 20, 100 / 255f);
    ImageTensor b = constant(1, 20, 20, 110 / 255f);
    assertThat(Metrics.psnrY(a, b, 3)).isCloseTo(20 * Math.log10(255.0 / 10), within(1e-9));
    // RGB: only G differs, by 10/255 -> Y differs by 128.553 * 10 / 255
    ImageTensor c = constant(3, 20, 20, 0.5f);
    ImageTensor d = c.copy();
    for (int i = 400; i < 800; i++) {
      d.data()[i] = Quantized.quantize(0.5f, 255) / 255f + 10 / 255f;
    }
    double dy = 128.553 * 10 / 255;
    assertThat(Metrics.psnrY(c, d, 0)).isCloseTo(10 * Math.log10(255.0 * 255 / (dy * dy)),
        within(1e-6));
  }

  @Test
  void ssimOfConstantImagesFollowsTheFormula() {
    // constant images: sigma = 0 everywhere, SSIM = (2 m1 m2 + C1) / (m1^2 + m2^2 + C1)
    ImageTensor a = constant(1, 15, 15, 100 / 255f);
    ImageTensor b = constant(1, 15, 15, 110 / 255f);
    double m1 = 100;
    double m2 = 110;
    double c1 = Math.pow(0.01 * 255, 2);
    assertThat(Metrics.ssimY(a, b, 2))
        .isCloseTo((2 * m1 * m2 + c1) / (m1 * m1 + m2 * m2 + c1), within(1e-9));
  }

  @Test
  void gaussianWindowIsOpenCvs() {
    double[] g = Metrics.gaussian(11, 1.5);
    double sum = 0;
    for (int i = 0; i <= 10; i++) {
      sum += Math.exp(-(i - 5) * (i - 5) / 4.5);
    }
    assertThat(g[5]).isCloseTo(1 / sum, within(1e-15));
    assertThat(g[0]).isCloseTo(Math.exp(-25 / 4.5) / sum, within(1e-15));
  }

  @Test
  void accumulatorMergesLikeOneLoop() {
    Random rnd = new Random(4);
    MetricAccumulator all = new MetricAccumulator();
    MetricAccumulator left = new MetricAccumulator();
    MetricAccumulator right = new MetricAccumulator();
    double psnrSum = 0;
    for (int i = 0; i < 20; i++) {
      Metrics.Score s = new Metrics.Score(20 + 10 * rnd.nextDouble(), rnd.nextDouble());
      psnrSum += s.psnr();
      all.add(s);
      (i % 3 == 0 ? left : right).add(s);
    }
    MetricAccumulator.Result merged = left.merge(right).result();
    assertThat(merged.count()).isEqualTo(20);
    assertThat(merged.psnr()).isCloseTo(psnrSum / 20, within(1e-12));
    assertThat(merged.psnr()).isCloseTo(all.result().psnr(), within(1e-12));
    assertThat(merged.ssim()).isCloseTo(all.result().ssim(), within(1e-12));
    assertThat(new MetricAccumulator().result().psnr()).isNaN();
  }
}
