package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparksr.io.ImageStore;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.inference.TileUpscaler;
import io.sparksr.partitioning.metrics.MetricAccumulator;
import io.sparksr.partitioning.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped default model beats MATLAB bicubic on Set5 by a margin at every scale (PSNR on Y,
 * border = scale, whole images through the tiling rules).
 */
class ShippedModelTest {

  @ParameterizedTest(name = "x{0}: at least +{1} dB over bicubic")
  @CsvSource({"2, 2.5", "3, 1.8", "4, 1.4"})
  void beatsBicubicOnSet5(int scale, double margin) throws Exception {
    Path set5 = Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath()
        .getParent().resolve("shared/datasets/Set5").normalize();
    assumeTrue(Files.isDirectory(set5), "skipped: no ../shared/datasets");
    TileOperator model = ModelRegistry.load(ModelRegistry.DEFAULT, new Configuration());
    ImageStore store = new ImageStore(new Configuration());
    MetricAccumulator sr = new MetricAccumulator();
    MetricAccumulator bicubic = new MetricAccumulator();
    for (String f : store.expand(List.of(set5.toString()))) {
      ImageTensor hr = Resize.modcrop(store.read(f).tensor().toRgb(), scale);
      ImageTensor lr = Quantized.of(Resize.imresize(hr, 1.0 / scale), 8).toTensor();
      sr.add(Metrics.score(TileUpscaler.upscaleWhole(model, lr, scale, model.radius(),
          model.defaultBorder()), hr, scale));
      bicubic.add(Metrics.score(Resize.imresize(lr, scale), hr, scale));
    }
    assertThat(sr.result().psnr()).isGreaterThanOrEqualTo(bicubic.result().psnr() + margin);
  }
}
