package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.ImageStore;
import io.sparksr.partitioning.image.Quantized;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command and the help texts, through bin/sparksr in a separate JVM. */
class LauncherIT {

  @TempDir
  Path tmp;

  @Test
  void readmeCommandUpscalesTheShippedSampleTiledAndExact() throws Exception {
    String out = tmp.resolve("out").toString();
    Launcher.Run run = Launcher.sparksr("upscale", "--input", "samples/", "--output", out,
        "--scale", "3", "--tile-size", "80");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("1 image(s) written, 0 failed").contains("output: ");

    ImageStore store = new ImageStore(new Configuration());
    String sample = Launcher.repoRoot().resolve("samples/sparksr-sample.png").toString();
    DecodedImage in = store.read(sample);
    DecodedImage got = store.read(out + "/sparksr-sample_x3.png");
    assertThat(got.tensor().width()).isEqualTo(in.tensor().width() * 3);
    // the shipped network (the default model), 160x120 in 80 px tiles = 4 tiles with a 38 px
    // halo: within one 8-bit level of one whole-image pass
    io.sparksr.partitioning.inference.TileOperator op =
        io.sparksr.model.ModelRegistry.load("default", new Configuration());
    io.sparksr.partitioning.image.ImageTensor whole = Quantized.of(
        io.sparksr.partitioning.inference.TileUpscaler.upscaleWhole(op, in.tensor(), 3, op.radius(),
            op.defaultBorder()), 8).toTensor();
    assertThat(got.tensor().sameShape(whole)).isTrue();
    float worst = 0;
    for (int i = 0; i < whole.data().length; i++) {
      worst = Math.max(worst, Math.abs(whole.data()[i] - got.tensor().data()[i]));
    }
    assertThat(worst).isLessThanOrEqualTo(1 / 255f + 1e-6f);
  }

  @Test
  void helpDescribesEveryJobAndOption() throws Exception {
    Launcher.Run top = Launcher.sparksr("--help");
    assertThat(top.exitCode()).isZero();
    assertThat(top.stdout()).contains("upscale");
    Launcher.Run up = Launcher.sparksr("upscale", "--help");
    assertThat(up.exitCode()).isZero();
    for (String opt : new String[] {"--input", "--output", "--scale", "--model", "--tile-size",
        "--halo", "--border", "--partition-megapixels", "--master", "--conf", "--config"}) {
      assertThat(up.stdout()).contains(opt);
    }
  }

  @Test
  void usageErrorsExitWithTwoBeforeSparkStarts() throws Exception {
    Launcher.Run run = Launcher.sparksr("upscale", "--input", "samples/", "--output",
        tmp.toString(), "--scale", "5");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("'scale' is 5 but must be 2, 3 or 4");
    assertThat(run.stderr()).doesNotContain("SparkContext");
  }
}
