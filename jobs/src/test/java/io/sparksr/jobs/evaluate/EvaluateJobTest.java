package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.partitioning.image.ImageTensor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The evaluate job in Spark local mode: published baselines, resume, self-ensemble, failures. */
public class EvaluateJobTest extends SharedSpark {

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private static Path datasets() {
    return Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath().getParent()
        .resolve("shared/datasets").normalize();
  }

  private static EvaluateJobConfig config(List<EvaluateJobConfig.Dataset> ds, List<Integer> scales,
      int tileSize, boolean selfEnsemble, String out) {
    return new EvaluateJobConfig(ds, scales, List.of("bicubic"), tileSize, selfEnsemble, out, 1,
        AnchorsTest.shipped().toString(), null, Map.of());
  }

  private static EvalSummary find(List<EvalSummary> s, String ds, int scale, String setting) {
    return s.stream().filter(x -> x.dataset().equals(ds) && x.scale() == scale
        && x.setting().equals(setting)).findFirst().orElseThrow();
  }

  /**
   * Set5 + Set14 at x2, x3, x4 with MATLAB bicubic, tiled (64-pixel cores): the means reproduce the
   * published bicubic rows (VDSR paper, Table 3) within 0.03 dB and 0.002 SSIM. A second run
   * computes nothing; a third adds only the self-ensemble rows of Set5 x2.
   */
  @Test
  public void bicubicReproducesThePublishedBaselinesAndResumes() throws Exception {
    Path root = datasets();
    Assume.assumeTrue("skipped: no ../shared/datasets", Files.isDirectory(root.resolve("Set5"))
        && Files.isDirectory(root.resolve("Set14")));
    List<EvaluateJobConfig.Dataset> ds = List.of(
        new EvaluateJobConfig.Dataset("Set5", root.resolve("Set5").toString()),
        new EvaluateJobConfig.Dataset("Set14", root.resolve("Set14").toString()));
    String out = tmp.getRoot() + "/eval";

    EvaluateJobResult first = EvaluateJob.run(spark(), config(ds, List.of(2, 3, 4), 64, false,
        out));

    assertThat(first.failures()).isEmpty();
    assertThat(first.computed()).isEqualTo((5 + 14) * 3);
    assertThat(first.present()).isZero();
    // published: Kim et al., CVPR 2016, Table 3 (Bicubic)
    double[][] published = {{33.66, 0.9299}, {30.39, 0.8682}, {28.42, 0.8104},
        {30.24, 0.8688}, {27.55, 0.7742}, {26.00, 0.7027}};
    for (int i = 0; i < 6; i++) {
      String set = i < 3 ? "Set5" : "Set14";
      int scale = 2 + i % 3;
      EvalAccumulator.Result r = find(first.summaries(), set, scale, "tile64").result();
      assertThat(r.images()).isEqualTo(set.equals("Set5") ? 5 : 14);
      assertThat(r.psnr()).as("%s x%d PSNR", set, scale).isCloseTo(published[i][0], within(0.03));
      assertThat(r.ssim()).as("%s x%d SSIM", set, scale).isCloseTo(published[i][1], within(0.002));
      assertThat(r.secondsMean()).isPositive();
    }
    Dataset<Row> rows = spark().read().parquet(first.results());
    assertThat(rows.count()).isEqualTo(57);
    assertThat(rows.filter("tiles > 1").count()).as("tiled inference was used").isPositive();
    assertThat(new File(out, "results.parquet").list((d, n) -> n.endsWith(".parquet")))
        .hasSize(1);
    String csv = HadoopFiles.readText(new Configuration(), first.summaryCsv());
    assertThat(csv.lines()).hasSize(1 + 6);
    String html = Files.readString(Path.of(out, "report.html"));
    assertThat(html).contains("data-dataset=\"Set14\" data-scale=\"4\"")
        .contains("<tr class=\"published\" data-method=\"VDSR\">")
        .contains("crops/Set5/baby_x2_hr.png");
    assertThat(new File(out, "crops/Set5/baby_x4_bicubic.png")).isFile();
    assertThat(new File(out, "charts/Set14_psnr_vs_scale.svg")).isFile();
    assertThat(new File(out, "report.md")).isFile();

    EvaluateJobResult second = EvaluateJob.run(spark(), config(ds, List.of(2, 3, 4), 64, false,
        out));
    assertThat(second.computed()).isZero();
    assertThat(second.present()).isEqualTo(57);
    assertThat(second.summaries()).isEqualTo(first.summaries());
    assertThat(new File(out, "results.parquet").list((d, n) -> n.endsWith(".parquet")))
        .as("nothing appended").hasSize(1);

    EvaluateJobResult third = EvaluateJob.run(spark(), config(ds.subList(0, 1), List.of(2), 64,
        true, out));
    assertThat(third.computed()).isEqualTo(5);
    assertThat(third.present()).isEqualTo(5);
    EvalSummary plain = find(third.summaries(), "Set5", 2, "tile64");
    EvalSummary x8 = find(third.summaries(), "Set5", 2, "tile64+x8");
    // bicubic commutes with flips and transposes: the ensemble changes nothing but the time
    assertThat(x8.result().psnr()).isCloseTo(plain.result().psnr(), within(0.005));
    // plain timed by the first run, x8 by this one: no time ratio between them
    assertThat(Files.readString(Path.of(out, "report.html"))).contains("Self-ensemble (x8)")
        .contains("n/a (timed in different runs)");
    assertThat(third.summaries()).as("the report keeps Set14 from the first run")
        .anyMatch(s -> s.dataset().equals("Set14"));
  }

  /** A corrupt file is a failed row (and exit code 1), retried by the next run; others are fine. */
  @Test
  public void aBadImageIsAFailedRowThatTheNextRunRetries() throws Exception {
    File in = tmp.newFolder("mixed");
    ImageStore store = new ImageStore(new Configuration());
    Random rnd = new Random(9);
    float[] d = new float[3 * 40 * 48];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    store.write(in + "/good.png", new ImageTensor(3, 40, 48, d), PixelFormat.of("png", 3, 8));
    store.write(in + "/grey.png", new ImageTensor(1, 40, 48, java.util.Arrays.copyOf(d, 40 * 48)),
        PixelFormat.of("png", 1, 8));
    Files.write(Path.of(in.toString(), "broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0});
    String out = tmp.getRoot() + "/eval-bad";
    List<EvaluateJobConfig.Dataset> ds = List.of(new EvaluateJobConfig.Dataset("Mixed",
        in.toString()));

    EvaluateJobResult r = EvaluateJob.run(spark(), config(ds, List.of(2, 4), 16, false, out));
    assertThat(r.computed()).isEqualTo(6);
    assertThat(r.failures()).hasSize(2).allMatch(f -> f.image().equals("broken.png")
        && f.error().contains("broken.png"));
    assertThat(find(r.summaries(), "Mixed", 2, "tile16").result().images()).isEqualTo(2);
    // the summary counts the image that failed (its mean is over the other two)
    assertThat(find(r.summaries(), "Mixed", 2, "tile16").result().failed()).isEqualTo(1);
    assertThat(HadoopFiles.readText(new Configuration(), r.summaryCsv()).lines()
        .filter(l -> l.startsWith("Mixed,2,")).toList()).singleElement().asString()
        .startsWith("Mixed,2,bicubic,tile16,2,1,");
    assertThat(Files.readString(Path.of(out, "report.html"))).contains("Failures of this run")
        .contains("1 image(s) failed: mean of 2 only");

    EvaluateJobResult again = EvaluateJob.run(spark(), config(ds, List.of(2, 4), 16, false, out));
    assertThat(again.computed()).as("only the failed rows are retried").isEqualTo(2);
    assertThat(again.present()).isEqualTo(4);
  }

  /**
   * Resume counts a row only if it was computed from the same weights and HR bytes: a bundle
   * rewritten at its path (a resumed checkpoint) or an HR file replaced is computed again, and the
   * earlier rows are left out of the means (and said so), never reported as this run's.
   */
  @Test
  public void rowsOfOtherWeightsOrHrBytesUnderTheSameNamesAreComputedAgain() throws Exception {
    File in = tmp.newFolder("prov");
    ImageStore store = new ImageStore(new Configuration());
    Random rnd = new Random(4);
    for (String name : List.of("a.png", "b.png")) {
      float[] d = new float[3 * 24 * 30];
      for (int i = 0; i < d.length; i++) {
        d[i] = rnd.nextFloat();
      }
      store.write(in + "/" + name, new ImageTensor(3, 24, 30, d), PixelFormat.of("png", 3, 8));
    }
    Path bundle = tmp.getRoot().toPath().resolve("ckpt/model.srm");
    Files.createDirectories(bundle.getParent());
    copyResource("io/sparksr/model/default.srm", bundle);
    String out = tmp.getRoot() + "/eval-prov";
    EvaluateJobConfig cfg = new EvaluateJobConfig(List.of(new EvaluateJobConfig.Dataset("P",
        in.toString())), List.of(2), List.of(bundle.toString()), 0, false, out, 0, null, null,
        Map.of());

    EvaluateJobResult first = EvaluateJob.run(spark(), cfg);
    assertThat(first.computed()).isEqualTo(2);
    double psnrDefault = find(first.summaries(), "P", 2, "whole").result().psnr();
    EvaluateJobResult same = EvaluateJob.run(spark(), cfg);
    assertThat(same.computed()).isZero();
    assertThat(same.stale()).isEmpty();

    // the checkpoint at that path is now other weights: both rows again, the old ones left out
    copyResource("io/sparksr/model/archive.srm", bundle);
    EvaluateJobResult rewritten = EvaluateJob.run(spark(), cfg);
    assertThat(rewritten.computed()).isEqualTo(2);
    assertThat(rewritten.present()).isZero();
    assertThat(rewritten.stale()).containsExactly(Map.entry(Provenance.MODEL_CHANGED, 2L));
    EvalAccumulator.Result archive = find(rewritten.summaries(), "P", 2, "whole").result();
    assertThat(archive.images()).as("one row per image, not four").isEqualTo(2);
    assertThat(archive.psnr()).isNotCloseTo(psnrDefault, within(1e-6));
    assertThat(Files.readString(Path.of(out, "report.md")))
        .contains("Rows of earlier runs left out: 2 (" + Provenance.MODEL_CHANGED + ")");

    // b.png replaced by other pixels: only its row again
    float[] d = new float[3 * 24 * 30];
    java.util.Arrays.fill(d, 0.25f);
    store.write(in + "/b.png", new ImageTensor(3, 24, 30, d), PixelFormat.of("png", 3, 8));
    EvaluateJobResult replaced = EvaluateJob.run(spark(), cfg);
    assertThat(replaced.computed()).isEqualTo(1);
    assertThat(replaced.present()).isEqualTo(1);
    assertThat(replaced.stale()).containsEntry(Provenance.HR_CHANGED, 1L);
    assertThat(find(replaced.summaries(), "P", 2, "whole").result().images()).isEqualTo(2);
  }

  private static void copyResource(String name, Path to) throws Exception {
    try (java.io.InputStream res = EvaluateJobTest.class.getClassLoader()
        .getResourceAsStream(name)) {
      assertThat(res).as(name).isNotNull();
      Files.copy(res, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A data set stored as a table of image bytes scores what the same images in a folder do. */
  @Test
  public void aTableDataSetScoresLikeItsFolder() throws Exception {
    File in = tmp.newFolder("tab-images");
    ImageStore store = new ImageStore(new Configuration());
    Random rnd = new Random(11);
    List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      float[] d = new float[3 * 36 * 44];
      for (int k = 0; k < d.length; k++) {
        d[k] = (float) (0.5 + 0.4 * Math.sin(k * 0.05 + i) + 0.05 * rnd.nextFloat());
      }
      String name = "im" + i;
      store.write(in + "/" + name + ".png", new ImageTensor(3, 36, 44, d),
          PixelFormat.of("png", 3, 8));
      rows.add(org.apache.spark.sql.RowFactory.create(name,
          Files.readAllBytes(Path.of(in.toString(), name + ".png"))));
    }
    String table = tmp.getRoot() + "/tab-table";
    spark().createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add("key", org.apache.spark.sql.types.DataTypes.StringType, false)
        .add("png", org.apache.spark.sql.types.DataTypes.BinaryType, false))
        .repartition(2).write().parquet(table);
    // the same rows without a key, in two files: both files' row numbers start at 0 (their images
    // overwrote each other: 2 of 3 scored, silently)
    String keyless = tmp.getRoot() + "/tab-keyless";
    spark().read().parquet(table).select("png").coalesce(1).sortWithinPartitions("png")
        .repartition(2).write().parquet(keyless);
    assertThat(new File(keyless).list((dir, n) -> n.endsWith(".parquet"))).hasSize(2);
    String out = tmp.getRoot() + "/eval-tab";
    EvaluateJobResult r = EvaluateJob.run(spark(), config(List.of(
        new EvaluateJobConfig.Dataset("Folder", in.toString()),
        new EvaluateJobConfig.Dataset("Table", table),
        new EvaluateJobConfig.Dataset("Keyless", keyless)), List.of(2), 16, false, out));
    assertThat(r.failures()).isEmpty();
    var folder = find(r.summaries(), "Folder", 2, "tile16").result();
    for (String t : List.of("Table", "Keyless")) {
      var fromTable = find(r.summaries(), t, 2, "tile16").result();
      assertThat(fromTable.images()).as(t).isEqualTo(3);
      // the same images: the same scores (up to the order of summation)
      assertThat(fromTable.psnr()).as(t).isCloseTo(folder.psnr(),
          org.assertj.core.api.Assertions.within(1e-9));
      assertThat(fromTable.ssim()).as(t).isCloseTo(folder.ssim(),
          org.assertj.core.api.Assertions.within(1e-12));
    }

    // a key that occurs twice is an error naming the data set, not one image scored for two
    String twice = tmp.getRoot() + "/tab-twice";
    spark().read().parquet(table).withColumn("key",
        org.apache.spark.sql.functions.lit("same")).write().parquet(twice);
    assertThatThrownBy(() -> EvaluateJob.run(spark(), config(List.of(
        new EvaluateJobConfig.Dataset("Twice", twice)), List.of(2), 16, false, out)))
        .hasMessageContaining("'datasets' Twice=" + twice + " has 3 images but 1 distinct keys");
  }

  /**
   * A data set stored as a tree: its images are found recursively and identified by their path
   * below the data set's folder, so the same file name in two folders gives two rows.
   */
  @Test
  public void aNestedDataSetIsWalkedAndRowsKeepTheRelativePath() throws Exception {
    File in = tmp.newFolder("nested");
    ImageStore store = new ImageStore(new Configuration());
    Random rnd = new Random(4);
    for (String rel : List.of("a/x.png", "b/x.png", "b/deeper/y.png")) {
      float[] d = new float[3 * 24 * 32];
      for (int i = 0; i < d.length; i++) {
        d[i] = rnd.nextFloat();
      }
      store.write(in + "/" + rel, new ImageTensor(3, 24, 32, d), PixelFormat.of("png", 3, 8));
    }
    Files.writeString(Path.of(in.toString(), "b", "notes.txt"), "not an image");
    String out = tmp.getRoot() + "/eval-nested";
    EvaluateJobResult r = EvaluateJob.run(spark(), config(List.of(new EvaluateJobConfig.Dataset(
        "Tree", in.toString())), List.of(2), 0, false, out));
    assertThat(r.failures()).isEmpty();
    assertThat(r.computed()).isEqualTo(3);
    List<String> images = spark().read().parquet(r.results()).select("image").orderBy("image")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(images).containsExactly("a/x.png", "b/deeper/y.png", "b/x.png");
  }

  /**
   * Degradations are a sweep axis: each named one (from the shipped eval.yaml) is applied to the
   * LR after the MATLAB-bicubic downscale; its rows carry it in the setting, and the score equals
   * the model run on that degraded LR, computed here independently. The crops get a bicubic panel
   * of the degraded LR (its pixels computed here too) that the report shows in a row of its own,
   * next to a table with a column per LR.
   */
  @Test
  public void degradedInputsAreASettingScoredOnTheDegradedLr() throws Exception {
    File in = tmp.newFolder("deg");
    ImageStore store = new ImageStore(new Configuration());
    Random rnd = new Random(5);
    float[] d = new float[3 * 48 * 60];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (0.5 + 0.3 * Math.sin(i * 0.05) + 0.1 * rnd.nextFloat());
    }
    store.write(in + "/a.png", new ImageTensor(3, 48, 60, d), PixelFormat.of("png", 3, 8));
    String out = tmp.getRoot() + "/eval-deg";
    EvaluateCommand cmd = new EvaluateCommand();
    new picocli.CommandLine(cmd).parseArgs("--datasets", "D=" + in, "--scales", "2",
        "--models", "bicubic", "--degradations", "clean,jpeg75", "--output", out, "--crops", "1");
    EvaluateJobResult r = EvaluateJob.run(spark(), cmd.toConfig());
    assertThat(r.failures()).isEmpty();
    EvalAccumulator.Result clean = find(r.summaries(), "D", 2, "whole").result();
    EvalAccumulator.Result jpeg = find(r.summaries(), "D", 2, "whole@jpeg75").result();
    assertThat(jpeg.psnr()).isLessThan(clean.psnr());
    // independently: MATLAB bicubic of the JPEG-75 round trip of the 8-bit MATLAB-bicubic LR
    ImageTensor hr = io.sparksr.partitioning.image.Resize.modcrop(store.read(in + "/a.png")
        .tensor(), 2);
    ImageTensor lr = io.sparksr.partitioning.image.Quantized.of(
        io.sparksr.partitioning.image.Resize.imresize(hr, 0.5), 8).toTensor();
    ImageTensor sr = io.sparksr.partitioning.image.Resize.imresize(
        io.sparksr.partitioning.degrade.Jpeg.roundTrip(lr, 75), 2);
    assertThat(jpeg.psnr()).isCloseTo(io.sparksr.partitioning.metrics.Metrics.score(sr, hr, 2)
        .psnr(), within(1e-6));

    File panel = new File(out, "crops/D/a_x2_bicubic_jpeg75.png");
    assertThat(panel).isFile();
    ImageTensor written = store.read(panel.toString()).tensor();
    ImageTensor expected = io.sparksr.partitioning.image.Quantized.of(sr, 8).toTensor()
        .crop(CropPanels.pick(hr));
    assertThat(written.width()).isEqualTo(expected.width());
    assertThat(written.height()).isEqualTo(expected.height());
    assertThat(maxAbsDiff(written, expected)).as("bicubic of the JPEG-75 LR").isLessThan(1e-6);
    ImageTensor cleanPanel = store.read(out + "/crops/D/a_x2_bicubic.png").tensor();
    assertThat(maxAbsDiff(written, cleanPanel)).as("not the clean bicubic").isGreaterThan(1e-3);

    String html = Files.readString(Path.of(out, "report.html"));
    assertThat(html).contains("<table class=\"degradations\" data-dataset=\"D\" "
            + "data-scale=\"2\">")
        .contains("<div class=\"crops\" data-degradation=\"jpeg75\">");
    String jpegRow = html.substring(html.indexOf("<div class=\"crops\" data-degradation="
        + "\"jpeg75\">"));
    assertThat(jpegRow.substring(0, jpegRow.indexOf("</section>")))
        .contains("<img src=\"crops/D/a_x2_bicubic_jpeg75.png\"");
    assertThat(Files.readString(Path.of(out, "report.md")))
        .contains("](crops/D/a_x2_bicubic_jpeg75.png)");
  }

  private static double maxAbsDiff(ImageTensor a, ImageTensor b) {
    double m = 0;
    for (int i = 0; i < a.data().length; i++) {
      m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
    }
    return m;
  }
}
