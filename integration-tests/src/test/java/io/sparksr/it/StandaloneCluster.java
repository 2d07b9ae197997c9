package io.sparksr.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on 127.0.0.1 from the Maven-resolved Spark jars: a master and N
 * workers as separate JVMs (ports chosen free), on a {@link TestSparkHome}. Jobs are submitted with
 * deploy/spark-submit/standalone.sh and the application jar, as an operator would.
 * {@link #close} stops executors, workers and master by their PIDs, also after a failure.
 */
final class StandaloneCluster implements AutoCloseable {
  private final Path dir;
  private final Path sparkHome;
  private final int port;
  private final int webPort;
  private final List<Process> daemons = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();

  private StandaloneCluster(Path dir) throws IOException {
    this.dir = dir;
    this.sparkHome = dir.resolve("spark-home");
    this.port = freePort();
    this.webPort = freePort();
  }

  /** Starts a master and {@code workers} workers of {@code cores} cores and {@code memory}. */
  static StandaloneCluster start(Path dir, int workers, int cores, String memory)
      throws Exception {
    StandaloneCluster c = new StandaloneCluster(dir);
    try {
      TestSparkHome.create(c.sparkHome);
      c.daemons.add(c.launch("master", "org.apache.spark.deploy.master.Master", "--host",
          "127.0.0.1", "--port", Integer.toString(c.port), "--webui-port",
          Integer.toString(c.webPort)));
      for (int i = 0; i < workers; i++) {
        Path work = Files.createDirectories(dir.resolve("worker" + i));
        Process w = c.launch("worker" + i, "org.apache.spark.deploy.worker.Worker", "--host",
            "127.0.0.1", "--cores", Integer.toString(cores), "--memory", memory, "--webui-port",
            Integer.toString(freePort()), "--work-dir", work.toString(), c.masterUrl());
        c.daemons.add(w);
        c.workers.add(w);
      }
      c.awaitWorkers(workers, Duration.ofSeconds(90));
      return c;
    } catch (Exception e) {
      c.close();
      throw e;
    }
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + port;
  }

  Path sparkHome() {
    return sparkHome;
  }

  /** The executor JVMs the workers run now (CoarseGrainedExecutorBackend processes). */
  List<ProcessHandle> executors() {
    List<ProcessHandle> out = new ArrayList<>();
    for (Process w : workers) {
      w.toHandle().descendants()
          .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
          .forEach(out::add);
    }
    return out;
  }

  /**
   * Submits {@code sparksr <args>} the way an operator does: {@code deploy/spark-submit/
   * standalone.sh} (its properties file, the Java 17 flags, the app jar) running this SPARK_HOME's
   * {@code bin/spark-submit}; {@code conf} are extra Spark settings (they win). Sized down to
   * the test workers (1 core, 1 GB executors) through SPARKSR_SUBMIT_OPTS. Waits for the driver.
   */
  Launcher.Run submit(List<String> conf, Path log, String... args) throws Exception {
    Path target = Launcher.repoRoot().resolve("jobs/target");
    File[] jars = target.toFile().listFiles((d, n) -> n.endsWith("-app.jar"));
    if (jars == null || jars.length != 1) {
      throw new IllegalStateException("expected one application jar in " + target);
    }
    List<String> opts = new ArrayList<>(List.of("spark.driver.host=127.0.0.1",
        "spark.ui.enabled=false", "spark.executor.cores=1", "spark.task.cpus=1",
        "spark.executor.memory=1g", "spark.driver.memory=2g",
        "spark.executorEnv.OMP_NUM_THREADS=1"));
    opts.addAll(conf);
    StringBuilder submitOpts = new StringBuilder();
    for (String c : opts) {
      submitOpts.append(" --conf ").append(c);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Launcher.repoRoot().resolve("deploy/spark-submit/standalone.sh").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Launcher.repoRoot().toFile());
    env(pb.environment());
    pb.environment().put("SPARKSR_MASTER", masterUrl());
    pb.environment().put("SPARKSR_JAR", jars[0].getAbsolutePath());
    pb.environment().put("SPARKSR_SUBMIT_OPTS", submitOpts.toString().trim());
    pb.environment().put("OMP_NUM_THREADS", "1");
    Path err = Path.of(log + ".err");
    pb.redirectOutput(log.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IllegalStateException("sparksr " + String.join(" ", args) + " timed out; log "
          + err);
    }
    return new Launcher.Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>();
    for (Process d : daemons) {
      d.toHandle().descendants().forEach(all::add);
      all.add(d.toHandle());
    }
    for (ProcessHandle h : all) {
      h.destroy();
    }
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
  }

  private Process launch(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(javaCommand());
    cmd.addAll(List.of("-Xmx512m", "-cp", sparkHome.resolve("jars") + "/*", mainClass));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    env(pb.environment());
    pb.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
    return pb.start();
  }

  private void env(Map<String, String> env) {
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
  }

  private static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String f : System.getProperty("sparksr.java17.flags", "").split("\\s+")) {
      if (!f.isBlank()) {
        cmd.add(f);
      }
    }
    return cmd;
  }

  private void awaitWorkers(int n, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long end = System.nanoTime() + timeout.toNanos();
    Pattern alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
    String last = "";
    while (System.nanoTime() < end) {
      for (Process d : daemons) {
        if (!d.isAlive()) {
          throw new IllegalStateException("a cluster daemon exited; see the logs in " + dir);
        }
      }
      try {
        last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort
            + "/json/")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = alive.matcher(last);
        if (m.find() && Integer.parseInt(m.group(1)) >= n) {
          return;
        }
      } catch (IOException e) {
        // master not up yet
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(n + " workers did not register within " + timeout
        + "; master says " + last + "; logs in " + dir);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
