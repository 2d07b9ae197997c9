package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparksr.io.ImageStore;
import io.sparksr.partitioning.image.ImageTensor;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/sparksr evaluate end to end on Set5 with bicubic (and its self-ensemble), then report.html
 * opened from disk in headless Chromium (Debian's chromium package, installed by .ci/run): the
 * tables render and every crop image decodes. Skipped with a message without ../shared/datasets
 * or without a chromium binary.
 */
class EvaluateReportIT {

  @TempDir
  Path tmp;

  private static Path set5() {
    return Launcher.repoRoot().getParent().resolve("shared/datasets/Set5");
  }

  @Test
  void evaluatesSet5AndTheReportRendersInChromium() throws Exception {
    assumeTrue(Files.isDirectory(set5()), "skipped: no ../shared/datasets");
    Path out = tmp.resolve("eval");
    Launcher.Run run = Launcher.sparksr("evaluate", "--datasets", "Set5=" + set5(), "--scales",
        "2,4", "--models", "bicubic", "--self-ensemble", "--output", out.toString());
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("evaluate: 20 result(s) computed (0 failed)")
        .contains("report: ");

    // summary.csv: the bicubic rows reproduce the published Set5 baselines (VDSR paper, Table 3)
    List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
    assertThat(csv).hasSize(1 + 4);
    assertThat(psnr(csv, "Set5,2,bicubic,whole,")).isCloseTo(33.66, within(0.03));
    assertThat(psnr(csv, "Set5,4,bicubic,whole,")).isCloseTo(28.42, within(0.03));
    assertThat(psnr(csv, "Set5,2,bicubic,whole+x8,")).isCloseTo(33.66, within(0.03));
    assertThat(out.resolve("results.parquet")).isDirectory();
    assertThat(out.resolve("report.md")).isRegularFile();

    String chromium = chromium();
    assumeTrue(chromium != null, "skipped: no chromium on PATH (.ci/run installs Debian's "
        + "chromium); the report was written but not opened");
    // a copy of the page next to it (same relative image paths) that reports what rendered
    String html = Files.readString(out.resolve("report.html"));
    Path check = out.resolve("_render-check.html");
    Files.writeString(check, html.replace("</body>", CHECK_SCRIPT + "</body>"));
    String dom = chromium(chromium, "--virtual-time-budget=10000", "--dump-dom",
        check.toUri().toString());
    Matcher m = Pattern.compile("images=(\\d+) loaded=(\\d+) rows=(\\d+) tables=(\\d+) "
        + "charts=(\\d+)").matcher(dom);
    assertThat(m.find()).as("render-check marker in the DOM:%n%s", tail(dom)).isTrue();
    int images = Integer.parseInt(m.group(1));
    // Set5 x2 and x4: HR + bicubic panels each (bicubic's own panel is the bicubic reference)
    assertThat(images).isEqualTo(4);
    assertThat(Integer.parseInt(m.group(2))).as("images that decoded").isEqualTo(images);
    // per scale: bicubic plain + x8 + 3 anchors (Bicubic, FSRCNN, VDSR)
    assertThat(Integer.parseInt(m.group(3))).isEqualTo(2 * 5);
    assertThat(Integer.parseInt(m.group(4))).isEqualTo(2);
    assertThat(Integer.parseInt(m.group(5))).isEqualTo(2);
    assertThat(dom).contains("<tr class=\"ours\" data-method=\"bicubic\">")
        .contains("<tr class=\"published\" data-method=\"VDSR\">")
        .contains("Self-ensemble (x8)");

    // and a screenshot of the report itself is a real page, not a blank one
    Path shot = tmp.resolve("report.png");
    chromium(chromium, "--window-size=1280,1600", "--screenshot=" + shot,
        out.resolve("report.html").toUri().toString());
    assertThat(shot).isRegularFile();
    ImageTensor png = new ImageStore(new Configuration()).read(shot.toString()).tensor();
    assertThat(png.width()).isEqualTo(1280);
    assertThat(distinctGreys(png)).as("distinct grey levels in the screenshot")
        .isGreaterThan(50);
  }

  @Test
  void anUnknownDataSetOrModelIsAUsageErrorBeforeSparkStarts() throws Exception {
    Launcher.Run noData = Launcher.sparksr("evaluate", "--datasets",
        "Set5=" + tmp.resolve("nowhere"), "--output", tmp.resolve("o").toString());
    assertThat(noData.exitCode()).isEqualTo(2);
    assertThat(noData.stderr()).contains("'datasets' has Set5=").doesNotContain("SparkContext");
    Files.createDirectories(tmp.resolve("imgs"));
    Files.copy(Launcher.repoRoot().resolve("samples/sparksr-sample.png"),
        tmp.resolve("imgs/a.png"));
    Launcher.Run noModel = Launcher.sparksr("evaluate", "--datasets",
        "S=" + tmp.resolve("imgs"), "--models", tmp.resolve("missing.srm").toString(),
        "--output", tmp.resolve("o").toString());
    assertThat(noModel.exitCode()).isEqualTo(2);
    assertThat(noModel.stderr()).contains("missing.srm").doesNotContain("SparkContext");
    assertThat(tmp.resolve("o")).doesNotExist();
  }

  /** Runs on load: counts images that decoded, table rows and charts, into a marker element. */
  private static final String CHECK_SCRIPT = "<script>\n"
      + "window.addEventListener('load', function () {\n"
      + "  var imgs = Array.prototype.slice.call(document.images);\n"
      + "  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });\n"
      + "  var m = document.createElement('pre');\n"
      + "  m.id = 'render-check';\n"
      + "  m.textContent = 'images=' + imgs.length + ' loaded=' + ok.length\n"
      + "    + ' rows=' + document.querySelectorAll('table.results tbody tr').length\n"
      + "    + ' tables=' + document.querySelectorAll('table.results').length\n"
      + "    + ' charts=' + document.querySelectorAll('svg.chart').length;\n"
      + "  document.body.appendChild(m);\n"
      + "});\n"
      + "</script>\n";

  private static double psnr(List<String> csv, String prefix) {
    for (String line : csv) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.split(",")[6]);
      }
    }
    throw new AssertionError("no row " + prefix + " in " + csv);
  }

  /** The first Chromium binary on PATH, or null. */
  private static String chromium() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
      for (String dir : path.split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.isFile() && f.canExecute()) {
          return f.getAbsolutePath();
        }
      }
    }
    return null;
  }

  /** Runs headless Chromium with the isolation flags and returns its stdout. */
  private String chromium(String binary, String... args) throws Exception {
    Path profile = Files.createTempDirectory(tmp, "chromium-profile");
    List<String> cmd = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Path stdout = tmp.resolve("chromium.out");
    Path stderr = tmp.resolve("chromium.err");
    Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("chromium timed out: " + String.join(" ", cmd));
    }
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("chromium exit code; stderr:%n%s", tail(err)).isZero();
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  private static int distinctGreys(ImageTensor t) {
    boolean[] seen = new boolean[256];
    float[] d = t.data();
    int plane = t.width() * t.height();
    for (int i = 0; i < plane; i++) {
      seen[Math.round(d[i] * 255)] = true;
    }
    int n = 0;
    for (boolean b : seen) {
      n += b ? 1 : 0;
    }
    return n;
  }

  private static String tail(String s) {
    return s.length() <= 3000 ? s : s.substring(s.length() - 3000);
  }
}
