package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.ImageStore;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar under spark-submit: SparkSubmit's own main class (what the spark-submit
 * script runs) with Spark's jars on the class path and the app jar as the primary resource.
 */
class SparkSubmitIT {

  @TempDir
  Path tmp;

  @Test
  void theAppJarRunsUnderSparkSubmit() throws Exception {
    Path target = Launcher.repoRoot().resolve("jobs/target");
    File[] jars = target.toFile().listFiles((d, n) -> n.endsWith("-app.jar"));
    assertThat(jars).as("application jar in " + target).hasSize(1);
    String spark = Files.readString(Launcher.repoRoot()
        .resolve("deploy/spark-runtime/target/spark-classpath.txt")).trim();
    String out = tmp.resolve("out").toString();

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(System.getProperty("sparksr.java17.flags", "").split("\\s+")));
    cmd.removeIf(String::isBlank);
    cmd.addAll(List.of("-cp", spark, "org.apache.spark.deploy.SparkSubmit",
        "--class", "io.sparksr.jobs.SparkSr", "--master", "local[2]",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        jars[0].getAbsolutePath(),
        "upscale", "--input", Launcher.repoRoot().resolve("samples").toString(),
        "--output", out, "--scale", "2"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    File log = tmp.resolve("submit.log").toFile();
    pb.redirectErrorStream(true).redirectOutput(log);
    Process p = pb.start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text).contains("1 image(s) written, 0 failed");
    DecodedImage img = new ImageStore(new Configuration()).read(out + "/sparksr-sample_x2.png");
    assertThat(img.tensor().width()).isEqualTo(320);
  }
}
