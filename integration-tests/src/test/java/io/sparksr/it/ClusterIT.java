package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.model.ModelBundle;
import io.sparksr.partitioning.image.ImageTensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The jobs on a real Spark standalone cluster (master + 2 workers of 1 core, separate JVMs on
 * 127.0.0.1) with inputs and outputs on a real HDFS (MiniDFSCluster), submitted through
 * deploy/spark-submit/standalone.sh (spark-submit with the application jar), as an operator
 * does: prepare, train, upscale, evaluate end to end; then
 * upscale under faults (an executor JVM killed by its PID mid-run, a task that throws once after
 * its side effects) against an undisturbed run, byte for byte; then a re-run that does no
 * inference.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final Path DIR = Path.of("target", "cluster-it-" + System.nanoTime())
      .toAbsolutePath();
  private static MiniHdfs hdfs;
  private static StandaloneCluster cluster;
  private static String base;
  private static FileSystem fs;
  private static ImageStore store;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(DIR);
    long t0 = System.nanoTime();
    hdfs = new MiniHdfs();
    base = hdfs.base();
    fs = FileSystem.get(java.net.URI.create(base), hdfs.conf());
    store = new ImageStore(hdfs.conf());
    cluster = StandaloneCluster.start(DIR, 2, 1, "3g");
    log("HDFS and cluster (master + 2 workers) up in %.1f s", seconds(t0));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (hdfs != null) {
      hdfs.close();
    }
  }

  @Test
  @Order(1)
  void prepareTrainUpscaleEvaluateOnHdfs() throws Exception {
    for (int i = 0; i < 6; i++) {
      store.write(base + "/hr/photo" + i + ".png", photo(96 + 8 * i, 120, i),
          PixelFormat.of("png", 3, 8));
    }
    for (int i = 0; i < 2; i++) {
      store.write(base + "/val/v" + i + ".png", photo(72, 84, 10 + i),
          PixelFormat.of("png", 3, 8));
    }

    long t0 = System.nanoTime();
    Launcher.Run prepare = submit(List.of(), "prepare", "prepare", "--input", base + "/hr",
        "--output", base + "/data", "--scales", "2,3,4", "--patch-size", "16",
        "--val-fraction", "0");
    assertThat(prepare.exitCode()).as(prepare.stderr()).isZero();
    assertThat(fs.exists(new org.apache.hadoop.fs.Path(base + "/data/_SUCCESS"))).isTrue();
    log("prepare on the cluster: %.1f s", seconds(t0));

    t0 = System.nanoTime();
    Launcher.Run train = submit(List.of(), "train", "train", "--data", base + "/data",
        "--output", base + "/model/m.srm", "--max-steps", "3", "--total-steps", "3",
        "--batch-size", "4", "--crop", "16", "--warmup-steps", "1", "--val", base + "/val",
        "--val-every", "3", "--log-every", "1");
    assertThat(train.exitCode()).as(train.stderr()).isZero();
    ModelBundle bundle = ModelBundle.read(hdfs.conf(), base + "/model/m.srm");
    assertThat(bundle.resumable()).isTrue();
    List<String> curve = text(base + "/model/m.srm.curve.csv").lines().toList();
    assertThat(curve.get(curve.size() - 1)).as("curve " + curve).startsWith("3,");
    log("train (3 steps) on the cluster: %.1f s", seconds(t0));

    t0 = System.nanoTime();
    Launcher.Run up = submit(List.of(), "upscale", "upscale", "--input", base + "/hr",
        "--output", base + "/up", "--scale", "3", "--model", base + "/model/m.srm",
        "--tile-size", "80");
    assertThat(up.exitCode()).as(up.stderr()).isZero();
    assertThat(up.stdout()).contains("6 image(s) written, 0 failed");
    for (int i = 0; i < 6; i++) {
      DecodedImage img = store.read(base + "/up/photo" + i + "_x3.png");
      assertThat(img.tensor().width()).isEqualTo(3 * (96 + 8 * i));
      assertThat(img.tensor().height()).isEqualTo(360);
    }
    assertThat(manifestInputs(base + "/up")).hasSize(6);
    log("upscale with the trained bundle from HDFS: %.1f s", seconds(t0));

    t0 = System.nanoTime();
    Launcher.Run eval = submit(List.of(), "evaluate", "evaluate", "--datasets",
        "V=" + base + "/val", "--scales", "2,4", "--models", "bicubic," + base + "/model/m.srm",
        "--output", base + "/eval");
    assertThat(eval.exitCode()).as(eval.stderr()).isZero();
    String summary = text(base + "/eval/summary.csv");
    assertThat(summary.lines().filter(l -> l.contains("bicubic"))).hasSize(2);
    assertThat(summary.lines().filter(l -> l.contains("m.srm") || l.contains("/model/")))
        .hasSize(2);
    assertThat(text(base + "/eval/report.html")).contains("<table");
    log("evaluate (2 models x 2 scales): %.1f s", seconds(t0));
  }

  @Test
  @Order(3)
  void aTreeListedOnExecutorsAndATableOnHdfs() throws Exception {
    // a tree of 3 x 2 folders of 2 photos, listed by the executors in partitions of 3 files
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < 2; i++) {
          store.write(base + "/tree/y" + a + "/m" + b + "/p" + i + ".png",
              photo(40 + 4 * i, 36, 100 + 10 * a + 3 * b + i), PixelFormat.of("png", 3, 8));
        }
      }
    }
    long t0 = System.nanoTime();
    Launcher.Run tree = submit(List.of("spark.hadoop.sparksr.list.files-per-partition=3"),
        "upscale-tree", "upscale", "--input", base + "/tree", "--output", base + "/tree-up",
        "--scale", "2", "--model", "bicubic", "--partition-megapixels", "0.01");
    assertThat(tree.exitCode()).as(tree.stderr()).isZero();
    assertThat(tree.stdout()).contains("12 image(s) written, 0 failed");
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < 2; i++) {
          DecodedImage img = store.read(base + "/tree-up/y" + a + "/m" + b + "/p" + i
              + "_x2.png");
          assertThat(img.tensor().width()).isEqualTo(2 * (40 + 4 * i));
        }
      }
    }
    assertThat(manifestInputs(base + "/tree-up")).hasSize(12);
    log("a tree of 12 photos listed and planned on executors: %.1f s", seconds(t0));

    // a table of 2 files x 3 rows (key, png bytes, caption) written on HDFS with parquet-hadoop
    org.apache.parquet.schema.MessageType schema = org.apache.parquet.schema.MessageTypeParser
        .parseMessageType("message t { required binary key (STRING); optional binary png; "
            + "optional binary caption (STRING); }");
    Path local = Files.createTempDirectory(DIR, "table-");
    for (int f = 0; f < 2; f++) {
      try (org.apache.parquet.hadoop.ParquetWriter<org.apache.parquet.example.data.Group> w =
          org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(
              new org.apache.hadoop.fs.Path(base + "/table/" + f + ".parquet"))
              .withConf(hdfs.conf()).withType(schema).build()) {
        for (int r = 0; r < 3; r++) {
          Path png = local.resolve(f + "-" + r + ".png");
          new ImageStore(new org.apache.hadoop.conf.Configuration()).write(png.toString(),
              photo(30 + r, 20 + f, 300 + 10 * f + r), PixelFormat.of("png", 3, 8));
          w.write(new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema).newGroup()
              .append("key", f + "-" + r)
              .append("png", org.apache.parquet.io.api.Binary.fromConstantByteArray(
                  Files.readAllBytes(png)))
              .append("caption", "photo " + f + "-" + r));
        }
      }
    }
    t0 = System.nanoTime();
    Launcher.Run table = submit(List.of(), "upscale-table", "upscale", "--input",
        base + "/table", "--output", base + "/table-up", "--scale", "2", "--model", "bicubic");
    assertThat(table.exitCode()).as(table.stderr()).isZero();
    assertThat(table.stdout()).contains("6 image(s) written, 0 failed");
    int rows = 0;
    for (int f = 0; f < 2; f++) {
      try (org.apache.parquet.hadoop.ParquetReader<org.apache.parquet.example.data.Group> r =
          org.apache.parquet.hadoop.ParquetReader.builder(
              new org.apache.parquet.hadoop.example.GroupReadSupport(),
              new org.apache.hadoop.fs.Path(base + "/table-up/" + f + ".parquet"))
              .withConf(hdfs.conf()).build()) {
        for (org.apache.parquet.example.data.Group g = r.read(); g != null; g = r.read()) {
          rows++;
          String key = g.getString("key", 0);
          assertThat(g.getString("status", 0)).as(key).isEqualTo("ok");
          assertThat(g.getString("caption", 0)).isEqualTo("photo " + key);
          int row = Integer.parseInt(key.substring(2));
          assertThat(g.getInteger("width", 0)).isEqualTo(2 * (30 + row));
          Path back = local.resolve("back-" + key + ".png");
          Files.write(back, g.getBinary("png", 0).getBytes());
          assertThat(new ImageStore(new org.apache.hadoop.conf.Configuration())
              .read(back.toString()).tensor().height()).isEqualTo(2 * (20 + f));
        }
      }
    }
    assertThat(rows).isEqualTo(6);
    log("a table of 2 files x 3 rows on HDFS: %.1f s", seconds(t0));
  }

  /** Inputs of the fault runs: 8 photos, two of them written as tiled TIFFs from part files. */
  private static final int FAULT_IMAGES = 8;

  private static List<String> faultArgs(String out) {
    return List.of("upscale", "--input", base + "/fi/in", "--output", out, "--scale", "2",
        "--model", "bicubic", "--tile-size", "80", "--partition-megapixels", "0.05",
        "--tiff-threshold-mp", "0.09", "--progress-seconds", "2");
  }

  @Test
  @Order(2)
  void anExecutorKilledMidRunAndATaskFailingOnceChangeNoByte() throws Exception {
    for (int i = 0; i < FAULT_IMAGES; i++) {
      int w = i < 2 ? 192 : 96;
      store.write(base + "/fi/in/img" + i + ".png", photo(w, 128, 20 + i),
          PixelFormat.of("png", 3, 8));
    }
    long t0 = System.nanoTime();
    Launcher.Run clean = submit(List.of(), "fi-clean", faultArgs(base + "/fi/clean")
        .toArray(String[]::new));
    assertThat(clean.exitCode()).as(clean.stderr()).isZero();
    Map<String, byte[]> expected = outputs(base + "/fi/clean");
    assertThat(expected).hasSize(FAULT_IMAGES);
    assertThat(expected.keySet()).contains("img0_x2.tif", "img7_x2.png");
    int tiles = totalTiles(clean.stdout());
    log("undisturbed fault-input run: %.1f s, %d tiles", seconds(t0), tiles);

    // 1. kill one executor JVM (SIGKILL by PID) once a known number of tiles is done
    Path markers = Files.createDirectories(DIR.resolve("markers-kill"));
    int killAt = tiles / 4;
    AtomicLong killed = new AtomicLong(-1);
    AtomicLong doneAtKill = new AtomicLong(-1);
    Thread killer = new Thread(() -> {
      long end = System.nanoTime() + 300_000_000_000L;
      try {
        while (System.nanoTime() < end) {
          long n;
          try (var s = Files.list(markers)) {
            n = s.count();
          }
          if (n >= killAt) {
            List<ProcessHandle> ex = cluster.executors();
            if (!ex.isEmpty()) {
              ProcessHandle victim = ex.get(0);
              doneAtKill.set(n);
              victim.destroyForcibly();
              killed.set(victim.pid());
              return;
            }
          }
          Thread.sleep(20);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "executor-killer");
    killer.start();
    t0 = System.nanoTime();
    Launcher.Run kill = submit(List.of("spark.sparksr.test.tileMarkers=" + markers), "fi-kill",
        faultArgs(base + "/fi/kill").toArray(String[]::new));
    killer.join();
    assertThat(kill.exitCode()).as(kill.stderr()).isZero();
    assertThat(killed.get()).as("an executor was killed").isPositive();
    assertThat(doneAtKill.get()).as("killed mid-run").isLessThan(tiles);
    assertThat(kill.stderr()).containsIgnoringCase("lost executor");
    assertThat(kill.stdout()).contains(FAULT_IMAGES + " image(s) written, 0 failed");
    assertSameBytes(expected, outputs(base + "/fi/kill"));
    assertThat(manifestInputs(base + "/fi/kill")).hasSize(FAULT_IMAGES);
    log("executor %d killed (SIGKILL) after %d of %d tiles: job finished in %.1f s, %d outputs "
        + "byte-identical to the undisturbed run outside the XMP provenance, manifest %d rows, no "
        + "duplicates", killed.get(),
        doneAtKill.get(), tiles, seconds(t0), expected.size(), FAULT_IMAGES);

    // 2. a task that throws once, after its part files are written
    Path once = DIR.resolve("fail-once.marker");
    t0 = System.nanoTime();
    Launcher.Run fail = submit(List.of("spark.sparksr.test.failOnceMarker=" + once),
        "fi-fail-once", faultArgs(base + "/fi/once").toArray(String[]::new));
    assertThat(fail.exitCode()).as(fail.stderr()).isZero();
    assertThat(Files.exists(once)).as("the hook fired").isTrue();
    assertThat(fail.stderr()).contains("failing this task once");
    assertSameBytes(expected, outputs(base + "/fi/once"));
    assertThat(manifestInputs(base + "/fi/once")).hasSize(FAULT_IMAGES);
    log("task failing once: retried, finished in %.1f s, outputs byte-identical", seconds(t0));

    // 3. a re-run of the finished (once disturbed) job does no inference
    Path none = Files.createDirectories(DIR.resolve("markers-rerun"));
    t0 = System.nanoTime();
    Launcher.Run again = submit(List.of("spark.sparksr.test.tileMarkers=" + none), "fi-rerun",
        faultArgs(base + "/fi/kill").toArray(String[]::new));
    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.stdout()).contains("0 image(s) written, 0 failed, " + FAULT_IMAGES
        + " skipped");
    try (var s = Files.list(none)) {
      assertThat(s.count()).as("tiles inferred by the re-run").isZero();
    }
    assertSameBytes(expected, outputs(base + "/fi/kill"));
    log("re-run on the cluster: %.1f s, 0 tiles inferred, %d skipped", seconds(t0),
        FAULT_IMAGES);
  }

  // ---------------------------------------------------------------------------------------------

  private static Launcher.Run submit(List<String> conf, String name, String... args)
      throws Exception {
    return cluster.submit(conf, DIR.resolve(name + ".log"), args);
  }

  /** The image outputs (not hidden, not the manifest) of an output folder, name -> bytes. */
  private static Map<String, byte[]> outputs(String dir) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    for (FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path(dir))) {
      String n = st.getPath().getName();
      if (st.isFile() && !n.startsWith(".") && !n.startsWith("_")) {
        try (FSDataInputStream in = fs.open(st.getPath())) {
          out.put(n, in.readAllBytes());
        }
      }
    }
    return out;
  }

  /**
   * The same files, byte for byte, except inside their XMP packets: those record each run's own
   * provenance (run id, time), which two runs must not share.
   */
  private static void assertSameBytes(Map<String, byte[]> expected, Map<String, byte[]> got) {
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    for (String n : expected.keySet()) {
      boolean png = n.endsWith(".png");
      assertThat(withoutXmp(got.get(n), png)).as(n).isEqualTo(withoutXmp(expected.get(n), png));
      assertThat(got.get(n)).as(n + ": the XMP packet differs in length").hasSameSizeAs(
          expected.get(n));
    }
  }

  /**
   * The bytes with every XMP packet ({@code <?xpacket begin ... end ...?>}) removed; in a PNG also
   * the CRC that follows it (the packet ends its iTXt chunk, whose CRC covers it).
   */
  private static byte[] withoutXmp(byte[] b, boolean png) {
    String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    String stripped = s.replaceAll("(?s)<\\?xpacket begin.*?<\\?xpacket end[^>]*>"
        + (png ? ".{4}" : ""), "");
    return stripped.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** The inputs of the manifest's rows; fails on a duplicated input. */
  private static Set<String> manifestInputs(String dir) throws Exception {
    List<String> lines = text(dir + "/_manifest.csv").lines().toList();
    int col = List.of(lines.get(0).split(",")).indexOf("input");
    assertThat(col).as("manifest header " + lines.get(0)).isNotNegative();
    Set<String> inputs = new HashSet<>();
    List<String> rows = new ArrayList<>(lines.subList(1, lines.size()));
    for (String r : rows) {
      assertThat(inputs.add(r.split(",")[col])).as("duplicate manifest row " + r).isTrue();
      assertThat(r).contains(",ok,");
    }
    return inputs;
  }

  private static int totalTiles(String stdout) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d[\\d,]*) tiles in")
        .matcher(stdout);
    assertThat(m.find()).as(stdout).isTrue();
    return Integer.parseInt(m.group(1).replace(",", ""));
  }

  private static String text(String path) throws Exception {
    try (FSDataInputStream in = fs.open(new org.apache.hadoop.fs.Path(path))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A photo-like RGB image: gradients, an edge pattern, texture and mild noise. */
  private static ImageTensor photo(int w, int h, long seed) {
    Random rnd = new Random(seed);
    float[] d = new float[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double base = 0.5 + 0.25 * Math.sin(x / 13.0 + seed) * Math.cos(y / 9.0);
        double edge = ((x / 17 + y / 11) & 1) == 0 ? 0.12 : -0.12;
        for (int c = 0; c < 3; c++) {
          double v = base + edge * (c == 1 ? -1 : 1) + 0.02 * c + 0.02 * rnd.nextGaussian();
          d[c * w * h + y * w + x] = (float) Math.max(0, Math.min(1, v));
        }
      }
    }
    return new ImageTensor(3, h, w, d);
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void log(String fmt, Object... args) {
    System.out.printf(java.util.Locale.ROOT, "ClusterIT: " + fmt + "%n", args);
  }
}
