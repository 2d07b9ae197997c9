package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.ExifOrientation;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageInfo;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.io.TiledTiffReader;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.model.ModelRegistry;
import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.BicubicOperator;
import io.sparksr.partitioning.inference.SelfEnsemble;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.inference.TileUpscaler;
import io.sparksr.pipeline.ImageAssembler;
import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.OperatorCache;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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
    return UpscaleJobConfig.builder().inputs(in).output(out).scale(scale).model("bicubic")
        .tileSize(tile).partitionMegapixels(0.01).build();
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
  public void sparkStagesAreNamedForWhatTheyDo() throws Exception {
    Random rnd = new Random(9);
    File inDir = tmp.newFolder("named");
    String d = inDir.getAbsolutePath();
    store.write(d + "/a.png", image(rnd, 3, 60, 70), PixelFormat.of("png", 3, 8));
    store.write(d + "/b.png", image(rnd, 3, 20, 20), PixelFormat.of("png", 3, 8));
    java.util.List<String> stages = java.util.Collections.synchronizedList(new ArrayList<>());
    org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onStageSubmitted(org.apache.spark.scheduler.SparkListenerStageSubmitted e) {
        stages.add(e.stageInfo().name());
      }
    };
    spark().sparkContext().addSparkListener(listener);
    try {
      UpscaleJobResult r = UpscaleJob.run(spark(), config(List.of(d), tmp.getRoot() + "/named-out",
          2, 16));
      assertThat(r.failed()).isZero();
      spark().sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark().sparkContext().removeSparkListener(listener);
    }
    assertThat(stages).anyMatch(n -> n.startsWith("upscale: list 1 input(s) (1 folder(s)"))
        .anyMatch(n -> n.startsWith("upscale: read the headers of 2 input(s) in "))
        .anyMatch(n -> n.startsWith("upscale: plan 2 input(s) in "))
        .anyMatch(n -> n.startsWith("upscale: infer and write ") && n.contains(" tile(s) in "));
    assertThat(stages).noneMatch(n -> n.contains("UpscaleJob.java"));
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
    ImageOutcome bad = r.images().stream().filter(ImageOutcome::isFailed).findFirst().orElseThrow();
    assertThat(bad.input()).endsWith("broken.png");
    assertThat(bad.reason()).contains("broken.png");
    assertThat(new File(out, "broken_x2.png")).doesNotExist();
    assertThat(store.read(out + "/good_x2.png").tensor()).isEqualTo(expected(d + "/good.png", 2));
    String manifest = HadoopFiles.readText(new Configuration(), r.manifest());
    assertThat(manifest.lines()).hasSize(3);
    assertThat(manifest).contains("broken.png").contains(",failed,").contains(",ok,");
    assertThat(new File(out).list()).allMatch(n -> !n.endsWith(".tmp"));
    assertThat(r.summary()).contains("1 image(s) written, 1 failed")
        .contains("FAILED " + bad.input());

    Dataset<Row> rows = spark().read().parquet(out + "/" + UpscaleJob.MANIFEST_PARQUET);
    assertThat(rows.schema().fieldNames()).containsExactly(Manifest.SCHEMA.fieldNames());
    List<Row> all = rows.orderBy("input").collectAsList();
    assertThat(all).hasSize(2);
    assertThat(all.get(0).<String>getAs("status")).isEqualTo("failed");
    assertThat(all.get(1).<String>getAs("status")).isEqualTo("ok");
    assertThat(all.get(1).<Long>getAs("output_bytes"))
        .isEqualTo(new File(out, "good_x2.png").length());
    assertThat(all.get(1).<Long>getAs("input_bytes"))
        .isEqualTo(new File(d, "good.png").length());
    assertThat(all.get(1).<Long>getAs("output_width")).isEqualTo(80L);
    assertThat(all.get(1).<Double>getAs("seconds")).isPositive();
    assertThat(all.get(0).<String>getAs("run_id")).isEqualTo(r.runId());
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
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(d))
        .output(tmp.getRoot() + "/out3").scale(2).model("bicubic").tileSize(32)
        .partitionMegapixels(0.05).build().forOperator(new BicubicOperator());
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).isZero();
    // 200x160 at tile 32: 7 x 5 = 35 tiles, ~36^2*4 output px each: several partitions for it,
    // while the twelve 12x12 images (one tile each) share partitions
    assertThat(r.tiles()).isEqualTo(35 + 12);
    assertThat(r.partitions()).isBetween(3, 47 - 6);
    // the big image crosses partitions (its tiles meet in a shuffle), the small ones are
    // stitched in their partitions: both paths give the whole-image result
    assertThat(store.read(tmp.getRoot() + "/out3/big_x2.png").tensor())
        .isEqualTo(expected(d + "/big.png", 2));
    for (int i = 0; i < 12; i++) {
      assertThat(store.read(tmp.getRoot() + "/out3/small" + i + "_x2.png").tensor())
          .as("small%d", i).isEqualTo(expected(d + "/small" + i + ".png", 2));
    }
  }

  @Test
  public void theShippedModelTiledAndBatchedEqualsWholeImageInferenceWithinOneLevel()
      throws Exception {
    Random rnd = new Random(4);
    File inDir = tmp.newFolder("net");
    String d = inDir.getAbsolutePath();
    store.write(d + "/photo.png", image(rnd, 3, 150, 170), PixelFormat.of("png", 3, 8));
    store.write(d + "/gray.png", image(rnd, 1, 90, 100), PixelFormat.of("png", 1, 8));
    String out = tmp.getRoot() + "/out-net";
    TileOperator op = ModelRegistry.load("default", new Configuration());
    // batch memory for 3 full tiles: edge tiles are grown to the full shape and batched with them
    long perTile = op.workingBytes(96 + 2 * op.radius(), 96 + 2 * op.radius(), 3);
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(d)).output(out).scale(3)
        .model("default").tileSize(96).partitionMegapixels(0.2).build().forOperator(op)
        .toBuilder().batchMemoryMb((int) Math.max(1, 3 * perTile >> 20)).forwardPermits(1).build();
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

  /** ../shared/datasets/Set5 beside the repository; the test is skipped without it. */
  private static Path set5() {
    Path set5 = Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath()
        .getParent().resolve("shared/datasets/Set5").normalize();
    org.junit.Assume.assumeTrue("skipped: no ../shared/datasets", Files.isDirectory(set5));
    return set5;
  }

  /**
   * The shipped network on real photos (Set5 butterfly and bird, from ../shared/datasets): tiled
   * (96-pixel cores, halo = the radius) and batched through the job, against one whole-image pass.
   */
  @Test
  public void theShippedModelOnRealPhotosTiledEqualsWholeImageWithinOneLevel() throws Exception {
    Path set5 = set5();
    String d = tmp.newFolder("set5").getAbsolutePath();
    for (String name : List.of("butterfly", "bird")) {
      Files.copy(set5.resolve(name + ".png"), Path.of(d, name + ".png"));
    }
    TileOperator op = ModelRegistry.load("default", new Configuration());
    String out = tmp.getRoot() + "/out-set5";
    UpscaleJobResult r = UpscaleJob.run(spark(), UpscaleJobConfig.builder().inputs(List.of(d))
        .output(out).scale(2).model("default").tileSize(96).partitionMegapixels(0.3).build()
        .forOperator(op));
    assertThat(r.failed()).isZero();
    for (String name : List.of("butterfly", "bird")) {
      ImageTensor in = store.read(d + "/" + name + ".png").tensor();
      ImageTensor whole = Quantized.of(TileUpscaler.upscaleWhole(op, in, 2, op.radius(),
          op.defaultBorder()), 8).toTensor();
      ImageTensor tiled = store.read(out + "/" + name + "_x2.png").tensor();
      assertThat(tiled.sameShape(whole)).isTrue();
      float maxDiff = 0;
      int differing = 0;
      for (int i = 0; i < whole.data().length; i++) {
        float diff = Math.abs(whole.data()[i] - tiled.data()[i]);
        maxDiff = Math.max(maxDiff, diff);
        differing += diff > 0 ? 1 : 0;
      }
      org.slf4j.LoggerFactory.getLogger(UpscaleJobTest.class).info(
          "{} x2, shipped model: tiled vs whole image: max |diff| {} levels, {} of {} samples "
              + "differ", name, Math.round(maxDiff * 255), differing, whole.data().length);
      assertThat(maxDiff).as(name).isLessThanOrEqualTo(1 / 255f + 1e-6f);
    }
  }

  /**
   * {@code --self-ensemble}: the job's tiled, batched x8 ensemble of the shipped network on a real
   * photo (Set5 bird) equals the whole image's ensemble (the definition, {@link SelfEnsemble} on one
   * whole-image pass per transform) within one level, is not the plain output, and says so in its
   * XMP (read by exiftool) and in the plan.
   */
  @Test
  public void theSelfEnsembleTiledEqualsTheWholeImageEnsembleAndIsRecorded() throws Exception {
    Path set5 = set5();
    String d = tmp.newFolder("ens").getAbsolutePath();
    Files.copy(set5.resolve("bird.png"), Path.of(d, "bird.png"));
    TileOperator op = ModelRegistry.load("default", new Configuration());
    String out = tmp.getRoot() + "/out-ens";
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(d)).output(out).scale(2)
        .model("default").selfEnsemble(true).tileSize(96).partitionMegapixels(0.3).build()
        .forOperator(op);
    assertThat(UpscaleJob.run(spark(), cfg.toBuilder().dryRun(true).build()).plan())
        .contains("model default (x8 self-ensemble), x2");
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).isZero();
    assertThat(r.tiles()).isGreaterThan(4);
    ImageTensor in = store.read(d + "/bird.png").tensor();
    ImageTensor whole = Quantized.of(TileUpscaler.upscaleWhole(new SelfEnsemble(op), in, 2,
        op.radius(), op.defaultBorder()), 8).toTensor();
    ImageTensor plain = Quantized.of(TileUpscaler.upscaleWhole(op, in, 2, op.radius(),
        op.defaultBorder()), 8).toTensor();
    Path written = Path.of(out, "bird_x2.png");
    ImageTensor tiled = store.read(written.toString()).tensor();
    assertThat(tiled.sameShape(whole)).isTrue();
    float maxDiff = 0;
    int fromPlain = 0;
    for (int i = 0; i < whole.data().length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(whole.data()[i] - tiled.data()[i]));
      fromPlain += tiled.data()[i] != plain.data()[i] ? 1 : 0;
    }
    assertThat(maxDiff).isLessThanOrEqualTo(1 / 255f + 1e-6f);
    assertThat(fromPlain).as("samples where the ensemble differs from one pass")
        .isGreaterThan(whole.data().length / 20);
    if (io.sparksr.io.Exiftool.available()) {
      com.fasterxml.jackson.databind.JsonNode x = io.sparksr.io.Exiftool.read(written);
      assertThat(x.get("XMP-sparksr:SelfEnsemble").asText()).isEqualToIgnoringCase("true");
      assertThat(x.get("XMP-sparksr:Model").asText()).isEqualTo("default");
    }
  }

  @Test
  public void aRerunSkipsFinishedOutputsAndOverwriteRedoesThem() throws Exception {
    Random rnd = new Random(5);
    String d = tmp.newFolder("resume").getAbsolutePath();
    store.write(d + "/a.png", image(rnd, 3, 20, 30), PixelFormat.of("png", 3, 8));
    store.write(d + "/b.png", image(rnd, 3, 25, 20), PixelFormat.of("png", 3, 8));
    String out = tmp.getRoot() + "/out-resume";
    UpscaleJobConfig cfg = config(List.of(d), out, 2, 16);
    UpscaleJobResult first = UpscaleJob.run(spark(), cfg);
    assertThat(first.succeeded()).isEqualTo(2);
    File a = new File(out, "a_x2.png");
    assertThat(a.setLastModified(1_000_000_000L)).isTrue();
    // a third input arrives; the finished ones are not computed again
    store.write(d + "/c.png", image(rnd, 3, 10, 10), PixelFormat.of("png", 3, 8));
    UpscaleJobResult second = UpscaleJob.run(spark(), cfg);
    assertThat(second.skipped()).isEqualTo(2);
    assertThat(second.succeeded()).isEqualTo(1);
    assertThat(second.tiles()).isEqualTo(1);
    assertThat(a.lastModified()).isEqualTo(1_000_000_000L);
    assertThat(second.images()).filteredOn(ImageOutcome::skipped)
        .allSatisfy(o -> assertThat(o.reason()).contains("--overwrite"));
    UpscaleJobResult third = UpscaleJob.run(spark(), cfg.toBuilder().overwrite(true).build());
    assertThat(third.succeeded()).isEqualTo(3);
    assertThat(a.lastModified()).isNotEqualTo(1_000_000_000L);
    // one Parquet file per run, every run's rows kept
    assertThat(spark().read().parquet(out + "/" + UpscaleJob.MANIFEST_PARQUET).count())
        .isEqualTo(2 + 3 + 3);
  }

  @Test
  public void aDryRunPrintsThePlanAndWritesNothing() throws Exception {
    Random rnd = new Random(6);
    String d = tmp.newFolder("dry").getAbsolutePath();
    store.write(d + "/a.png", image(rnd, 3, 40, 50), PixelFormat.of("png", 3, 8));
    Files.write(Path.of(d, "bad.png"), new byte[] {1, 2, 3});
    String out = tmp.getRoot() + "/out-dry";
    TileOperator op = ModelRegistry.load("default", new Configuration());
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(d)).output(out).scale(4)
        .model("default").tileSize(128).partitionMegapixels(16).build().forOperator(op).toBuilder()
        .dryRun(true).build();
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.dryRun()).isTrue();
    assertThat(new File(out)).doesNotExist();
    // one tile: 50x40 padded by the radius (38) is 126x116, inferred as 128x128 (sides below
    // 3/4 of the full 204 are rounded up to multiples of 16)
    double perPixel = ((io.sparksr.model.SrModel) op).architecture().flopsPerOutputPixel(4);
    assertThat(op.radius()).isEqualTo(38);
    double flops = 128.0 * 128 * 16 * perPixel;
    assertThat(r.summary()).contains("2 file(s) found: 1 to upscale, 0 skipped (output exists), 1 "
        + "failed before starting").contains("1 tiles in 1 partitions")
        .contains(String.format(java.util.Locale.ROOT, "%.3g FLOPs", flops))
        .contains("output: 0.0 MP, 93.8 KB uncompressed").contains("FAILED ")
        .contains("dry run");
  }

  @Test
  public void formatAndSuffixNameTheOutputsAndJpegRefusesAlpha() throws Exception {
    Random rnd = new Random(7);
    String d = tmp.newFolder("fmt").getAbsolutePath();
    store.write(d + "/a.png", image(rnd, 3, 20, 24), PixelFormat.of("png", 3, 16));
    store.write(d + "/t.png", image(rnd, 4, 20, 24), PixelFormat.of("png", 4, 8));
    String out = tmp.getRoot() + "/out-fmt";
    UpscaleJobResult jpg = UpscaleJob.run(spark(),
        config(List.of(d), out, 2, 16).toBuilder().format("jpg").suffix("-big").build());
    assertThat(jpg.succeeded()).isEqualTo(1);
    assertThat(jpg.failed()).isEqualTo(1);
    assertThat(store.info(out + "/a-big.jpg").format().formatName()).isEqualTo("jpeg");
    assertThat(jpg.images()).filteredOn(ImageOutcome::isFailed).singleElement()
        .satisfies(o -> assertThat(o.reason()).contains("alpha"));
    UpscaleJobResult tiff = UpscaleJob.run(spark(),
        config(List.of(d), out, 2, 16).toBuilder().format("tiff").suffix(null).build());
    assertThat(tiff.succeeded()).isEqualTo(2);
    DecodedImage a = store.read(out + "/a_x2.tif");
    assertThat(a.format().bitDepth()).isEqualTo(16);
    assertThat(a.tensor()).isEqualTo(expected(d + "/a.png", 2));
    assertThat(store.read(out + "/t_x2.tif").tensor()).isEqualTo(expected(d + "/t.png", 2));
  }

  @Test
  public void largeOutputsAreTiledTiffAssembledFromCompressedTiles() throws Exception {
    Random rnd = new Random(8);
    String d = tmp.newFolder("giga").getAbsolutePath();
    store.write(d + "/rgb.png", image(rnd, 3, 70, 90), PixelFormat.of("png", 3, 8));
    store.write(d + "/ga16.png", image(rnd, 2, 60, 61), PixelFormat.of("png", 2, 16));
    store.write(d + "/small.png", image(rnd, 3, 10, 10), PixelFormat.of("png", 3, 8));
    String out = tmp.getRoot() + "/out-giga";
    // outputs above 0.01 MP (10,000 px) are tiled; 48 px tiles -> 96 px TIFF tiles at x2
    UpscaleJobConfig cfg = config(List.of(d), out, 2, 48).toBuilder().tiffThresholdMp(0.01)
        .convertThresholdMp(1000).build();
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).isZero();
    for (String name : List.of("rgb", "ga16")) {
      String path = out + "/" + name + "_x2.tif";
      TiledTiffReader.Directory dir = TiledTiffReader.directory(new Configuration(), path);
      assertThat(dir.tileWidth()).isEqualTo(96);
      assertThat(dir.compression()).isEqualTo(8);
      // the JDK's TIFF reader, independent of our writer
      assertThat(store.read(path).tensor()).as(name).isEqualTo(expected(d + "/" + name + ".png", 2));
      libtiffAgrees(path);
    }
    assertThat(r.images()).filteredOn(o -> o.output().endsWith(".tif"))
        .allSatisfy(o -> assertThat(o.format()).isEqualTo("tiled-tiff"));
    assertThat(new File(out, "small_x2.png")).exists();
    assertThat(new File(out).list()).allMatch(n -> !n.contains(".parts") && !n.endsWith(".tmp"));
  }

  @Test
  public void compressedTilesOfAnInterruptedRunAreReused() throws Exception {
    Random rnd = new Random(9);
    String d = tmp.newFolder("reuse").getAbsolutePath();
    store.write(d + "/a.png", image(rnd, 3, 60, 70), PixelFormat.of("png", 3, 8));
    String out = tmp.getRoot() + "/out-reuse";
    UpscaleJobConfig cfg = config(List.of(d), out, 2, 32).toBuilder().tiffThresholdMp(0.001)
        .convertThresholdMp(1000).build();
    // a run that dies after its tiles: the plan's parts folder filled, no output yet
    UpscalePlan plan = UpscalePlanner.plan(cfg.forOperator(new BicubicOperator()),
        HadoopFiles.qualify(new Configuration(), out),
        List.of(new UpscalePlanner.Probe(store.info(d + "/a.png").path(),
            store.info(d + "/a.png"), null)), Map.of(), java.util.Set.of(), Double.NaN,
        BicubicOperator.class.getName(), 2, out + "/w");
    ImageJob job = plan.images().get(0);
    // tiles that differ from what the model would compute: the output must be made of them
    ImageTensor marker = ImageTensor.zeros(3, 120, 140);
    java.util.Arrays.fill(marker.data(), 0.25f);
    for (var t : job.plan(2, 2).tiles()) {
      byte[] bytes = io.sparksr.io.TiledTiff.encodeTile(ImageAssembler.layout(job, 2),
          marker.crop(t.output()));
      HadoopFiles.writeBytes(new Configuration(), ImageAssembler.partPath(job, t.index()), bytes);
    }
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).isZero();
    assertThat(store.read(out + "/a_x2.tif").tensor())
        .isEqualTo(Quantized.of(marker, 8).toTensor());
    assertThat(new File(out).list()).noneMatch(n -> n.endsWith(".parts"));
  }

  /**
   * The compressed tiles an interrupted run left belong to the input it read: an input replaced
   * since (same name and size in bytes, other pixels, a later modification time) starts afresh,
   * and the old tiles' folder does not stay behind.
   */
  @Test
  public void compressedTilesOfAReplacedInputAreNotReused() throws Exception {
    String d = tmp.newFolder("replaced").getAbsolutePath();
    String a = d + "/a.png";
    // PNG stored without compression: the size in bytes depends on the dimensions only
    io.sparksr.io.WriteOptions stored = io.sparksr.io.WriteOptions.DEFAULTS.withPngCompression(0);
    store.write(a, image(new Random(13), 3, 60, 70), PixelFormat.of("png", 3, 8), stored);
    long before = Files.size(Path.of(a));
    String out = tmp.getRoot() + "/out-replaced";
    UpscaleJobConfig cfg = config(List.of(d), out, 2, 32).toBuilder().tiffThresholdMp(0.001)
        .convertThresholdMp(1000).build();
    // a run that dies after its tiles: the plan's parts folder filled, no output yet
    UpscalePlan plan = UpscalePlanner.plan(cfg.forOperator(new BicubicOperator()),
        HadoopFiles.qualify(new Configuration(), out),
        List.of(new UpscalePlanner.Probe(store.info(a).path(), store.info(a), null)), Map.of(),
        java.util.Set.of(), Double.NaN, BicubicOperator.class.getName(), 2, out + "/w");
    ImageJob job = plan.images().get(0);
    for (var t : job.plan(2, 2).tiles()) {
      byte[] bytes = io.sparksr.io.TiledTiff.encodeTile(ImageAssembler.layout(job, 2),
          expected(a, 2).crop(t.output()));
      HadoopFiles.writeBytes(new Configuration(), ImageAssembler.partPath(job, t.index()), bytes);
    }
    // the input replaced: other pixels, the same name and size, a later modification time
    store.write(a, image(new Random(14), 3, 60, 70), PixelFormat.of("png", 3, 8), stored);
    assertThat(Files.size(Path.of(a))).isEqualTo(before);
    Files.setLastModifiedTime(Path.of(a), java.nio.file.attribute.FileTime.fromMillis(
        Files.getLastModifiedTime(Path.of(a)).toMillis() + 60_000));
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).isZero();
    // what a fresh run writes: the new input upscaled, no tile of the old one
    UpscaleJobResult fresh = UpscaleJob.run(spark(), cfg.toBuilder()
        .output(tmp.getRoot() + "/out-replaced-fresh").build());
    assertThat(fresh.failed()).isZero();
    ImageTensor got = store.read(out + "/a_x2.tif").tensor();
    assertThat(got).isEqualTo(store.read(tmp.getRoot() + "/out-replaced-fresh/a_x2.tif").tensor());
    assertThat(got).isEqualTo(expected(a, 2));
    assertThat(new File(out).list()).noneMatch(n -> n.endsWith(".parts"));
  }

  @Test
  public void largePngInputsAreConvertedToTiledTiffAndReadByRegion() throws Exception {
    Random rnd = new Random(10);
    String d = tmp.newFolder("conv").getAbsolutePath();
    store.write(d + "/big.png", image(rnd, 3, 100, 130), PixelFormat.of("png", 3, 8));
    store.write(d + "/big.jpg", image(rnd, 1, 64, 80), PixelFormat.of("jpeg", 1, 8));
    String out = tmp.getRoot() + "/out-conv";
    UpscaleJobResult r = UpscaleJob.run(spark(),
        config(List.of(d), out, 2, 32).toBuilder().tiffThresholdMp(100).convertThresholdMp(0.001)
            .build());
    assertThat(r.failed()).isZero();
    assertThat(r.plan()).contains("2 input(s) above 0.001 MP without random access");
    assertThat(store.read(out + "/big_x2.png").tensor()).isEqualTo(expected(d + "/big.png", 2));
    assertThat(store.read(out + "/big_x2.jpg").tensor().width()).isEqualTo(160);
    assertThat(new File(out, UpscaleJob.WORK_DIR)).doesNotExist();
  }

  @Test
  public void exifOrientationIsAppliedToOrdinaryOutputsAndTaggedOnTiledOnes() throws Exception {
    Random rnd = new Random(11);
    String d = tmp.newFolder("exif").getAbsolutePath();
    String plain = tmp.getRoot() + "/plain.jpg";
    store.write(plain, image(rnd, 3, 30, 50), PixelFormat.of("jpeg", 3, 8));
    Files.write(Path.of(d, "rot.jpg"), withOrientation(Files.readAllBytes(Path.of(plain)), 6));
    ImageInfo info = store.info(d + "/rot.jpg");
    assertThat(info.orientation()).isEqualTo(6);
    String out = tmp.getRoot() + "/out-exif";
    UpscaleJobResult r = UpscaleJob.run(spark(),
        config(List.of(d), out, 2, 16).toBuilder().format("png").suffix(null).build());
    assertThat(r.failed()).isZero();
    ImageTensor upright = Dihedral.apply(expected(d + "/rot.jpg", 2), ExifOrientation.toDihedral(6));
    ImageTensor got = store.read(out + "/rot_x2.png").tensor();
    assertThat(got.width()).isEqualTo(60);
    assertThat(got.height()).isEqualTo(100);
    assertThat(got).isEqualTo(upright);
    assertThat(r.images().get(0).outputWidth()).isEqualTo(60);
    // a tiled output keeps the stored pixels and carries the orientation tag instead
    UpscaleJobResult tiled = UpscaleJob.run(spark(),
        config(List.of(d), tmp.getRoot() + "/out-exif2", 2, 16).toBuilder().tiffThresholdMp(0.001)
            .convertThresholdMp(1000).build());
    String tif = tmp.getRoot() + "/out-exif2/rot_x2.tif";
    assertThat(tiled.failed()).isZero();
    assertThat(store.info(tif).orientation()).isEqualTo(6);
    assertThat(store.read(tif).tensor()).isEqualTo(expected(d + "/rot.jpg", 2));
  }

  @Test
  public void outOfMemoryBatchesAreHalvedInsideTheTask() throws Exception {
    Random rnd = new Random(12);
    String d = tmp.newFolder("oom").getAbsolutePath();
    store.write(d + "/a.png", image(rnd, 3, 64, 96), PixelFormat.of("png", 3, 8));
    List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
    BicubicOperator bicubic = new BicubicOperator();
    OperatorCache.register("fake-oom", new TileOperator() {
      @Override
      public ImageTensor apply(ImageTensor tile, int scale) {
        return applyBatch(List.of(tile), scale).get(0);
      }

      @Override
      public List<ImageTensor> applyBatch(List<ImageTensor> tiles, int scale) {
        if (tiles.size() > 2) {
          throw new OutOfMemoryError("Physical memory usage is too high (fake device)");
        }
        batches.add(tiles.size());
        List<ImageTensor> out = new ArrayList<>();
        for (ImageTensor t : tiles) {
          out.add(bicubic.apply(t, scale));
        }
        return out;
      }

      @Override
      public int radius() {
        return bicubic.radius();
      }

      @Override
      public boolean supportsScale(int scale) {
        return true;
      }

      @Override
      public io.sparksr.partitioning.tiling.BorderPolicy defaultBorder() {
        return bicubic.defaultBorder();
      }
    });
    String out = tmp.getRoot() + "/out-oom";
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(d)).output(out).scale(2)
        .model("fake-oom").tileSize(16).partitionMegapixels(100).build().toBuilder()
        .batchMemoryMb(1024).forwardPermits(1).build();
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).isZero();
    assertThat(r.tiles()).isEqualTo(24);
    assertThat(batches).allMatch(n -> n <= 2);
    assertThat(batches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(24);
    assertThat(store.read(out + "/a_x2.png").tensor()).isEqualTo(expected(d + "/a.png", 2));
  }

  /** A JPEG with an EXIF APP1 segment (orientation only) after its JFIF APP0. */
  static byte[] withOrientation(byte[] jfif, int orientation) {
    ByteBuffer tiff = ByteBuffer.allocate(26).order(ByteOrder.BIG_ENDIAN);
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8).putShort((short) 1)
        .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation)
        .putShort((short) 0).putInt(0);
    byte[] exif = new byte[6 + 26];
    System.arraycopy("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, exif, 0, 6);
    System.arraycopy(tiff.array(), 0, exif, 6, 26);
    int app0End = 4 + ((jfif[4] & 0xff) << 8 | (jfif[5] & 0xff));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jfif, 0, app0End);
    out.write(0xFF);
    out.write(0xE1);
    out.write((exif.length + 2) >> 8);
    out.write((exif.length + 2) & 0xff);
    out.write(exif, 0, exif.length);
    out.write(jfif, app0End, jfif.length - app0End);
    return out.toByteArray();
  }

  /** libtiff decodes every tile without complaint (skipped when libtiff-tools is absent). */
  static void libtiffAgrees(String path) throws Exception {
    String file = path.replaceFirst("^file:", "");
    boolean present = false;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      present |= Files.isExecutable(Path.of(dir, "tiffinfo"));
    }
    if (!present) {
      org.slf4j.LoggerFactory.getLogger(UpscaleJobTest.class)
          .warn("skipped the libtiff check: tiffinfo not installed (apt-get install libtiff-tools)");
      return;
    }
    Process p = new ProcessBuilder("tiffinfo", "-D", file).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text).doesNotContainIgnoringCase("error").contains("Tile Width");
  }
}
