package io.sparksr.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.network.util.JavaUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The operator files under deploy/: every shell script parses, the spark-submit scripts build
 * the right command (checked in print-only mode and through a fake spark-submit), the properties
 * files hold only Spark keys whose values parse and follow the sizing rules written in their
 * comments, and the job options the scripts add or ship are accepted by the jobs' own parser.
 */
class DeployFilesTest {
  private static final Path ROOT =
      Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath().normalize();
  private static final Path SUBMIT = ROOT.resolve("deploy/spark-submit");
  private static final long GIB = 1024L * 1024 * 1024;

  @TempDir
  static Path tmp;
  private static Path sparkHome;
  private static Path jar;

  @BeforeAll
  static void fakeSparkAndJar() throws IOException {
    sparkHome = tmp.resolve("spark");
    Path bin = Files.createDirectories(sparkHome.resolve("bin"));
    // prints its arguments NUL-separated, so the test sees exactly what spark-submit would get
    Files.writeString(bin.resolve("spark-submit"),
        "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\"\n");
    assertThat(bin.resolve("spark-submit").toFile().setExecutable(true)).isTrue();
    jar = Files.writeString(tmp.resolve("sparksr-jobs-test-app.jar"), "not a jar");
  }

  // ---------------------------------------------------------------- (a) every script parses

  @Test
  void everyShellScriptUnderDeployPassesBashN() throws Exception {
    List<Path> scripts;
    try (Stream<Path> s = Files.walk(ROOT.resolve("deploy"))) {
      scripts = s.filter(p -> p.toString().endsWith(".sh"))
          .filter(p -> !p.toString().contains("/target/")).sorted().toList();
    }
    assertThat(scripts).extracting(p -> ROOT.relativize(p).toString()).contains(
        "deploy/native-env.sh", "deploy/gpu/get-gpus-resources.sh", "deploy/docker/entrypoint.sh",
        "deploy/spark-submit/common.sh", "deploy/spark-submit/standalone.sh",
        "deploy/spark-submit/yarn.sh", "deploy/spark-submit/k8s.sh");
    for (Path p : scripts) {
      Run r = exec(List.of("bash", "-n", p.toString()), Map.of());
      assertThat(r.exit).as("bash -n %s: %s", p, r.err).isZero();
    }
  }

  // ------------------------------------------------------- (b) the spark-submit command lines

  @ParameterizedTest(name = "{0} gpu={1}")
  @CsvSource({"standalone, false, spark://m.example:7077, client",
      "yarn, false, yarn, client", "k8s, false, k8s://https://api.example:6443, cluster",
      "standalone, true, spark://m.example:7077, client", "yarn, true, yarn, client",
      "k8s, true, k8s://https://api.example:6443, cluster"})
  void theScriptSubmitsTheJobWithTheTargetsSettings(String target, boolean gpu, String master,
      String mode) throws Exception {
    Map<String, String> env = env(target, gpu);
    String[] job = {"upscale", "--input", "hdfs:///in/", "--output", "hdfs:///out put/"};

    List<String> printed = printed(target, env, job);
    List<String> submitted = submitted(target, env, job);
    assertThat(printed.get(0)).isEqualTo(sparkHome.resolve("bin/spark-submit").toString());
    assertThat(submitted).as("what spark-submit receives = what --dry-run prints")
        .isEqualTo(printed.subList(1, printed.size()));

    assertThat(after(submitted, "--master")).isEqualTo(master);
    assertThat(after(submitted, "--deploy-mode")).isEqualTo(mode);
    assertThat(after(submitted, "--properties-file"))
        .isEqualTo(SUBMIT.resolve(target + ".properties").toString());
    int cls = submitted.indexOf("--class");
    String expectedJar = target.equals("k8s") ? "local:///opt/sparksr/jars/sparksr-jobs-app.jar"
        : jar.toString();
    assertThat(submitted.subList(cls, cls + 4))
        .containsExactly("--class", "io.sparksr.jobs.SparkSr", expectedJar, "upscale");

    Map<String, String> conf = confs(submitted);
    String flags = pomJava17Flags();
    String driver = conf.get("spark.driver.extraJavaOptions");
    String executor = conf.get("spark.executor.extraJavaOptions");
    assertThat(driver).startsWith(flags + " ");
    assertThat(executor).startsWith(flags + " ");
    Properties targetProps = load(SUBMIT.resolve(target + ".properties"));
    Properties gpuProps = load(SUBMIT.resolve("gpu.properties"));
    assertThat(driver).contains(targetProps.getProperty("spark.driver.extraJavaOptions"));
    assertThat(executor).endsWith(" " + (gpu ? gpuProps : targetProps)
        .getProperty("spark.executor.extraJavaOptions"));
    // executors choose their ND4J build themselves; the driver gets it only when it runs here
    assertThat(executor).doesNotContain("platform.extension");
    assertThat(driver.contains("-Dorg.bytedeco.javacpp.platform.extension="))
        .isEqualTo(mode.equals("client") && !gpu);

    List<String> jobArgs = submitted.subList(cls + 3, submitted.size());
    if (gpu) {
      for (String key : gpuProps.stringPropertyNames()) {
        if (!key.endsWith("extraJavaOptions")) {
          assertThat(conf).containsEntry(key, gpuProps.getProperty(key));
        }
      }
      assertThat(jobArgs).endsWith("--forward-permits", "1");
      assertThat(conf.containsKey("spark.driver.resource.gpu.amount"))
          .isEqualTo(mode.equals("cluster"));
    } else {
      assertThat(jobArgs).doesNotContain("--forward-permits");
      assertThat(conf).doesNotContainKey("spark.executor.resource.gpu.amount");
    }
    if (target.equals("k8s")) {
      assertThat(conf).containsEntry("spark.kubernetes.container.image", "registry.example/sr:1")
          .containsEntry("spark.kubernetes.namespace", "sparksr");
      String template = conf.get("spark.kubernetes.executor.podTemplateFile");
      assertThat(template).endsWith(gpu ? "executor-gpu.yaml" : "executor-cpu.yaml");
      assertThat(Path.of(template)).exists();
    }
    assertThat(parsesAsJob(jobArgs)).isEqualTo("upscale");
  }

  @Test
  void gpuUpscaleKeepsTheUsersForwardPermitsAndDryRunAfterTheJobIsTheJobsOption()
      throws Exception {
    List<String> a = submitted("yarn", env("yarn", true),
        "upscale", "--input", "i", "--output", "o", "--forward-permits=2", "--dry-run");
    List<String> jobArgs = a.subList(a.indexOf("upscale"), a.size());
    assertThat(jobArgs).containsExactly("upscale", "--input", "i", "--output", "o",
        "--forward-permits=2", "--dry-run");
    assertThat(parsesAsJob(jobArgs)).isEqualTo("upscale");
  }

  @Test
  void prepareRunsOneTaskPerCoreAndTrainTakesTheClusterYaml() throws Exception {
    List<String> prepare = submitted("yarn", env("yarn", false), "prepare", "--input", "i",
        "--output", "o");
    assertThat(confs(prepare)).containsEntry("spark.task.cpus", "1");
    String yaml = SUBMIT.resolve("train.yaml").toString();
    List<String> train = submitted("standalone", env("standalone", false), "train", "--config",
        yaml, "--data", "d", "--output", "o.srm");
    assertThat(confs(train)).doesNotContainKey("spark.task.cpus");  // the properties file's 2
    assertThat(parsesAsJob(train.subList(train.indexOf("train"), train.size()))).isEqualTo("train");
  }

  @Test
  void mistakesStopTheScriptWithAClearMessage() throws Exception {
    Map<String, String> env = env("yarn", false);
    assertError("yarn", without(env, "SPARK_HOME"), "SPARK_HOME is not set", "upscale");
    assertError("yarn", with(env, "SPARK_HOME", tmp.resolve("nowhere").toString()),
        "has no executable bin/spark-submit", "upscale");
    assertError("yarn", with(env, "SPARKSR_JAR", tmp.resolve("missing.jar").toString()),
        "missing.jar does not exist", "upscale");
    assertError("yarn", without(with(env, "SPARKSR_GPU", "1"), "SPARKSR_JAR"),
        "SPARKSR_GPU=1 needs SPARKSR_JAR", "upscale");
    assertError("yarn", env, "unknown job 'resize'", "resize");
    assertError("yarn", env, "usage:");
    assertError("yarn", env, "do not pass --master to the job", "upscale", "--master", "local");
    assertError("yarn", env, "sets 'master: local[2]'", "train", "--config",
        ROOT.resolve("conf/train/default.yaml").toString());
    assertError("standalone", without(env("standalone", false), "SPARKSR_MASTER"),
        "SPARKSR_MASTER is not set", "upscale");
    assertError("k8s", without(env("k8s", false), "SPARKSR_IMAGE"), "SPARKSR_IMAGE is not set",
        "upscale");
  }

  // ------------------------------------------------------------------- (c) properties files

  @Test
  void everyPropertiesFileHoldsSparkKeysWithValuesThatParse() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(SUBMIT)) {
      files = s.filter(p -> p.toString().endsWith(".properties")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString()).contains("standalone.properties",
        "yarn.properties", "k8s.properties", "gpu.properties", "standalone-worker-gpu.properties");
    for (Path f : files) {
      List<String> keys = new ArrayList<>();
      for (String line : Files.readAllLines(f)) {
        assertThat(line).as("%s: no trailing blanks or continuation lines", f)
            .doesNotEndWith(" ").doesNotEndWith("\t").doesNotEndWith("\\");
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#") && !t.startsWith("!")) {
          keys.add(t.split("[\\s=:]", 2)[0]);
        }
      }
      assertThat(keys).as("%s: duplicated keys", f).doesNotHaveDuplicates();
      Properties p = load(f);
      assertThat(p.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(keys);
      // the scripts' own reader (common.sh sparksr_props) must see the same key/value pairs
      assertThat(scriptReader(f)).isEqualTo(asMap(p));
      for (String key : keys) {
        assertThat(key).as(f + ": Spark keys only").startsWith("spark.");
        BiConsumer<String, String> check = CHECKS.get(key);
        if (check == null) {
          fail(f + ": no check for " + key + " in DeployFilesTest.CHECKS; add one");
        }
        check.accept(key, p.getProperty(key));
      }
    }
  }

  @ParameterizedTest(name = "{0} gpu={1}")
  @CsvSource({"standalone, false", "yarn, false", "k8s, false", "standalone, true",
      "yarn, true", "k8s, true"})
  void sizingFollowsTheRulesInTheComments(String target, boolean gpu) throws Exception {
    Properties p = load(SUBMIT.resolve(target + ".properties"));
    if (gpu) {
      p.putAll(load(SUBMIT.resolve("gpu.properties")));  // what the scripts' --conf layer does
    }
    int cores = Integer.parseInt(p.getProperty("spark.executor.cores"));
    int taskCpus = Integer.parseInt(p.getProperty("spark.task.cpus"));
    int omp = Integer.parseInt(p.getProperty("spark.executorEnv.OMP_NUM_THREADS"));
    assertThat(cores % taskCpus).isZero();
    int slots = cores / taskCpus;
    if (gpu) {
      double perTask = Double.parseDouble(p.getProperty("spark.task.resource.gpu.amount"));
      assertThat(slots).as("tasks sharing one GPU").isEqualTo((int) Math.round(1 / perTask));
    }
    assertThat(omp * slots).as("OMP threads x task slots = executor cores").isEqualTo(cores);

    Map<String, String> ex = javaOptions(p.getProperty("spark.executor.extraJavaOptions"));
    int lanes = Integer.parseInt(ex.get("io.sparksr.model.lanes"));
    assertThat(lanes).as("one lane per GPU, else one per task slot").isEqualTo(gpu ? 1 : slots);
    // each lane caches up to maxbytes / 4: the caches may take at most half of maxbytes
    assertThat(lanes).isLessThanOrEqualTo(2);
    checkMemory(target, p, "executor", ex);
    checkMemory(target, p, "driver", javaOptions(p.getProperty("spark.driver.extraJavaOptions")));
  }

  private static void checkMemory(String target, Properties p, String who,
      Map<String, String> opts) {
    long heap = JavaUtils.byteStringAsBytes(p.getProperty("spark." + who + ".memory"));
    long maxBytes = javacppBytes(opts.get("org.bytedeco.javacpp.maxbytes"));
    long maxPhysical = javacppBytes(opts.get("org.bytedeco.javacpp.maxphysicalbytes"));
    assertThat(heap + maxBytes).as(who + ": heap + maxbytes <= maxphysicalbytes")
        .isLessThanOrEqualTo(maxPhysical);
    String overhead = p.getProperty("spark." + who + ".memoryOverhead");
    if (target.equals("standalone")) {
      assertThat(overhead).as("standalone ignores memoryOverhead").isNull();
    } else {
      assertThat(overhead).as(target + " " + who + " memoryOverhead").isNotNull();
      // Spark reads a bare number as MiB; ours carry a unit
      assertThat(heap + JavaUtils.byteStringAsBytes(overhead))
          .as(who + ": the container stays 1g above maxphysicalbytes")
          .isGreaterThanOrEqualTo(maxPhysical + GIB);
    }
  }

  @Test
  void theJava17FlagsHaveOneSource() throws Exception {
    Run r = exec(List.of("bash", "-c",
        ". \"$1\"; printf %s \"$SPARKSR_JAVA17_FLAGS\"", "bash",
        ROOT.resolve("deploy/native-env.sh").toString()), Map.of());
    assertThat(r.exit).isZero();
    assertThat(r.out.strip().split("\\s+")).containsExactly(pomJava17Flags().split(" "));
    try (Stream<Path> s = Files.walk(ROOT.resolve("deploy"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".properties")).toList()) {
        assertThat(Files.readString(f)).as(f.toString()).doesNotContain("--add-opens");
      }
    }
  }

  @Test
  void jobYamlsUnderDeployLoadWithTheirJobAndLeaveTheMasterToSparkSubmit() throws Exception {
    List<Path> yamls;
    try (Stream<Path> s = Files.list(SUBMIT)) {
      yamls = s.filter(p -> p.toString().endsWith(".yaml")).toList();
    }
    assertThat(yamls).isNotEmpty();
    for (Path y : yamls) {
      String job = y.getFileName().toString().split("[.-]", 2)[0];
      String[] args = {job, "--config", y.toString()};
      CommandLine cli = SparkSr.commandLine(args);  // unknown keys throw here
      CommandLine.ParseResult pr = cli.parseArgs(args);
      CommandLine sub = pr.subcommand().commandSpec().commandLine();
      assertThat(sub.getCommandName()).isEqualTo(job);
      Object master = sub.getCommandSpec().findOption("--master").getValue();
      assertThat(master).as(y + ": the master is spark-submit's").isNull();
    }
  }

  @Test
  void podTemplatesAndImages() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (String t : List.of("executor-cpu.yaml", "executor-gpu.yaml", "driver-gpu.yaml")) {
      JsonNode pod = yaml.readTree(ROOT.resolve("deploy/k8s").resolve(t).toFile());
      assertThat(pod.path("kind").asText()).isEqualTo("Pod");
      JsonNode limit = pod.path("spec").path("containers").path(0).path("resources")
          .path("limits").path("nvidia.com/gpu");
      assertThat(limit.isMissingNode()).as(t).isEqualTo(!t.contains("gpu"));
      if (t.contains("gpu")) {
        assertThat(limit.asInt()).isEqualTo(1);
      }
    }
    for (String d : List.of("Dockerfile.cpu", "Dockerfile.cuda")) {
      String text = Files.readString(ROOT.resolve("deploy/docker").resolve(d));
      assertThat(text).contains("ENTRYPOINT [\"/opt/sparksr/deploy/docker/entrypoint.sh\"]")
          .contains("COPY deploy/ /opt/sparksr/deploy/")
          .contains("/opt/sparksr/jars/sparksr-jobs-app.jar");
      Matcher m = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(text);
      while (m.find()) {
        if (!m.group(1).contains("*")) {
          assertThat(ROOT.resolve(m.group(1))).as(d + " copies").exists();
        }
      }
    }
    // the discovery script the images and gpu.properties point at is the shipped one
    String script = load(SUBMIT.resolve("gpu.properties"))
        .getProperty("spark.executor.resource.gpu.discoveryScript");
    assertThat(script).startsWith("/opt/sparksr/");
    assertThat(ROOT.resolve(script.substring("/opt/sparksr/".length())).toFile().canExecute())
        .isTrue();
  }

  // ---------------------------------------------------------------------------- the checks

  private static final Pattern JAVACPP_BYTES =
      Pattern.compile("(\\d+)\\s*(%|[tgmk]b?)?", Pattern.CASE_INSENSITIVE);
  private static final Map<String, BiConsumer<String, String>> CHECKS = new HashMap<>();

  static {
    BiConsumer<String, String> memory = (k, v) -> assertThat(JavaUtils.byteStringAsMb(v))
        .as(k + "=" + v).isPositive();
    BiConsumer<String, String> positiveInt = (k, v) -> assertThat(Integer.parseInt(v))
        .as(k).isPositive();
    BiConsumer<String, String> script = (k, v) -> {
      assertThat(v).as(k).startsWith("/opt/sparksr/deploy/gpu/");
      assertThat(ROOT.resolve(v.substring("/opt/sparksr/".length()))).as(k).exists();
    };
    BiConsumer<String, String> jvmOptions = (k, v) -> {
      assertThat(v).as(k + ": Java 17 flags come from deploy/native-env.sh")
          .doesNotContain("--add-opens");
      assertThat(v).as(k + ": executors choose their ND4J build (NativeBackend)")
          .doesNotContain("platform.extension");
      // SparkConf.validateSettings rejects any extraJavaOptions containing "-Dspark" (so also
      // -Dsparksr.*): found by ClusterIT on a real cluster
      assertThat(v).as(k + ": Spark refuses options containing -Dspark").doesNotContain("-Dspark");
      javaOptions(v);
    };
    for (String k : List.of("spark.executor.memory", "spark.executor.memoryOverhead",
        "spark.driver.memory", "spark.driver.memoryOverhead")) {
      CHECKS.put(k, memory);
    }
    for (String k : List.of("spark.executor.cores", "spark.task.cpus", "spark.executor.instances",
        "spark.driver.cores", "spark.executor.resource.gpu.amount", "spark.yarn.maxAppAttempts",
        "spark.worker.resource.gpu.amount", "spark.executorEnv.OMP_NUM_THREADS",
        "spark.yarn.appMasterEnv.OMP_NUM_THREADS", "spark.kubernetes.driverEnv.OMP_NUM_THREADS")) {
      CHECKS.put(k, positiveInt);
    }
    CHECKS.put("spark.task.resource.gpu.amount", (k, v) -> assertThat(Double.parseDouble(v))
        .as(k + ": Spark takes fractions <= 0.5").isPositive().isLessThanOrEqualTo(0.5));
    CHECKS.put("spark.executor.resource.gpu.vendor", (k, v) -> assertThat(v)
        .isEqualTo("nvidia.com"));
    CHECKS.put("spark.executor.resource.gpu.discoveryScript", script);
    CHECKS.put("spark.worker.resource.gpu.discoveryScript", script);
    CHECKS.put("spark.executor.extraJavaOptions", jvmOptions);
    CHECKS.put("spark.driver.extraJavaOptions", jvmOptions);
  }

  /** -Dkey=value options: only the ones the jobs read, each value parsed. */
  private static Map<String, String> javaOptions(String v) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String token : v.strip().split("\\s+")) {
      assertThat(token).as("only -D options").startsWith("-D").contains("=");
      String key = token.substring(2, token.indexOf('='));
      String value = token.substring(token.indexOf('=') + 1);
      switch (key) {
        case "org.bytedeco.javacpp.maxbytes", "org.bytedeco.javacpp.maxphysicalbytes" ->
            assertThat(javacppBytes(value)).as(token).isPositive();
        case "io.sparksr.model.lanes" -> assertThat(Integer.parseInt(value)).as(token).isPositive();
        default -> fail("unexpected JVM option " + token);
      }
      assertThat(out.put(key, value)).as("repeated " + key).isNull();
    }
    return out;
  }

  /** JavaCPP 1.5.7 Pointer.parseBytes syntax: digits and an optional %, k, m, g, t (+b). */
  private static long javacppBytes(String v) {
    Matcher m = JAVACPP_BYTES.matcher(v.strip());
    assertThat(m.matches()).as("JavaCPP byte size '%s'", v).isTrue();
    assertThat(m.group(2)).as("'%s': give a unit, not %% of the heap", v).isNotNull()
        .isNotEqualTo("%");
    long n = Long.parseLong(m.group(1));
    return switch (Character.toLowerCase(m.group(2).charAt(0))) {
      case 'k' -> n << 10;
      case 'm' -> n << 20;
      case 'g' -> n << 30;
      default -> n << 40;
    };
  }

  // ------------------------------------------------------------------------------- helpers

  private record Run(int exit, String out, String err) {}

  private static Run exec(List<String> cmd, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("SPARKSR_") || k.equals("SPARK_HOME"));
    e.putAll(env);
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + cmd);
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Map<String, String> env(String target, boolean gpu) {
    Map<String, String> env = new HashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    if (!target.equals("k8s")) {
      env.put("SPARKSR_JAR", jar.toString());
    }
    switch (target) {
      case "standalone" -> env.put("SPARKSR_MASTER", "spark://m.example:7077");
      case "k8s" -> {
        env.put("SPARKSR_MASTER", "k8s://https://api.example:6443");
        env.put("SPARKSR_IMAGE", "registry.example/sr:1");
        env.put("SPARKSR_K8S_NAMESPACE", "sparksr");
      }
      default -> { }
    }
    if (gpu) {
      env.put("SPARKSR_GPU", "1");
    }
    return env;
  }

  private static Map<String, String> with(Map<String, String> env, String k, String v) {
    Map<String, String> m = new HashMap<>(env);
    m.put(k, v);
    return m;
  }

  private static Map<String, String> without(Map<String, String> env, String k) {
    Map<String, String> m = new HashMap<>(env);
    m.remove(k);
    return m;
  }

  private static List<String> script(String target, String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash", SUBMIT.resolve(target + ".sh").toString()));
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  /** The arguments the fake spark-submit received. */
  private static List<String> submitted(String target, Map<String, String> env, String... args)
      throws Exception {
    Run r = exec(script(target, args), env);
    assertThat(r.exit).as(r.err).isZero();
    return nulSeparated(r.out);
  }

  /** The --dry-run line, split back into words by bash itself (it must be valid shell). */
  private static List<String> printed(String target, Map<String, String> env, String... args)
      throws Exception {
    List<String> withDryRun = new ArrayList<>(List.of("--dry-run"));
    withDryRun.addAll(Arrays.asList(args));
    Run r = exec(script(target, withDryRun.toArray(String[]::new)), env);
    assertThat(r.exit).as(r.err).isZero();
    assertThat(r.out.strip()).doesNotContain("\n");
    Run words = exec(List.of("bash", "-c", "eval \"set -- $1\"; printf '%s\\0' \"$@\"", "bash",
        r.out.strip()), Map.of());
    assertThat(words.exit).as(words.err).isZero();
    return nulSeparated(words.out);
  }

  private static void assertError(String target, Map<String, String> env, String message,
      String... args) throws Exception {
    Run r = exec(script(target, args), env);
    assertThat(r.exit).as("exit code of %s %s", target, Arrays.toString(args)).isEqualTo(2);
    assertThat(r.err).contains(message);
    assertThat(r.out).isEmpty();
  }

  private static List<String> nulSeparated(String s) {
    List<String> out = new ArrayList<>(Arrays.asList(s.split("\0", -1)));
    assertThat(out.remove(out.size() - 1)).isEmpty();
    return out;
  }

  private static String after(List<String> args, String option) {
    int i = args.indexOf(option);
    assertThat(i).as(option).isNotNegative();
    return args.get(i + 1);
  }

  /** --conf key=value pairs; the last one of a key wins, as in spark-submit. */
  private static Map<String, String> confs(List<String> args) {
    Map<String, String> conf = new LinkedHashMap<>();
    for (int i = 0; i < args.indexOf("--class"); i++) {
      if (args.get(i).equals("--conf")) {
        String kv = args.get(++i);
        conf.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return conf;
  }

  /** Parses {@code args} (job + options) with the jobs' own command line; returns the job. */
  private static String parsesAsJob(List<String> args) {
    String[] a = args.toArray(String[]::new);
    return SparkSr.commandLine(a).parseArgs(a).subcommand().commandSpec().name();
  }

  private static Properties load(Path f) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }

  private static Map<String, String> asMap(Properties p) {
    Map<String, String> m = new HashMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).strip()));
    return m;
  }

  private static Map<String, String> scriptReader(Path f) throws Exception {
    Run r = exec(List.of("bash", "-c", ". \"$1\"; sparksr_props \"$2\"", "bash",
        SUBMIT.resolve("common.sh").toString(), f.toString()), Map.of());
    assertThat(r.exit).as(r.err).isZero();
    Map<String, String> m = new HashMap<>();
    for (String line : r.out.split("\n")) {
      if (!line.isEmpty()) {
        String[] kv = line.split("\t", 2);
        m.put(kv[0], kv[1]);
      }
    }
    return m;
  }

  /** {@code <java17.flags>} of the parent pom, blanks normalised. */
  private static String pomJava17Flags() throws IOException {
    Matcher m = Pattern.compile("<java17.flags>([^<]+)</java17.flags>")
        .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1).strip().replaceAll("\\s+", " ");
  }
}
