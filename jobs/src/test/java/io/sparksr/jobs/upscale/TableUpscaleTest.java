package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.ImageStore;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.pipeline.ImageOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Images stored as tables: an img2dataset-like table (key, jpg bytes, caption, width, height,
 * status) in two files becomes a table of the same files and columns, each row's image upscaled
 * to the pixels the folder path gives for the same image; a Hugging Face-like struct column too.
 * Spark, an independent reader of what parquet-hadoop wrote, reads the output.
 */
public class TableUpscaleTest extends SharedSpark {
  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private final ImageStore store = new ImageStore(new Configuration());

  private static final StructType IMG2DATASET = new StructType()
      .add("key", DataTypes.StringType, false)
      .add("jpg", DataTypes.BinaryType, true)
      .add("caption", DataTypes.StringType, true)
      .add("width", DataTypes.IntegerType, true)
      .add("height", DataTypes.IntegerType, true)
      .add("status", DataTypes.StringType, true);

  /** Images in a folder (named key.ext) and the rows of a table holding the same bytes. */
  private List<Row> images(Path folder) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      boolean png = i % 3 == 0;
      String key = String.format("%09d", i);
      Path p = folder.resolve(key + (png ? ".png" : ".jpg"));
      int h = 10 + 3 * i;
      int w = 12 + 5 * (i % 4);
      ArchiveTreeTest.writeImage(store, p, 3, h, w, png ? "png" : "jpeg", 8);
      rows.add(RowFactory.create(key, Files.readAllBytes(p), "caption " + i, w, h, "success"));
    }
    rows.add(RowFactory.create("broken", new byte[] {1, 2, 3}, "not an image", 1, 1, "success"));
    rows.add(RowFactory.create("empty", null, "no bytes", null, null, "failed_to_download"));
    return rows;
  }

  @Test
  public void anImg2datasetTableBecomesATableOfTheSameShapeWithTheFolderPathsPixels()
      throws Exception {
    Path folder = tmp.newFolder("folder").toPath();
    List<Row> rows = images(folder);
    String table = tmp.getRoot() + "/table";
    spark().createDataFrame(rows, IMG2DATASET).repartition(2).write().parquet(table);
    List<String> inFiles;
    try (Stream<Path> s = Files.list(Path.of(table))) {
      inFiles = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet"))
          .sorted().toList();
    }
    assertThat(inFiles).hasSize(2);

    String out = tmp.getRoot() + "/table-out";
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(table)).output(out)
        .scale(2).model("bicubic").tileSize(16).build();
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    String folderOut = tmp.getRoot() + "/folder-out";
    UpscaleJobResult f = UpscaleJob.run(spark(), cfg.toBuilder().inputs(List.of(folder.toString()))
        .output(folderOut).build());
    assertThat(f.succeeded()).isEqualTo(9);

    assertThat(r.succeeded()).isEqualTo(9);
    assertThat(r.failed()).isEqualTo(2);
    List<String> outFiles;
    try (Stream<Path> s = Files.list(Path.of(out))) {
      outFiles = s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".parquet") && !n.startsWith("_")).sorted().toList();
    }
    assertThat(outFiles).as("one output file per input file, same names").isEqualTo(inFiles);

    Dataset<Row> got = spark().read().parquet(out);
    assertThat(got.columns()).containsExactly("key", "jpg", "caption", "width", "height",
        "status", "reason");
    Map<String, Row> byKey = got.collectAsList().stream()
        .collect(Collectors.toMap(x -> x.getString(0), x -> x, (a, b) -> a, TreeMap::new));
    assertThat(byKey).hasSize(11);
    for (int i = 0; i < 9; i++) {
      String key = String.format("%09d", i);
      Row row = byKey.get(key);
      assertThat(row.getString(5)).as(key).isEqualTo(ImageOutcome.OK);
      assertThat(row.getString(2)).isEqualTo("caption " + i);
      boolean png = i % 3 == 0;
      Path bytes = tmp.getRoot().toPath().resolve(key + (png ? "_out.png" : "_out.jpg"));
      Files.write(bytes, (byte[]) row.get(1));
      var fromTable = store.read(bytes.toString());
      var fromFolder = store.read(folderOut + "/" + key + "_x2" + (png ? ".png" : ".jpg"));
      assertThat(fromTable.tensor()).as("%s: the folder path's pixels", key)
          .isEqualTo(fromFolder.tensor());
      assertThat(row.getInt(3)).isEqualTo(2 * (12 + 5 * (i % 4)));
      assertThat(row.getInt(4)).isEqualTo(2 * (10 + 3 * i));
      assertThat(row.isNullAt(6)).isTrue();
    }
    assertThat(byKey.get("broken").getString(5)).isEqualTo(ImageOutcome.FAILED);
    assertThat(byKey.get("broken").getString(6)).contains("not an image");
    assertThat(byKey.get("broken").isNullAt(1)).isTrue();
    assertThat(byKey.get("broken").getString(2)).isEqualTo("not an image");
    assertThat(byKey.get("empty").getString(6)).isEqualTo("no image bytes in column 'jpg'");

    // the manifest names each row by its file and key, and is hidden from the table's readers
    assertThat(r.images()).hasSize(11).allSatisfy(o ->
        assertThat(o.input()).matches(".*/table/part-.*\\.parquet#.+"));
    assertThat(r.images().stream().filter(ImageOutcome::isFailed).map(ImageOutcome::reason))
        .allSatisfy(reason -> assertThat(reason).doesNotContain("sparksr-table-"));

    // a rerun skips every file whose output exists
    UpscaleJobResult again = UpscaleJob.run(spark(), cfg);
    assertThat(again.skipped()).isEqualTo(2);
    assertThat(again.succeeded()).isZero();
  }

  @Test
  public void aHuggingFaceImageStructKeepsItsPathAndGetsTheUpscaledBytes() throws Exception {
    Path folder = tmp.newFolder("hf").toPath();
    Path p = folder.resolve("a.png");
    ArchiveTreeTest.writeImage(store, p, 3, 9, 11, "png", 8);
    StructType image = new StructType().add("bytes", DataTypes.BinaryType, true)
        .add("path", DataTypes.StringType, true);
    StructType schema = new StructType().add("image", image, true)
        .add("label", DataTypes.LongType, false);
    String table = tmp.getRoot() + "/hf-table";
    spark().createDataFrame(List.of(RowFactory.create(RowFactory.create(Files.readAllBytes(p),
        "a.png"), 7L)), schema).coalesce(1).write().parquet(table);
    String out = tmp.getRoot() + "/hf-out";
    UpscaleJobResult r = UpscaleJob.run(spark(), UpscaleJobConfig.builder()
        .inputs(List.of(table)).output(out).scale(3).model("bicubic").tileSize(16).build());
    assertThat(r.succeeded()).isEqualTo(1);
    Row row = spark().read().parquet(out).collectAsList().get(0);
    Row img = row.getStruct(0);
    assertThat(img.getString(1)).isEqualTo("a.png");
    assertThat(row.getLong(1)).isEqualTo(7L);
    Path back = tmp.getRoot().toPath().resolve("back.png");
    Files.write(back, (byte[]) img.get(0));
    assertThat(store.read(back.toString()).tensor().height()).isEqualTo(27);
    assertThat(row.getInt(row.fieldIndex("width"))).isEqualTo(33);
  }
}
