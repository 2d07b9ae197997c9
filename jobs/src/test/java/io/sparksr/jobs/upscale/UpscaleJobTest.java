package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.io.HadoopFiles;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.partitioning.BicubicOperator;
import io.sparksr.partitioning.ImageTensor;
import io.sparksr.partitioning.Quantized;
import io.sparksr.partitioning.Resize;
import io.sparksr.partitioning.TileOperator;
import io.sparksr.partitioning.TileUpscaler;
import io.sparksr.model.ModelRegistry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The upscale job on real files in Spark local mode, checked against whole-image bicubic. */
public class UpscaleJobTest extends SharedSpark {

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private final ImageStore store = new ImageStore(new Configuration());

  /** A smooth random image (so bicubic over/undershoot and clamping are exercised too). */
  static ImageTensor image(Random rnd, int c, int h, int w) {
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      int x = i % w;
      int y = (i / w) % h;
      d[i] = (float) (0.5 + 0.45 * Math.sin(x * 0.3 + y * 0.17 + i / (h * w))
          + 0.05 * rnd.nextGaussian());
      d[i] = Math.max(0, Math.min(1, d[i]));
    }
    return new ImageTensor(c, h, w, d);
  }

  private UpscaleJobConfig config(List<String> in, String out, int scale, int tile) {
    return new UpscaleJobConfig(in, out, scale, "bicubic", tile, null, null, 0.01, null, Map.of());
  }

  /** Whole-image reference: imresize the decoded input, quantised as the file will be. */
  private ImageTensor expected(String input, int scale) throws Exception {
    DecodedImage in = store.read(input);
    ImageTensor whole = Resize.imresize(in.tensor(), scale);
    return Quantized.of(whole, in.format().bitDepth()).toTensor();
  }

  @Test
  public void tiledOutputEqualsWholeImageBicubicForEveryKindOfImage() throws Exception {
    Random rnd = new Random(1);
    File inDir = tmp.newFolder("in");
    String d = inDir.getAbsolutePath();
    store.write(d + "/rgb.png", image(rnd, 3, 53, 70), PixelFormat.of("png", 3, 8));
    store.write(d + "/gray16.png", image(rnd, 1, 41, 33), PixelFormat.of("png", 1, 16));
    store.write(d + "/rgba.png", image(rnd, 4, 29, 31), PixelFormat.of("png", 4, 8));
    store.write(d + "/tiny.png", image(rnd, 3, 1, 1), PixelFormat.of("png", 3, 8));
    store.write(d + "/photo.bmp", image(rnd, 3, 40, 17), PixelFormat.of("bmp", 3, 8));
    store.writeTiledTiff(d + "/scan.tif", image(rnd, 3, 150, 211), PixelFormat.of("tiff", 3, 8),
        64);
    String out = tmp.getRoot().getAbsolutePath() + "/out";

    UpscaleJobResult r = UpscaleJob.run(spark(), config(List.of(d), out, 3, 24));

    assertThat(r.failed()).isZero();
    assertThat(r.images()).hasSize(6);
    assertThat(r.partitions()).isGreaterThan(1);
    for (String name : List.of("rgb.png", "gray16.png", "rgba.png", "tiny.png", "photo.bmp",
        "scan.tif")) {
      String stem = name.substring(0, name.indexOf('.'));
      String ext = name.substring(name.indexOf('.'));
      DecodedImage got = store.read(out + "/" + stem + "_x3" + ext);
      DecodedImage in = store.read(d + "/" + name);
      assertThat(got.format().channels()).as(name).isEqualTo(in.format().channels());
      assertThat(got.format().bitDepth()).as(name).isEqualTo(in.format().bitDepth());
      assertThat(got.tensor()).as(name).isEqualTo(expected(d + "/" + name, 3));
    }
  }

  @Test
  public void aCorruptImageIsAManifestRowAndTheOthersAreWritten() throws Exception {
    Random rnd = new Random(2);
    File inDir = tmp.newFolder("mixed");
    String d = inDir.getAbsolutePath();
    store.write(d + "/good.png", image(rnd, 3, 30, 40), PixelFormat.of("png", 3, 8));
    Files.write(Path.of(d, "broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    String out = tmp.getRoot().getAbsolutePath() + "/out2";

    UpscaleJobResult r = UpscaleJob.run(spark(), config(List.of(d + "/*.png"), out, 2, 16));

    assertThat(r.succeeded()).isEqualTo(1);
    assertThat(r.failed()).isEqualTo(1);
    ImageOutcome bad = r.images().stream().filter(o -> !o.ok()).findFirst().orElseThrow();
    assertThat(bad.input()).endsWith("broken.png");
    assertThat(bad.reason()).contains("broken.png");
    assertThat(new File(out, "broken_x2.png")).doesNotExist();
    assertThat(store.read(out + "/good_x2.png").tensor()).isEqualTo(expected(d + "/good.png", 2));
    String manifest = HadoopFiles.readText(new Configuration(), r.manifest());
    assertThat(manifest.lines()).hasSize(3);
    assertThat(manifest).contains("broken.png").contains(",failed,").contains(",ok,");
    assertThat(new File(out).list()).allMatch(n -> !n.endsWith(".tmp"));
  }

  @Test
  public void aHugeImageIsSpreadOverManyPartitionsAndManySmallOnesArePacked() throws Exception {
    Random rnd = new Random(3);
    File inDir = tmp.newFolder("skew");
    String d = inDir.getAbsolutePath();
    store.write(d + "/big.png", image(rnd, 3, 160, 200), PixelFormat.of("png", 3, 8));
    for (int i = 0; i < 12; i++) {
      store.write(d + "/small" + i + ".png", image(rnd, 3, 12, 12), PixelFormat.of("png", 3, 8));
    }
    UpscaleJobConfig cfg = new UpscaleJobConfig(List.of(d), tmp.getRoot() + "/out3", 2, "bicubic",
        32, null, null, 0.05, null, Map.of()).forOperator(new BicubicOperator());
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).isZero();
    // 200x160 at tile 32: 7 x 5 = 35 tiles, ~36^2*4 output px each: several partitions for it,
    // while the twelve 12x12 images (one tile each) share partitions
    assertThat(r.tiles()).isEqualTo(35 + 12);
    assertThat(r.partitions()).isBetween(3, 47 - 6);
    assertThat(store.read(tmp.getRoot() + "/out3/big_x2.png").tensor())
        .isEqualTo(expected(d + "/big.png", 2));
  }

  @Test
  public void theShippedModelTiledEqualsWholeImageInferenceWithinOneLevel() throws Exception {
    Random rnd = new Random(4);
    File inDir = tmp.newFolder("net");
    String d = inDir.getAbsolutePath();
    store.write(d + "/photo.png", image(rnd, 3, 150, 170), PixelFormat.of("png", 3, 8));
    store.write(d + "/gray.png", image(rnd, 1, 90, 100), PixelFormat.of("png", 1, 8));
    String out = tmp.getRoot() + "/out-net";
    TileOperator op = ModelRegistry.load("default");
    UpscaleJobConfig cfg = new UpscaleJobConfig(List.of(d), out, 3, "default", 96, null, null,
        0.05, null, Map.of()).forOperator(op);
    assertThat(cfg.halo()).isEqualTo(op.radius());
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).isZero();
    assertThat(r.tiles()).isGreaterThan(2);
    for (String name : List.of("photo", "gray")) {
      ImageTensor in = store.read(d + "/" + name + ".png").tensor();
      ImageTensor whole = Quantized.of(TileUpscaler.upscaleWhole(op, in, 3, op.radius(),
          op.defaultBorder()), 8).toTensor();
      ImageTensor tiled = store.read(out + "/" + name + "_x3.png").tensor();
      assertThat(tiled.sameShape(whole)).isTrue();
      float maxDiff = 0;
      for (int i = 0; i < whole.data().length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(whole.data()[i] - tiled.data()[i]));
      }
      assertThat(maxDiff).as(name).isLessThanOrEqualTo(1 / 255f + 1e-6f);
    }
  }

  @Test
  public void outputNamesFollowTheInputNames() {
    assertThat(UpscaleJob.outputPath("hdfs://nn/out/", "hdfs://nn/in/a.b.png", 4))
        .isEqualTo("hdfs://nn/out/a.b_x4.png");
    assertThat(UpscaleJob.outputPath("/o", "file:/in/noext", 2)).isEqualTo("/o/noext_x2");
  }
}
