package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.pipeline.ImageOutcome;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * An archive as users have them: a tree of folders with the same file names in many of them,
 * hidden folders, sidecars and formats that are not read. Every file found is accounted for, and
 * every output sits at its input's path below the input root.
 */
public class ArchiveTreeTest extends SharedSpark {
  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private final ImageStore store = new ImageStore(new Configuration());

  private void image(Path p, int c, int h, int w, String format, int bits) throws Exception {
    writeImage(store, p, c, h, w, format, bits);
  }

  /** A c x h x w image of smooth content seeded by its path, written as {@code format}. */
  static void writeImage(ImageStore store, Path p, int c, int h, int w, String format, int bits)
      throws Exception {
    Files.createDirectories(p.getParent());
    Random rnd = new Random(p.toString().hashCode());
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (0.5 + 0.3 * Math.sin(i * 0.01) + 0.1 * rnd.nextFloat());
    }
    store.write(p.toString(), new ImageTensor(c, h, w, d), PixelFormat.of(format, c, bits));
  }

  private static void text(Path p, String s) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, s);
  }

  private Path archive() throws Exception {
    Path root = tmp.newFolder("archive").toPath();
    image(root.resolve("top.png"), 3, 20, 24, "png", 8);
    image(root.resolve("2019/trip/IMG_0001.jpg"), 3, 24, 32, "jpeg", 8);
    image(root.resolve("2020/trip/IMG_0001.jpg"), 3, 30, 20, "jpeg", 8);
    image(root.resolve("2020/trip/deep/er/scan.tif"), 1, 18, 22, "tiff", 16);
    text(root.resolve("2020/trip/IMG_0001.xmp"), "<x:xmpmeta/>");
    text(root.resolve("2020/notes.txt"), "notes");
    text(root.resolve("2020/IMG_0002.HEIC"), "not really heic");
    image(root.resolve(".hidden/h.png"), 3, 8, 8, "png", 8);
    image(root.resolve("2019/_tmp/t.png"), 3, 8, 8, "png", 8);
    Files.createSymbolicLink(root.resolve("2019/loop"), root.resolve("2019"));
    return root;
  }

  private static Map<String, ImageOutcome> byRelative(UpscaleJobResult r) {
    return r.images().stream().collect(Collectors.toMap(ImageOutcome::relative, o -> o,
        (a, b) -> {
          throw new AssertionError("two rows for " + a.relative());
        }, TreeMap::new));
  }

  @Test
  public void outputsMirrorTheTreeAndEveryFileFoundIsAccountedFor() throws Exception {
    Path root = archive();
    String out = tmp.getRoot() + "/out";
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(root.toString())).output(out)
        .scale(2).model("bicubic").tileSize(16).partitionMegapixels(0.01).build();
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);

    Map<String, ImageOutcome> rows = byRelative(r);
    assertThat(rows.keySet()).containsExactly(".hidden", "2019/_tmp/t.png", "2019/loop",
        "2019/trip/IMG_0001.jpg", "2020/IMG_0002.HEIC", "2020/notes.txt",
        "2020/trip/IMG_0001.jpg", "2020/trip/IMG_0001.xmp", "2020/trip/deep/er/scan.tif",
        "top.png");
    for (String img : List.of("top.png", "2019/_tmp/t.png", "2019/trip/IMG_0001.jpg",
        "2020/trip/IMG_0001.jpg", "2020/trip/deep/er/scan.tif")) {
      assertThat(rows.get(img).status()).as("%s: %s", img, rows.get(img).reason())
          .isEqualTo(ImageOutcome.OK);
    }
    assertThat(new File(out, "top_x2.png")).exists();
    assertThat(new File(out, "2019/trip/IMG_0001_x2.jpg")).exists();
    assertThat(new File(out, "2020/trip/IMG_0001_x2.jpg")).exists();
    assertThat(store.info(out + "/2020/trip/deep/er/scan_x2.tif").width()).isEqualTo(44);
    assertThat(store.read(out + "/2020/trip/deep/er/scan_x2.tif").format().bitDepth())
        .isEqualTo(16);
    assertThat(rows.get("2020/trip/IMG_0001.xmp").reason()).contains("sidecar");
    assertThat(rows.get("2020/IMG_0002.HEIC").reason()).contains("HEIC");
    assertThat(rows.get("2020/notes.txt").reason()).contains("not an image");
    assertThat(rows.get("2019/loop").reason()).contains("link to a folder");
    assertThat(rows.get(".hidden").reason()).contains("hidden folder").contains("not walked");
    assertThat(r.ignored()).isEqualTo(5);
    // found = ok + failed + skipped + ignored
    assertThat(r.succeeded() + r.failed() + r.skipped() + r.ignored()).isEqualTo(rows.size());
    assertThat(r.summary()).contains("5 image(s) written, 0 failed, 0 skipped, 5 ignored "
        + "(10 files found)").contains("ignored 2: sidecar or document, not an image");
    // nothing of the hidden folder was read or written; '_' is an ordinary first character
    assertThat(new File(out, ".hidden")).doesNotExist();
    assertThat(new File(out, "2019/_tmp/t_x2.png")).exists();

    List<Row> manifest = spark().read().parquet(out + "/" + UpscaleJob.MANIFEST_PARQUET)
        .select("relative_path", "status").collectAsList();
    assertThat(manifest).hasSize(10);
    assertThat(HadoopFiles.readText(new Configuration(), r.manifest()))
        .contains(",2020/trip/deep/er/scan.tif,");

    // a second run does no work: every image skipped, nothing inferred
    UpscaleJobResult again = UpscaleJob.run(spark(), cfg);
    assertThat(again.skipped()).isEqualTo(5);
    assertThat(again.succeeded()).isZero();
    assertThat(again.tiles()).isZero();
    assertThat(again.ignored()).isEqualTo(5);
  }

  /**
   * A folder the run cannot list (a user's {@code lost+found}; here a file system that denies it,
   * as tests run as root) is one ignored row with the reason, whether the driver meets it while
   * expanding the top levels or an executor's walk does below them; the rest of the tree is
   * upscaled.
   */
  @Test
  public void aFolderThatCannotBeListedIsAnIgnoredRowAndTheRestIsUpscaled() throws Exception {
    Path root = tmp.newFolder("denied").toPath();
    image(root.resolve("top.png"), 3, 12, 14, "png", 8);
    image(root.resolve("locked/a.png"), 3, 12, 14, "png", 8);
    image(root.resolve("2020/trip/x/y/b.png"), 3, 12, 14, "png", 8);
    image(root.resolve("2020/trip/x/y/locked/c.png"), 3, 12, 14, "png", 8);
    String out = tmp.getRoot() + "/denied-out";
    UpscaleJobResult r = UpscaleJob.run(spark(), UpscaleJobConfig.builder()
        .inputs(List.of(io.sparksr.io.DenyingFileSystem.path(root))).output(out).scale(2)
        .model("bicubic").tileSize(16).build());
    Map<String, ImageOutcome> rows = byRelative(r);
    assertThat(rows.keySet()).containsExactly("2020/trip/x/y/b.png", "2020/trip/x/y/locked",
        "locked", "top.png");
    for (String folder : List.of("locked", "2020/trip/x/y/locked")) {
      assertThat(rows.get(folder).status()).isEqualTo(ImageOutcome.IGNORED);
      assertThat(rows.get(folder).reason()).isEqualTo("cannot list folder: permission denied");
    }
    assertThat(r.succeeded()).isEqualTo(2);
    assertThat(r.failed()).isZero();
    assertThat(r.ignored()).isEqualTo(2);
    assertThat(r.summary()).contains("2 ignored")
        .contains("ignored 2: cannot list folder: permission denied");
    assertThat(new File(out, "2020/trip/x/y/b_x2.png")).exists();
    List<Row> manifest = spark().read().parquet(out + "/" + UpscaleJob.MANIFEST_PARQUET)
        .where("status = 'ignored'").select("relative_path", "reason").collectAsList();
    assertThat(manifest).extracting(row -> row.getString(0) + ": " + row.getString(1))
        .containsExactlyInAnyOrder("locked: cannot list folder: permission denied",
            "2020/trip/x/y/locked: cannot list folder: permission denied");
  }

  @Test
  public void twoRootsWithTheSamePathsCollideByName() throws Exception {
    Path a = tmp.newFolder("a").toPath();
    Path b = tmp.newFolder("b").toPath();
    image(a.resolve("x/p.png"), 3, 10, 10, "png", 8);
    image(b.resolve("x/p.png"), 3, 12, 12, "png", 8);
    image(b.resolve("x/q.png"), 3, 12, 12, "png", 8);
    String out = tmp.getRoot() + "/out2";
    UpscaleJobResult r = UpscaleJob.run(spark(), UpscaleJobConfig.builder()
        .inputs(List.of(a.toString(), b.toString())).output(out).scale(2).model("bicubic")
        .tileSize(16).build());
    assertThat(r.succeeded()).isEqualTo(2);
    assertThat(r.failed()).isEqualTo(1);
    ImageOutcome failed = r.images().stream().filter(ImageOutcome::isFailed).findFirst()
        .orElseThrow();
    assertThat(failed.reason()).contains("collides with that of").contains("/a/x/p.png");
    assertThat(failed.input()).endsWith("/b/x/p.png");
  }

  @Test
  public void flatWritesEveryOutputIntoTheOutputFolder() throws Exception {
    Path root = archive();
    String out = tmp.getRoot() + "/flat";
    UpscaleJobResult r = UpscaleJob.run(spark(), UpscaleJobConfig.builder()
        .inputs(List.of(root.toString())).output(out).scale(2).model("bicubic").tileSize(16)
        .flat(true).build());
    assertThat(new File(out, "top_x2.png")).exists();
    assertThat(new File(out, "scan_x2.tif")).exists();
    assertThat(new File(out, "IMG_0001_x2.jpg")).exists();
    // the two IMG_0001.jpg of different folders collide in a flat layout: the second fails
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.images().stream().filter(ImageOutcome::isFailed).findFirst().orElseThrow()
        .reason()).contains("collides");
  }

  /** Odd folder names reach the output side as mirrored folders, never outside the output. */
  @Test
  public void hostileFolderNamesStayInsideTheOutput() throws Exception {
    Path root = tmp.newFolder("odd").toPath();
    image(root.resolve("\u00e9v\u00e9nement/new\nline/a.png"), 3, 10, 10, "png", 8);
    image(root.resolve(".../b.png"), 3, 10, 10, "png", 8);
    image(root.resolve("-rf/x..c.png"), 3, 10, 10, "png", 8);
    List<String> before;
    try (var s = Files.list(tmp.getRoot().toPath())) {
      before = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    String out = tmp.getRoot() + "/odd-out";
    UpscaleJobResult r = UpscaleJob.run(spark(), UpscaleJobConfig.builder()
        .inputs(List.of(root.toString())).output(out).scale(2).model("bicubic").tileSize(16)
        .build());
    assertThat(r.failed()).as(r.summary()).isZero();
    assertThat(new File(out, "\u00e9v\u00e9nement/new\nline/a_x2.png")).exists();
    assertThat(new File(out, "...")).as("'...' is a hidden name: not read").doesNotExist();
    assertThat(r.images()).filteredOn(ImageOutcome::ignored).singleElement()
        .satisfies(o -> assertThat(o.relative() + ": " + o.reason())
            .isEqualTo("...: hidden folder (name starts with '.'): not walked"));
    assertThat(r.succeeded()).isEqualTo(2);
    assertThat(new File(out, "-rf/x..c_x2.png")).exists();
    List<String> after;
    try (var s = Files.list(tmp.getRoot().toPath())) {
      after = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("odd-out")).sorted()
          .toList();
    }
    assertThat(after).isEqualTo(before);
  }
}
