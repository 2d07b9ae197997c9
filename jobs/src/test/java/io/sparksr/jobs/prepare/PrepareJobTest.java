package io.sparksr.jobs.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.partitioning.degrade.DegradationParams;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.sampling.PatchSampler;
import io.sparksr.partitioning.tiling.Rect;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The prepare job on generated images, read back through Spark SQL. */
public class PrepareJobTest extends SharedSpark {

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private String in;
  private final ImageStore store = new ImageStore(new Configuration());

  static ImageTensor image(Random rnd, int c, int h, int w) {
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      int x = i % w;
      int y = (i / w) % h;
      d[i] = (float) Math.max(0, Math.min(1, 0.5 + 0.4 * Math.sin(x * 0.4 + y * 0.23 + i % 7)
          + 0.05 * rnd.nextGaussian()));
    }
    return new ImageTensor(c, h, w, d);
  }

  @Before
  public void images() throws Exception {
    in = tmp.newFolder("hr").getAbsolutePath();
    Random rnd = new Random(1);
    for (int i = 0; i < 6; i++) {
      store.write(in + "/img" + i + ".png", image(rnd, 3, 40 + 5 * i, 50), PixelFormat.of("png", 3, 8));
    }
    store.write(in + "/gray.png", image(rnd, 1, 37, 41), PixelFormat.of("png", 1, 8));
    Files.write(Path.of(in, "broken.png"), new byte[] {1, 2, 3});
  }

  private PrepareJobConfig config(String out, double valFraction) {
    return new PrepareJobConfig(List.of(in), out, List.of(2, 3), 8, 6, 0, 7, 0.0, false, false,
        valFraction, "zstd", 1, false, null, Map.of(), "clean");
  }

  @Test
  public void aTableOfImageBytesGivesThePatchesOfTheSameImagesInAFolder() throws Exception {
    // the folder's files as an img2dataset-like table (key = the file name, png = its bytes)
    List<Row> rows = new java.util.ArrayList<>();
    for (File f : new File(in).listFiles()) {
      rows.add(org.apache.spark.sql.RowFactory.create(f.getName(), Files.readAllBytes(f.toPath())));
    }
    rows.add(org.apache.spark.sql.RowFactory.create("none", null));
    String table = tmp.getRoot() + "/table";
    spark().createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add("key", org.apache.spark.sql.types.DataTypes.StringType, false)
        .add("png", org.apache.spark.sql.types.DataTypes.BinaryType, true))
        .repartition(2).write().parquet(table);
    PrepareJobResult fromFolder = PrepareJob.run(spark(), config(tmp.getRoot() + "/f", 0.3));
    PrepareJobResult fromTable = PrepareJob.run(spark(), new PrepareJobConfig(List.of(table),
        tmp.getRoot() + "/t", List.of(2, 3), 8, 6, 0, 7, 0.0, false, false, 0.3, "zstd", 1,
        false, null, Map.of(), "clean"));
    assertThat(fromTable.images()).isEqualTo(9);
    assertThat(fromTable.failedImages()).extracting(PrepareJobResult.Failure::path)
        .allSatisfy(p -> assertThat(p).matches(".*/table/part-.*\\.parquet#(broken\\.png|none)"))
        .hasSize(2);
    assertThat(fromTable.rows()).isEqualTo(fromFolder.rows());
    String cols = "image_id, split, scale, x, y, augment, lr, hr";
    assertThat(spark().read().parquet(tmp.getRoot() + "/t").selectExpr(cols.split(", "))
        .except(spark().read().parquet(tmp.getRoot() + "/f").selectExpr(cols.split(", ")))
        .count()).as("patches only in the table's dataset").isZero();
    assertThat(spark().read().parquet(tmp.getRoot() + "/t").filter("source LIKE '%#img0.png'")
        .count()).isPositive();
  }

  /**
   * One table file with corrupt data pages (its footer intact, so it opens): a failed entry that
   * names the file and where reading stopped; the other file's images are prepared. Before, the
   * reader's exception failed the task four times and then the job.
   */
  @Test
  public void aCorruptTableFileIsAFailedEntryNotAFailedJob() throws Exception {
    List<Row> rows = new java.util.ArrayList<>();
    for (String name : List.of("img0.png", "img1.png")) {
      rows.add(org.apache.spark.sql.RowFactory.create(name,
          Files.readAllBytes(Path.of(in, name))));
    }
    String table = tmp.getRoot() + "/table2";
    spark().createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add("key", org.apache.spark.sql.types.DataTypes.StringType, false)
        .add("png", org.apache.spark.sql.types.DataTypes.BinaryType, true))
        .coalesce(1).write().parquet(table);
    Path good;
    try (var s = Files.list(Path.of(table))) {
      good = s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(good);
    for (int i = 4; i < bytes.length / 2; i++) {
      bytes[i] = (byte) 0xAB; // the first pages, not the footer at the end
    }
    Path bad = Path.of(table, "zz-bad.parquet");
    Files.write(bad, bytes);
    // and one cut in half: no footer at all
    byte[] whole = Files.readAllBytes(good);
    Files.write(Path.of(table, "zz-cut.parquet"), Arrays.copyOf(whole, whole.length / 2));
    String out = tmp.getRoot() + "/t2";
    PrepareJobResult r = PrepareJob.run(spark(), new PrepareJobConfig(List.of(table),
        out, List.of(2), 8, 6, 0, 7, 0.0, false, false, 0.0, "zstd", 1,
        false, null, Map.of(), "clean"));
    Map<String, String> failed = r.failedImages().stream().collect(java.util.stream.Collectors
        .toMap(f -> f.path().substring(f.path().lastIndexOf('/') + 1),
            PrepareJobResult.Failure::reason));
    assertThat(failed.keySet()).as(r.summary())
        .containsExactlyInAnyOrder("zz-bad.parquet", "zz-cut.parquet");
    assertThat(failed.get("zz-bad.parquet")).startsWith("table file unreadable after 0 row(s): ");
    assertThat(failed.get("zz-cut.parquet")).startsWith("table file unreadable: ");
    // the good file's two images are in the data set
    assertThat(spark().read().parquet(out).select("source").distinct().collectAsList())
        .extracting(row -> row.getString(0))
        .containsExactlyInAnyOrder(good.toUri().toString().replaceFirst("^file:///", "file:/")
            + "#img0.png", good.toUri().toString().replaceFirst("^file:///", "file:/")
            + "#img1.png");
  }

  /**
   * A tree (listed on the executors, as upscale lists): images in subfolders are read, every
   * other file is counted as ignored with its reason, and the summary says so.
   */
  @Test
  public void aTreeIsReadWholeAndItsOtherFilesAreReportedIgnored() throws Exception {
    String tree = tmp.newFolder("tree").getAbsolutePath();
    Random rnd = new Random(3);
    store.write(tree + "/a/one.png", image(rnd, 3, 40, 44), PixelFormat.of("png", 3, 8));
    store.write(tree + "/a/b/two.png", image(rnd, 3, 42, 40), PixelFormat.of("png", 3, 8));
    Files.writeString(Path.of(tree, "a", "notes.txt"), "not an image");
    String out = tmp.getRoot() + "/tree-ds";
    PrepareJobResult r = PrepareJob.run(spark(), new PrepareJobConfig(List.of(tree), out,
        List.of(2), 8, 6, 0, 7, 0.0, false, false, 0.0, "zstd", 1, false, null, Map.of(),
        "clean"));
    assertThat(r.images()).isEqualTo(2);
    assertThat(r.failed()).isZero();
    assertThat(r.ignored()).isEqualTo(1);
    assertThat(r.ignoredFiles()).singleElement().satisfies(f -> {
      assertThat(f.path()).endsWith("/a/notes.txt");
      assertThat(f.reason()).isNotBlank();
    });
    assertThat(r.summary()).contains("1 other files ignored").contains("notes.txt");
    assertThat(spark().read().parquet(out).select("source").distinct().collectAsList())
        .extracting(row -> row.getString(0).replaceAll(".*/tree/", ""))
        .containsExactlyInAnyOrder("a/one.png", "a/b/two.png");
    String summary = Files.readString(Path.of(out, PrepareJob.SUMMARY));
    assertThat(summary).contains("\"ignored\" : 1").contains("notes.txt");
  }

  /** Overlapping inputs (a tree and its subfolder): each image is read and counted once. */
  @Test
  public void anImageReachedFromTwoInputsIsCountedOnce() throws Exception {
    String tree = tmp.newFolder("overlap").getAbsolutePath();
    Random rnd = new Random(4);
    store.write(tree + "/one.png", image(rnd, 3, 40, 44), PixelFormat.of("png", 3, 8));
    store.write(tree + "/b/two.png", image(rnd, 3, 42, 40), PixelFormat.of("png", 3, 8));
    Files.writeString(Path.of(tree, "b", "notes.txt"), "not an image");
    String out = tmp.getRoot() + "/overlap-ds";
    PrepareJobResult r = PrepareJob.run(spark(), new PrepareJobConfig(List.of(tree, tree + "/b"),
        out, List.of(2), 8, 6, 0, 7, 0.0, false, false, 0.0, "zstd", 1, false, null, Map.of(),
        "clean"));
    assertThat(r.images()).isEqualTo(2);
    assertThat(r.ignored()).isEqualTo(1);
    assertThat(r.ignoredFiles()).hasSize(1);
    assertThat(spark().read().parquet(out).select("source").collectAsList())
        .extracting(row -> row.getString(0).replaceAll(".*/overlap/", ""))
        .containsOnly("one.png", "b/two.png");
  }

  @Test
  public void writesAlignedPairsPartitionedByScaleWithASummary() throws Exception {
    String out = tmp.getRoot() + "/ds";
    PrepareJobResult r = PrepareJob.run(spark(), config(out, 0.3));

    assertThat(r.images()).isEqualTo(8);
    assertThat(r.failedImages()).hasSize(1);
    assertThat(r.failedImages().get(0).path()).endsWith("broken.png");
    assertThat(new File(out, "scale=2")).isDirectory();
    assertThat(new File(out, "scale=3")).isDirectory();

    Dataset<Row> ds = spark().read().parquet(out);
    assertThat(ds.count()).isEqualTo(r.totalRows());
    for (int s : new int[] {2, 3}) {
      long expected = r.rows().get(s).values().stream().mapToLong(Long::longValue).sum();
      assertThat(ds.filter("scale = " + s).count()).isEqualTo(expected);
    }
    // a grid of 8 px patches with stride 6 over the LR of img0 (50x40 -> x2: 25x20)
    // gives x in {0,6,12} and y in {0,6,12}: 9 patches
    assertThat(ds.filter("scale = 2 AND source LIKE '%img0.png'").count()).isEqualTo(9);

    // every patch is the crop of the modcropped HR and of its MATLAB-bicubic uint8 LR
    Row row = ds.filter("scale = 3 AND source LIKE '%img2.png' AND x = 6 AND y = 0").first();
    ImageTensor hr = Resize.modcrop(store.read(in + "/img2.png").tensor(), 3);
    ImageTensor lr = Quantized.of(Resize.imresize(hr, 1.0 / 3), 8).toTensor();
    assertThat((byte[]) row.getAs("lr"))
        .isEqualTo(PatchSampler.interleaved(lr.crop(new Rect(6, 0, 8, 8))));
    assertThat((byte[]) row.getAs("hr"))
        .isEqualTo(PatchSampler.interleaved(hr.crop(new Rect(18, 0, 24, 24))));
    assertThat((int) row.getAs("channels")).isEqualTo(3);

    // the split is per source image
    assertThat(ds.groupBy("image_id").agg(org.apache.spark.sql.functions.countDistinct("split"))
        .filter("`count(DISTINCT split)` > 1").count()).isZero();

    JsonNode summary = new ObjectMapper()
        .readTree(HadoopFiles.readText(new Configuration(), out + "/" + PrepareJob.SUMMARY));
    assertThat(summary.get("total_rows").asLong()).isEqualTo(r.totalRows());
    assertThat(summary.get("failed_images").get(0).get("reason").asText()).contains("broken.png");
    assertThat(summary.get("bytes").asLong()).isPositive();
  }

  @Test
  public void sameInputAndSeedGiveTheSameRows() throws Exception {
    String a = tmp.getRoot() + "/a";
    String b = tmp.getRoot() + "/b";
    PrepareJob.run(spark(), config(a, 0.5));
    PrepareJob.run(spark(), config(b, 0.5));
    Dataset<Row> ra = spark().read().parquet(a);
    Dataset<Row> rb = spark().read().parquet(b);
    assertThat(ra.count()).isPositive();
    assertThat(ra.exceptAll(rb).count()).isZero();
    assertThat(rb.exceptAll(ra).count()).isZero();
  }

  @Test
  public void anExistingOutputIsRefusedUnlessOverwriting() throws Exception {
    String out = tmp.newFolder("exists").getAbsolutePath();
    assertThatThrownBy(() -> PrepareJob.run(spark(), config(out, 0)))
        .hasMessageContaining("exists; pass --overwrite");
  }

  /**
   * The archive preset: the same positions and HR patches as the clean data set, each LR made by
   * the degradation chain, its parameters in columns from which the LR is remade bit for bit; the
   * same seed gives the same rows.
   */
  @Test
  public void degradedPatchesAreRecordedAndReproducibleFromTheirColumns() throws Exception {
    PrepareJobConfig clean = config(tmp.getRoot() + "/clean", 0.0);
    PrepareJobConfig archive = new PrepareJobConfig(clean.inputs(), tmp.getRoot() + "/archive",
        clean.scales(), clean.patchSize(), clean.stride(), clean.patchesPerImage(), clean.seed(),
        clean.minStd(), clean.flips(), clean.rot90(), clean.valFraction(), clean.compression(),
        clean.rowGroupMb(), false, null, Map.of(), "archive");
    PrepareJob.run(spark(), clean);
    PrepareJob.run(spark(), archive);
    List<Row> c = spark().read().parquet(clean.output()).orderBy("image_id", "scale", "y", "x")
        .collectAsList();
    List<Row> a = spark().read().parquet(archive.output())
        .orderBy("image_id", "scale", "y", "x", "deg_variant").collectAsList();
    // each patch in as many LR versions as the preset has variants, numbered 0..n-1
    int n = io.sparksr.jobs.Degradations.load("archive", new org.apache.hadoop.conf.Configuration())
        .variants();
    assertThat(c).isNotEmpty();
    assertThat(a).hasSize(n * c.size());
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).<Integer>getAs("deg_variant")).isEqualTo(i % n);
    }
    int differ = 0;
    PatchSampler sampler = new PatchSampler(8, 6, 0, 0, new int[] {0});
    for (int i = 0; i < a.size(); i++) {
      Row ra = a.get(i);
      Row rc = c.get(i / n);
      assertThat((byte[]) ra.getAs("hr")).isEqualTo((byte[]) rc.getAs("hr"));
      assertThat(rc.<String>getAs("deg_preset")).isEqualTo("clean");
      assertThat(ra.<String>getAs("deg_preset")).isEqualTo("archive");
      if (!java.util.Arrays.equals((byte[]) ra.getAs("lr"), (byte[]) rc.getAs("lr"))) {
        differ++;
      }
      if (i % 7 == 0) {
        // remake the LR from the source and the row's parameter columns alone
        DegradationParams p = new DegradationParams(ra.getAs("deg_preset"), ra.getAs("deg_seed"),
            ra.getAs("deg_variant"),
            ra.getAs("deg_margin"), stage(ra, "deg1_"), stage(ra, "deg2_"),
            ra.getAs("deg_final_mode"), stage(ra, "deg3_"));
        int scale = ra.getAs("scale");
        ImageTensor src = Resize.modcrop(store.read(ra.<String>getAs("source")).tensor().toRgb(),
            scale);
        assertThat(sampler.degraded(src, scale, ra.getAs("x"), ra.getAs("y"), p))
            .as("row %d", i).isEqualTo((byte[]) ra.getAs("lr"));
      }
    }
    assertThat(differ).as("the chain changed most LR patches").isGreaterThan(a.size() / 2);
    // the same seed, the same rows
    PrepareJobConfig again = new PrepareJobConfig(clean.inputs(), tmp.getRoot() + "/archive2",
        clean.scales(), clean.patchSize(), clean.stride(), clean.patchesPerImage(), clean.seed(),
        clean.minStd(), clean.flips(), clean.rot90(), clean.valFraction(), clean.compression(),
        clean.rowGroupMb(), false, null, Map.of(), "archive");
    PrepareJob.run(spark(), again);
    List<Row> b = spark().read().parquet(again.output())
        .orderBy("image_id", "scale", "y", "x", "deg_variant").collectAsList();
    for (int i = 0; i < a.size(); i++) {
      assertThat((byte[]) b.get(i).getAs("lr")).isEqualTo((byte[]) a.get(i).getAs("lr"));
    }
  }

  private static DegradationParams.Stage stage(Row r, String p) {
    return new DegradationParams.Stage(r.getAs(p + "kernel"), r.getAs(p + "kernel_size"),
        r.getAs(p + "sigma_x"), r.getAs(p + "sigma_y"), r.getAs(p + "theta"), r.getAs(p + "beta"),
        r.getAs(p + "resize_mode"), r.getAs(p + "resize_factor"), r.getAs(p + "noise"),
        r.getAs(p + "noise_level"), r.getAs(p + "gray_noise"), r.getAs(p + "noise_seed"),
        r.getAs(p + "jpeg"));
  }
}
