package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.metrics.MetricAccumulator;
import io.sparksr.partitioning.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The published bicubic baselines (e.g. EDSR / RCAN tables): modcrop, MATLAB imresize 1/s then s,
 * uint8, PSNR/SSIM on Y with border = s. Proves imresize and the metrics follow the protocol.
 */
class BicubicBaselineTest {
  private static final Logger LOG = LoggerFactory.getLogger(BicubicBaselineTest.class);

  static Path datasets() {
    String root = System.getProperty("sparksr.repo.root", "..");
    return Path.of(root).toAbsolutePath().getParent().resolve("shared/datasets").normalize();
  }

  @ParameterizedTest(name = "{0} x{1}: {2} dB / {3}")
  @CsvSource({
      "Set5, 2, 33.66, 0.9299", "Set5, 3, 30.39, 0.8682", "Set5, 4, 28.42, 0.8104",
      "Set14, 2, 30.24, 0.8688", "Set14, 3, 27.55, 0.7742", "Set14, 4, 26.00, 0.7027"})
  void bicubicMatchesThePublishedBaseline(String set, int scale, double psnr, double ssim)
      throws Exception {
    Path dir = datasets().resolve(set);
    assumeTrue(Files.isDirectory(dir), "skipped: no ../shared/datasets");
    ImageStore store = new ImageStore(new Configuration());
    List<String> files = store.expand(List.of(dir.toString()));
    assertThat(files).hasSize(set.equals("Set5") ? 5 : 14);
    MetricAccumulator acc = new MetricAccumulator();
    for (String f : files) {
      ImageTensor hr = Resize.modcrop(store.read(f).tensor(), scale);
      ImageTensor lr = Quantized.of(Resize.imresize(hr, 1.0 / scale), 8).toTensor();
      ImageTensor sr = Resize.imresize(lr, scale);
      acc.add(Metrics.score(sr, hr, scale));
    }
    MetricAccumulator.Result r = acc.result();
    LOG.info("bicubic {} x{}: PSNR {} (published {}), SSIM {} (published {})", set, scale,
        String.format("%.4f", r.psnr()), psnr, String.format("%.5f", r.ssim()), ssim);
    assertThat(r.psnr()).isCloseTo(psnr, within(0.03));
    assertThat(r.ssim()).isCloseTo(ssim, within(0.002));
  }
}
