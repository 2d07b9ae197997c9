package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.image.ImageTensor;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/sparksr prepare end to end, and the dataset read back outside the JVM by DuckDB (Node.js
 * package @duckdb/node-api, installed into target/ by npm on first use; skipped with a message
 * when node/npm or the npm registry is not there).
 */
class PrepareIT {

  @TempDir
  Path tmp;

  @Test
  void preparesADatasetThatDuckDbReadsBack() throws Exception {
    ImageStore store = new ImageStore(new Configuration());
    Random rnd = new Random(5);
    for (int i = 0; i < 4; i++) {
      int h = 60 + 10 * i;
      int w = 70;
      float[] d = new float[3 * h * w];
      for (int k = 0; k < d.length; k++) {
        d[k] = (float) Math.max(0, Math.min(1, 0.5 + 0.4 * Math.sin(k * 0.37) + 0.1 * rnd.nextGaussian()));
      }
      store.write(tmp.resolve("hr/img" + i + ".png").toString(), new ImageTensor(3, h, w, d),
          PixelFormat.of("png", 3, 8));
    }
    String out = tmp.resolve("ds").toString();
    Launcher.Run run = Launcher.sparksr("prepare", "--input", tmp.resolve("hr").toString(),
        "--output", out, "--scales", "2,3", "--patch-size", "16", "--val-fraction", "0.25");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("4 images (0 failed)");
    JsonNode summary = new ObjectMapper().readTree(new File(out, "_SUMMARY.json"));
    long total = summary.get("total_rows").asLong();
    assertThat(total).isPositive();

    List<JsonNode> duck = duckDb(out);
    long duckRows = 0;
    for (JsonNode row : duck) {
      int scale = row.get("scale").asInt();
      duckRows += row.get("rows").asLong();
      assertThat(row.get("lr_bytes").asInt()).isEqualTo(16 * 16 * 3);
      assertThat(row.get("hr_bytes").asInt()).isEqualTo(16 * scale * 16 * scale * 3);
      assertThat(row.get("rows").asLong()).isEqualTo(
          summary.get("rows").get(Integer.toString(scale)).get(row.get("split").asText()).asLong());
    }
    assertThat(duckRows).isEqualTo(total);
  }

  /** Runs the DuckDB reader script; skips the test when Node.js or the package is unavailable. */
  private static List<JsonNode> duckDb(String dataset) throws Exception {
    Path js = Launcher.repoRoot().resolve("integration-tests/src/test/js");
    Path work = Launcher.repoRoot().resolve("integration-tests/target/js-readers");
    Files.createDirectories(work);
    for (String f : new String[] {"package.json", "read-dataset.mjs"}) {
      Files.copy(js.resolve(f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(work.resolve("node_modules/@duckdb/node-api"))) {
      Result npm = exec(work, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
      assumeTrue(npm.code == 0, "skipped: npm could not install @duckdb/node-api: " + npm.err);
    }
    Result node = exec(work, "node", "read-dataset.mjs", dataset);
    assertThat(node.code).as(node.err).isZero();
    List<JsonNode> rows = new ArrayList<>();
    ObjectMapper om = new ObjectMapper();
    for (String line : node.out.split("\n")) {
      if (!line.isBlank()) {
        rows.add(om.readTree(line));
      }
    }
    return rows;
  }

  private record Result(int code, String out, String err) {}

  private static Result exec(Path dir, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    Path out = Files.createTempFile("it", ".out");
    Path err = Files.createTempFile("it", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "skipped: " + cmd[0] + " is not installed (" + e.getMessage() + ")");
      throw e;
    }
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      assumeTrue(false, "skipped: " + String.join(" ", cmd) + " timed out");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
