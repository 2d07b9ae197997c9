package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * deploy/spark-submit/yarn.sh on a real YARN: a MiniYARNCluster (ResourceManager + NodeManager,
 * containers are real processes) over a MiniDFSCluster in this JVM, a HADOOP_CONF_DIR written for
 * it, Set5 on HDFS, and upscale submitted exactly as an operator does (SPARK_HOME, HADOOP_CONF_DIR,
 * client deploy mode, the production yarn.properties) with the sizes brought down to this machine
 * through SPARKSR_SUBMIT_OPTS. Checked: exit code, each output read back from HDFS with ImageIO
 * (size, and its pixels against the input's), the manifest says ok for every input, and the
 * ResourceManager reports the application FINISHED / SUCCEEDED with a task run in a YARN
 * executor container. Runs bicubic, then the shipped default model.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnIT {
  private static final Path DIR = Path.of("target", "yarn-it-" + System.nanoTime())
      .toAbsolutePath();
  private static final Path SET5 = Launcher.repoRoot().resolve("../shared/datasets/Set5")
      .normalize();
  /**
   * The test's settings over yarn.properties: application master 512m + 384m, one executor of 1
   * core, 1g + 768m (the production sizes need 11g containers); every JVM on 127.0.0.1 (else
   * Spark in the containers binds to eth0's address, the host name resolving to loopback).
   */
  private static final List<String> SMALL = List.of("spark.driver.host=127.0.0.1",
      "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1",
      "spark.executorEnv.SPARK_LOCAL_IP=127.0.0.1", "spark.ui.enabled=false", "spark.driver.memory=2g", "spark.yarn.am.memory=512m",
      "spark.yarn.appMasterEnv.OMP_NUM_THREADS=1", "spark.executor.instances=1",
      "spark.executor.cores=1", "spark.task.cpus=1", "spark.executor.memory=1g",
      "spark.executor.memoryOverhead=768m", "spark.executorEnv.OMP_NUM_THREADS=1");

  private static MiniHdfs hdfs;
  private static MiniYarn yarn;
  private static Path sparkHome;
  private static FileSystem fs;
  private static String base;
  /** Set5 name -> the image as read from the data set. */
  private static final Map<String, BufferedImage> INPUTS = new TreeMap<>();

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(DIR);
    assertThat(SET5).as("Set5 (../shared/datasets/Set5 from the repository root)")
        .isDirectory();
    long t0 = System.nanoTime();
    hdfs = new MiniHdfs();
    base = hdfs.base();
    fs = FileSystem.get(java.net.URI.create(base), hdfs.conf());
    yarn = new MiniYarn(hdfs, DIR.resolve("hadoop-conf"), 4096);
    sparkHome = TestSparkHome.create(DIR.resolve("spark-home"));
    try (Stream<Path> s = Files.list(sparkHome.resolve("jars"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .as("Spark's YARN client in SPARK_HOME/jars (deploy/spark-runtime)")
          .anyMatch(n -> n.startsWith("spark-yarn_2.12-"));
    }
    try (Stream<Path> s = Files.list(SET5)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
        String name = p.getFileName().toString();
        INPUTS.put(name, ImageIO.read(p.toFile()));
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(p.toUri()),
            new org.apache.hadoop.fs.Path(base + "/in/" + name));
      }
    }
    assertThat(INPUTS).hasSize(5);
    log("HDFS + YARN (RM %s) up, Set5 on HDFS in %.1f s",
        yarn.conf().get("yarn.resourcemanager.address"), seconds(t0));
  }

  @AfterAll
  static void stop() {
    if (yarn != null) {
      yarn.close();
    }
    if (hdfs != null) {
      hdfs.close();
    }
    // containers the NodeManager started from this JVM and did not stop (none expected)
    ProcessHandle.current().descendants()
        .filter(h -> h.info().commandLine().orElse("").contains("org.apache.spark."))
        .forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  @Order(1)
  void bicubicUpscaleRunsOnYarn() throws Exception {
    upscaleOnYarn("bicubic", base + "/out-bicubic", 10);
  }

  @Test
  @Order(2)
  void defaultModelUpscaleRunsOnYarn() throws Exception {
    upscaleOnYarn("default", base + "/out-default", 10);
  }

  /**
   * Runs yarn.sh upscale x2 of the five Set5 images with {@code model}; {@code maxMeanDiff} is
   * the largest mean absolute difference (0..255) allowed between an input pixel and the output
   * pixel at twice its coordinates (a black, shifted or garbled output is far above it).
   */
  private static void upscaleOnYarn(String model, String out, double maxMeanDiff)
      throws Exception {
    long t0 = System.nanoTime();
    Launcher.Run run = submit(model, "upscale", "--input", base + "/in", "--output", out,
        "--model", model, "--scale", "2");
    double wall = seconds(t0);
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("5 image(s) written, 0 failed");

    // the application: submitted to this ResourceManager, finished, a task ran in an executor
    Matcher m = Pattern.compile("Submitted application (application_\\d+_\\d+)")
        .matcher(run.stderr());
    assertThat(m.find()).as("spark-submit names the YARN application\n" + run.stderr())
        .isTrue();
    ApplicationId id = ApplicationId.fromString(m.group(1));
    try (YarnClient client = YarnClient.createYarnClient()) {
      client.init(yarn.conf());
      client.start();
      // the RM moves the application to its final state asynchronously after the client-mode
      // driver unregisters and exits: wait for a final state (up to 60 s), then check it
      ApplicationReport app = client.getApplicationReport(id);
      long until = System.nanoTime() + 60_000_000_000L;
      while (!java.util.EnumSet.of(YarnApplicationState.FINISHED, YarnApplicationState.FAILED,
          YarnApplicationState.KILLED).contains(app.getYarnApplicationState())
          && System.nanoTime() < until) {
        Thread.sleep(200);
        app = client.getApplicationReport(id);
      }
      assertThat(app.getName()).isEqualTo("sparksr upscale");
      assertThat(app.getApplicationType()).isEqualTo("SPARK");
      assertThat(app.getYarnApplicationState()).isEqualTo(YarnApplicationState.FINISHED);
      assertThat(app.getFinalApplicationStatus()).isEqualTo(FinalApplicationStatus.SUCCEEDED);
      assertThat(client.getApplications().stream().map(a -> a.getApplicationId().toString()))
          .contains(id.toString());
    }
    Map<String, String> containerLogs = containerStderr(id);
    assertThat(containerLogs.size()).as("containers of " + id + " (application master + "
        + "executor): " + containerLogs.keySet()).isGreaterThanOrEqualTo(2);
    assertThat(containerLogs.values()).as("an executor container ran tasks")
        .anyMatch(s -> s.contains("YarnCoarseGrainedExecutorBackend")
            && s.contains("Finished task"));
    if (!model.equals("bicubic")) {
      assertThat(containerLogs.values()).as("the model ran with ND4J in an executor container")
          .anyMatch(s -> s.contains("ND4J native build") && s.contains("Loaded [CpuBackend]"));
    }

    // the outputs, read back from HDFS with ImageIO
    double worst = 0;
    for (Map.Entry<String, BufferedImage> e : INPUTS.entrySet()) {
      String name = e.getKey().replace(".png", "_x2.png");
      BufferedImage in = e.getValue();
      BufferedImage img;
      try (FSDataInputStream s = fs.open(new org.apache.hadoop.fs.Path(out + "/" + name))) {
        img = ImageIO.read(s);
      }
      assertThat(img).as(name + " decodes").isNotNull();
      assertThat(img.getWidth()).as(name + " width").isEqualTo(2 * in.getWidth());
      assertThat(img.getHeight()).as(name + " height").isEqualTo(2 * in.getHeight());
      double diff = meanDiff(in, img);
      assertThat(diff).as(name + ": mean |input - output at 2x| (0..255)")
          .isLessThan(maxMeanDiff);
      worst = Math.max(worst, diff);
    }

    // the manifest: one ok row per input, with the output's size
    List<String> lines = text(out + "/_manifest.csv").lines().toList();
    List<String> header = List.of(lines.get(0).split(","));
    int input = header.indexOf("input");
    int status = header.indexOf("status");
    int ow = header.indexOf("output_width");
    int oh = header.indexOf("output_height");
    assertThat(List.of(input, status, ow, oh)).as("manifest header " + header)
        .doesNotContain(-1);
    Map<String, String[]> rows = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      assertThat(rows.put(f[input].substring(f[input].lastIndexOf('/') + 1), f))
          .as("duplicate row " + line).isNull();
    }
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(INPUTS.keySet());
    for (Map.Entry<String, String[]> r : rows.entrySet()) {
      BufferedImage in = INPUTS.get(r.getKey());
      assertThat(r.getValue()[status]).as(r.getKey() + " status").isEqualTo("ok");
      assertThat(r.getValue()[ow]).isEqualTo(Integer.toString(2 * in.getWidth()));
      assertThat(r.getValue()[oh]).isEqualTo(Integer.toString(2 * in.getHeight()));
    }
    log("%s: yarn.sh upscale of Set5 x2 on YARN (%s, %d containers): %.1f s wall; largest mean "
        + "|in(x,y) - out(2x,2y)| %.2f of 255", model, id, containerLogs.size(), wall, worst);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * deploy/spark-submit/yarn.sh as an operator runs it: SPARK_HOME, HADOOP_CONF_DIR, the app jar,
   * client deploy mode (the script's default), the production yarn.properties; the sizes of
   * {@link #SMALL} through SPARKSR_SUBMIT_OPTS. Waits for the driver (10 minutes at most).
   */
  private static Launcher.Run submit(String name, String... args) throws Exception {
    Path target = Launcher.repoRoot().resolve("jobs/target");
    File[] jars = target.toFile().listFiles((d, n) -> n.endsWith("-app.jar"));
    if (jars == null || jars.length != 1) {
      throw new IllegalStateException("expected one application jar in " + target);
    }
    StringBuilder opts = new StringBuilder();
    for (String c : SMALL) {
      opts.append(" --conf ").append(c);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Launcher.repoRoot().resolve("deploy/spark-submit/yarn.sh").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Launcher.repoRoot().toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("HADOOP_CONF_DIR", yarn.confDir().toString());
    env.put("SPARKSR_JAR", jars[0].getAbsolutePath());
    env.put("SPARKSR_SUBMIT_OPTS", opts.toString().trim());
    env.put("OMP_NUM_THREADS", "1");
    env.remove("SPARKSR_DEPLOY_MODE");
    env.remove("SPARKSR_PROPERTIES");
    env.remove("YARN_CONF_DIR");
    Path log = DIR.resolve(name + ".log");
    Path err = DIR.resolve(name + ".log.err");
    pb.redirectOutput(log.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IllegalStateException("yarn.sh " + String.join(" ", args) + " timed out; log "
          + err);
    }
    return new Launcher.Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /**
   * The stderr of each container of the application, container id -> text, from the
   * NodeManager's log folder (log aggregation is off: the logs stay on the node).
   */
  private static Map<String, String> containerStderr(ApplicationId id) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (Path logs : yarn.logDirs()) {
      Path app = logs.resolve(id.toString());
      if (!Files.isDirectory(app)) {
        continue;
      }
      try (Stream<Path> s = Files.list(app)) {
        for (Path c : s.filter(Files::isDirectory).toList()) {
          Path stderr = c.resolve("stderr");
          out.put(c.getFileName().toString(), Files.isRegularFile(stderr)
              ? Files.readString(stderr, StandardCharsets.UTF_8) : "");
        }
      }
    }
    return out;
  }

  /** Mean over pixels and RGB of |in(x, y) - out(2x, 2y)|, 0..255. */
  private static double meanDiff(BufferedImage in, BufferedImage out) {
    long sum = 0;
    for (int y = 0; y < in.getHeight(); y++) {
      for (int x = 0; x < in.getWidth(); x++) {
        int a = in.getRGB(x, y);
        int b = out.getRGB(2 * x, 2 * y);
        for (int shift = 0; shift <= 16; shift += 8) {
          sum += Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
        }
      }
    }
    return sum / (3.0 * in.getWidth() * in.getHeight());
  }

  private static String text(String path) throws IOException {
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(path))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void log(String fmt, Object... args) {
    System.out.printf(Locale.ROOT, "YarnIT: " + fmt + "%n", args);
  }
}
