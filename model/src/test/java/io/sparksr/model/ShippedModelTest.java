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
 * The shipped models beat MATLAB bicubic on Set5 by a margin at every scale (PSNR on Y, border =
 * scale, whole images through the tiling rules), and the archive model beats the default on
 * JPEG-compressed inputs, what it is for.
 */
class ShippedModelTest {

  @ParameterizedTest(name = "{2} x{0}: at least +{1} dB over bicubic")
  @CsvSource({"2, 2.5, default", "3, 1.8, default", "4, 1.4, default", "2, 2.5, archive",
      "3, 1.8, archive", "4, 1.4, archive"})
  void beatsBicubicOnSet5(int scale, double margin, String name) throws Exception {
    Path set5 = Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath()
        .getParent().resolve("shared/datasets/Set5").normalize();
    assumeTrue(Files.isDirectory(set5), "skipped: no ../shared/datasets");
    TileOperator model = ModelRegistry.load(name, new Configuration());
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

  /** On Set5 LR saved as JPEG (quality 75) the archive model is at least 0.5 dB above the default. */
  @ParameterizedTest(name = "x{0}")
  @CsvSource({"2", "4"})
  void archiveBeatsTheDefaultOnJpegInputs(int scale) throws Exception {
    Path set5 = Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath()
        .getParent().resolve("shared/datasets/Set5").normalize();
    assumeTrue(Files.isDirectory(set5), "skipped: no ../shared/datasets");
    TileOperator archive = ModelRegistry.load(ModelRegistry.ARCHIVE, new Configuration());
    TileOperator dflt = ModelRegistry.load(ModelRegistry.DEFAULT, new Configuration());
    ImageStore store = new ImageStore(new Configuration());
    MetricAccumulator a = new MetricAccumulator();
    MetricAccumulator d = new MetricAccumulator();
    for (String f : store.expand(List.of(set5.toString()))) {
      ImageTensor hr = Resize.modcrop(store.read(f).tensor().toRgb(), scale);
      ImageTensor lr = io.sparksr.partitioning.degrade.Jpeg.roundTrip(
          Quantized.of(Resize.imresize(hr, 1.0 / scale), 8).toTensor(), 75);
      a.add(Metrics.score(TileUpscaler.upscaleWhole(archive, lr, scale, archive.radius(),
          archive.defaultBorder()), hr, scale));
      d.add(Metrics.score(TileUpscaler.upscaleWhole(dflt, lr, scale, dflt.radius(),
          dflt.defaultBorder()), hr, scale));
    }
    assertThat(a.result().psnr()).isGreaterThanOrEqualTo(d.result().psnr() + 0.5);
  }
}
