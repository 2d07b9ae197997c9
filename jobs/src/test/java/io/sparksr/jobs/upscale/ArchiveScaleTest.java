package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.io.ImageStore;
import io.sparksr.jobs.ListInputs;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.pipeline.ImageOutcome;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The run of an archive planned in many partitions (listing, headers, plan and manifest on the
 * executors) does what the run planned in as few as there are task slots does: the same files
 * found once each, the same rows, the same pixels; crowded output folders are sharded, and a
 * rerun skips.
 */
public class ArchiveScaleTest extends SharedSpark {
  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private final ImageStore store = new ImageStore(new Configuration());

  /** 3 x 4 folders of 4 images each (PNG and JPEG, sizes varying), sidecars and a bad file. */
  private Path archive() throws Exception {
    Path root = tmp.newFolder("archive").toPath();
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 4; b++) {
        for (int i = 0; i < 4; i++) {
          boolean jpeg = (a + b + i) % 3 == 0;
          ArchiveTreeTest.writeImage(store, root.resolve("y" + a + "/f" + b + "/img" + i
              + (jpeg ? ".jpg" : ".png")), 3, 12 + 3 * i, 14 + 2 * b, jpeg ? "jpeg" : "png", 8);
        }
        Files.writeString(root.resolve("y" + a + "/f" + b + "/notes.txt"), "notes");
      }
    }
    Files.write(root.resolve("y1/f2/broken.png"), new byte[] {1, 2, 3});
    return root;
  }

  private UpscaleJobResult run(List<String> inputs, String out, int filesPerPartition,
      double partitionMp, int maxFiles, boolean flat) throws Exception {
    Configuration c = sc().hadoopConfiguration();
    c.setInt(ListInputs.FILES_PER_PARTITION_KEY, filesPerPartition);
    try {
      return UpscaleJob.run(spark(), UpscaleJobConfig.builder().inputs(inputs).output(out)
          .scale(2).model("bicubic").tileSize(16).partitionMegapixels(partitionMp)
          .maxFilesPerFolder(maxFiles).flat(flat).build());
    } finally {
      c.unset(ListInputs.FILES_PER_PARTITION_KEY);
    }
  }

  private static Map<String, String> rows(UpscaleJobResult r, String out) {
    Map<String, String> rows = new TreeMap<>();
    for (ImageOutcome o : r.images()) {
      String prev = rows.put(o.input(), o.status() + " " + (o.output() == null ? "-"
          : o.output().substring(o.output().indexOf(out) + out.length())) + " " + o.reason()
          + " " + o.outputWidth() + "x" + o.outputHeight());
      assertThat(prev).as("one row per input: %s", o.input()).isNull();
    }
    return rows;
  }

  /** The files below {@code dir} but the manifest, sorted. */
  private static List<String> files(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
          .filter(rel -> !rel.startsWith("manifest.parquet") && !rel.startsWith("_manifest"))
          .sorted().toList();
    }
  }

  @Test
  public void anArchivePlannedInManyPartitionsEqualsTheRunPlannedInFew() throws Exception {
    Path root = archive();
    // the same folder reached twice (by its parent and by itself): each file counts once
    List<String> inputs = List.of(root.toString(), root.resolve("y2").toString());
    String whole = tmp.getRoot() + "/whole";
    String parts = tmp.getRoot() + "/parts";
    // one listing partition per task slot (2 000 files each), a group each
    UpscaleJobResult a = run(inputs, whole, 2000, 1, 0, false);
    // 5 files per partition of the listing, a group per image or two: planned in 13 partitions
    UpscaleJobResult b = run(inputs, parts, 5, 0.002, 0, false);

    assertThat(a.succeeded()).isEqualTo(48);
    assertThat(a.failed()).isEqualTo(1);
    assertThat(a.ignored()).isEqualTo(12);
    assertThat(b.partitions()).as("partitions of the partitioned run").isGreaterThan(10);
    assertThat(rows(b, "/parts")).isEqualTo(rows(a, "/whole"));
    assertThat(b.summary().replace("/parts", "/whole").replaceAll("run \\S+:", "")
        .replaceAll("[0-9.]+ s\\b", "").replaceAll("[0-9.]+ MP/s.*seconds", "")
        .replaceAll("\\d+ tiles in \\d+ partitions", ""))
        .isEqualTo(a.summary().replaceAll("run \\S+:", "").replaceAll("[0-9.]+ s\\b", "")
            .replaceAll("[0-9.]+ MP/s.*seconds", "")
            .replaceAll("\\d+ tiles in \\d+ partitions", ""));
    // the same files, the same pixels (the bytes differ: the provenance names the run)
    List<String> fa = files(Path.of(whole));
    List<String> fb = files(Path.of(parts));
    assertThat(fb).isEqualTo(fa).hasSize(48);
    for (String k : fa) {
      assertThat(store.read(parts + "/" + k).tensor()).as(k)
          .isEqualTo(store.read(whole + "/" + k).tensor());
    }
    // the CSV manifest joins the tasks' parts under one header: a line per input
    List<String> csv = Files.readAllLines(Path.of(parts, UpscaleJob.MANIFEST));
    assertThat(csv.get(0)).startsWith("input,output,status");
    assertThat(csv).hasSize(1 + 48 + 1 + 12);
    assertThat(Files.list(Path.of(parts)).map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.contains("csv.parts"));
  }

  @Test
  public void flatOutputsCollideAcrossPartitionsInPathOrder() throws Exception {
    flatOutputsCollide("flat", 0);
  }

  /**
   * The same with the flat folder sharded (48 outputs, at most 5 per folder): the run-wide claims
   * are keyed by the output path before sharding, so a name claimed in another partition must
   * still be found (it was not: both inputs wrote the same sharded file and both rows said ok).
   */
  @Test
  public void flatOutputsCollideAcrossPartitionsWhenTheFolderIsSharded() throws Exception {
    flatOutputsCollide("flat-sharded", 5);
  }

  private void flatOutputsCollide(String name, int maxFiles) throws Exception {
    Path root = archive();
    UpscaleJobResult r = run(List.of(root.toString()), tmp.getRoot() + "/" + name, 3, 0.002,
        maxFiles, true);
    // 12 folders hold img0..img3: with --flat only the first of each name (path order) is written
    Map<String, List<ImageOutcome>> byName = r.images().stream().filter(o -> o.output() != null)
        .collect(Collectors.groupingBy(o -> o.output().substring(o.output().lastIndexOf('/') + 1),
            TreeMap::new, Collectors.toList()));
    assertThat(byName.keySet()).contains("img0_x2.jpg", "img0_x2.png", "img3_x2.png");
    for (List<ImageOutcome> same : byName.values()) {
      List<ImageOutcome> ok = same.stream().filter(ImageOutcome::ok).toList();
      assertThat(ok).as("%s", same).hasSizeLessThanOrEqualTo(1);
      if (!ok.isEmpty()) {
        String first = same.stream().map(ImageOutcome::input).sorted().findFirst().orElseThrow();
        assertThat(ok.get(0).input()).as("the first in path order wins").isEqualTo(first);
        for (ImageOutcome o : same) {
          if (!o.ok() && o.reason() != null && o.reason().startsWith("output name collides")) {
            assertThat(o.reason()).endsWith(first);
          }
        }
      }
    }
    long written = r.succeeded();
    // every name but the undecodable input's is written exactly once
    assertThat(written).isEqualTo(byName.keySet().stream()
        .filter(n -> !n.startsWith("broken")).count());
    try (Stream<Path> s = Files.walk(Path.of(tmp.getRoot() + "/" + name))) {
      assertThat(s.filter(p -> p.toString().matches(".*_x2\\.(png|jpg)$")).count())
          .isEqualTo(written);
    }
  }

  /**
   * A real subfolder whose name is a shard name (archives have month folders 01..12; shard names
   * are hex): the sharded output of crowded/a0.png and the plain output of crowded/<shard>/a0.png
   * are the same file. In different partitions, both used to be written (claims were counted on
   * the paths before sharding); now the second in path order fails with the reason.
   */
  @Test
  public void aShardedOutputCollidesWithARealFolderOfTheShardsName() throws Exception {
    Path crowded = tmp.newFolder("crowded").toPath();
    for (int i = 0; i < 8; i++) {
      ArchiveTreeTest.writeImage(store, crowded.resolve("a" + i + ".png"), 3, 10, 12, "png", 8);
    }
    String shard = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("a0_x2.png".getBytes(StandardCharsets.UTF_8))).substring(0, 2);
    ArchiveTreeTest.writeImage(store, crowded.resolve(shard + "/a0.png"), 3, 10, 12, "png", 8);
    String out = tmp.getRoot() + "/crowded-out";
    UpscaleJobResult r = run(List.of(crowded.toString()), out, 1, 0.001, 5, false);
    List<ImageOutcome> same = r.images().stream()
        .filter(o -> (out + "/" + shard + "/a0_x2.png").equals(localPath(o.output()))).toList();
    assertThat(same).as(r.summary()).hasSize(2);
    String first = (shard + "/a0.png").compareTo("a0.png") < 0 ? shard + "/a0.png" : "a0.png";
    assertThat(same).filteredOn(ImageOutcome::ok).singleElement()
        .satisfies(o -> assertThat(o.relative()).isEqualTo(first));
    assertThat(same).filteredOn(ImageOutcome::isFailed).singleElement()
        .satisfies(o -> assertThat(o.reason()).startsWith("output name collides with that of")
            .endsWith("/crowded/" + first));
    assertThat(r.succeeded()).isEqualTo(8);
  }

  private static String localPath(String output) {
    return output == null ? null : java.net.URI.create(output).getPath();
  }

  @Test
  public void aCrowdedOutputFolderIsShardedByNameAndARerunSkipsEveryImage() throws Exception {
    Path flat = tmp.newFolder("flat").toPath();
    for (int i = 0; i < 140; i++) {
      ArchiveTreeTest.writeImage(store, flat.resolve(String.format("p%03d.png", i)), 3, 10, 12,
          "png", 8);
    }
    String out = tmp.getRoot() + "/sharded";
    UpscaleJobResult r = run(List.of(flat.toString()), out, 4, 0.001, 10, false);
    assertThat(r.succeeded()).isEqualTo(140);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < 140; i++) {
      String name = String.format("p%03d_x2.png", i);
      String shard = HexFormat.of().formatHex(sha.digest(name.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 2);
      assertThat(Path.of(out, shard, name)).as(name).isRegularFile();
    }
    try (Stream<Path> s = Files.list(Path.of(out))) {
      assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList())
          .as("no output directly in the crowded folder").containsOnly(UpscaleJob.MANIFEST);
    }

    UpscaleJobResult again = run(List.of(flat.toString()), out, 4, 0.001, 10, false);
    assertThat(again.skipped()).isEqualTo(140);
    assertThat(again.tiles()).isZero();
    assertThat(again.images()).allSatisfy(o -> assertThat(o.reason()).startsWith("output exists"));
    // ten per folder allowed: 140 outputs go to shards; 0 = never shard
    UpscaleJobResult unsharded = run(List.of(flat.toString()), tmp.getRoot() + "/unsharded", 4,
        0.001, 0, false);
    assertThat(unsharded.images()).allSatisfy(o ->
        assertThat(o.output()).matches(".*/unsharded/p\\d{3}_x2\\.png"));
    // a rerun in two partitions: 70 names each in one folder are found by listing it (a few
    // by stat, as above)
    UpscaleJobResult listed = run(List.of(flat.toString()), tmp.getRoot() + "/unsharded", 1000,
        0.001, 0, false);
    assertThat(listed.skipped()).isEqualTo(140);
    assertThat(listed.tiles()).isZero();
  }

  @Test
  public void inventoriesOfPathsAreListedOnExecutors() throws Exception {
    Path root = tmp.newFolder("inv").toPath();
    for (String rel : List.of("a/p.png", "a/q.jpg", "b/c/r.png")) {
      ArchiveTreeTest.writeImage(store, root.resolve(rel), 3, 10, 14, rel.endsWith(".jpg")
          ? "jpeg" : "png", 8);
    }
    Files.writeString(root.resolve("notes.txt"), "x");
    Path list = root.resolve("paths.txt");
    Files.writeString(list, String.join("\n", "# an inventory", root.resolve("a/p.png").toString(),
        "", "b/c/r.png", root.resolve("a/missing.png").toString(),
        root.resolve("notes.txt").toString()) + "\n");
    String out = tmp.getRoot() + "/inv-out";
    UpscaleJobResult r = UpscaleJob.run(spark(), UpscaleJobConfig.builder().inputs(List.of())
        .inputLists(List.of(list.toString())).output(out).scale(2).model("bicubic").tileSize(16)
        .build());
    assertThat(r.succeeded()).isEqualTo(2);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.ignored()).isEqualTo(1);
    // each path mirrored whole below the output; a relative one is below the inventory's folder
    String mirrored = out + root;
    assertThat(Path.of(mirrored, "a/p_x2.png")).isRegularFile();
    assertThat(Path.of(mirrored, "b/c/r_x2.png")).isRegularFile();
    assertThat(Path.of(mirrored, "a/q_x2.jpg")).doesNotExist();
    assertThat(r.images()).filteredOn(ImageOutcome::isFailed).singleElement()
        .satisfies(o -> assertThat(o.input()).endsWith("/a/missing.png"));

    // the same inventory as Parquet (a column 'path'), written by Spark
    String parquet = tmp.getRoot() + "/paths.parquet";
    spark().createDataset(List.of(root.resolve("a/q.jpg").toString()),
        org.apache.spark.sql.Encoders.STRING()).toDF("path").coalesce(1).write().parquet(parquet);
    UpscaleJobResult q = UpscaleJob.run(spark(), UpscaleJobConfig.builder().inputs(List.of())
        .inputLists(List.of(parquet)).output(out).scale(2).model("bicubic").tileSize(16)
        .build());
    assertThat(q.succeeded()).isEqualTo(1);
    assertThat(Path.of(mirrored, "a/q_x2.jpg")).isRegularFile();
  }

  /**
   * An inventory's hidden names (AppleDouble {@code ._p.png} beside {@code p.png}, as a copy from
   * a Mac leaves them) are ignored rows with the reason a folder walk gives them, not failed
   * reads that make the run's exit code 1.
   */
  @Test
  public void hiddenNamesInAnInventoryAreIgnoredAsInAFolderWalk() throws Exception {
    Path root = tmp.newFolder("inv-hidden").toPath();
    ArchiveTreeTest.writeImage(store, root.resolve("a/p.png"), 3, 10, 14, "png", 8);
    // AppleDouble: a resource-fork header (magic 0x00051607), not an image
    Files.write(root.resolve("a/._p.png"), new byte[] {0, 5, 22, 7, 0, 2, 0, 0, 'M', 'a', 'c',
        ' ', 'O', 'S', ' ', 'X', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    Path list = root.resolve("paths.txt");
    Files.writeString(list, "a/p.png\na/._p.png\n");
    UpscaleJobResult r = UpscaleJob.run(spark(), UpscaleJobConfig.builder().inputs(List.of())
        .inputLists(List.of(list.toString())).output(tmp.getRoot() + "/inv-hidden-out").scale(2)
        .model("bicubic").tileSize(16).build());
    assertThat(r.succeeded()).isEqualTo(1);
    assertThat(r.failed()).as("the run's exit code is 1 when any input failed").isZero();
    assertThat(r.ignored()).isEqualTo(1);
    String walked = io.sparksr.io.InputListing.list(new Configuration(),
        List.of(root.resolve("a").toString())).ignored().get(0).reason();
    assertThat(walked).startsWith("hidden file");
    assertThat(r.images()).filteredOn(ImageOutcome::ignored).singleElement().satisfies(o -> {
      assertThat(o.input()).endsWith("/a/._p.png");
      assertThat(o.reason()).isEqualTo(walked);
    });
  }

  @Test
  public void anInputWithoutImagesIsNamedInTheError() throws Exception {
    Path empty = tmp.newFolder("docs").toPath();
    Files.writeString(empty.resolve("a.txt"), "x");
    Path good = tmp.newFolder("good").toPath();
    ArchiveTreeTest.writeImage(store, good.resolve("a.png"), 3, 8, 8, "png", 8);
    assertThatThrownBy(() -> run(List.of(good.toString(), empty.toString()),
        tmp.getRoot() + "/none", 4, 1, 0, false))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("input '" + empty + "' matches no image file")
        .hasMessageContaining("1 other file(s) found, e.g. a.txt");
  }
}
