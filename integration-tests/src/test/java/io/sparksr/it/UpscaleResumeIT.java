package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * bin/sparksr upscale as an operator runs it, in a separate JVM: a dry run, a run with one bad
 * input (exit code 1, the others written, a tiled TIFF for the large one), a rerun that skips
 * everything, and the manifest read back.
 */
class UpscaleResumeIT {
  private static final Logger LOG = LoggerFactory.getLogger(UpscaleResumeIT.class);

  @TempDir
  Path tmp;

  private final ImageStore store = new ImageStore(new Configuration());

  private static ImageTensor noise(int c, int h, int w, long seed) {
    Random rnd = new Random(seed);
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    return new ImageTensor(c, h, w, d);
  }

  @Test
  void dryRunThenRunThenResume() throws Exception {
    Path in = tmp.resolve("in");
    Files.createDirectories(in);
    store.write(in.resolve("a.png").toString(), noise(3, 40, 50, 1), PixelFormat.of("png", 3, 8));
    store.write(in.resolve("b.png").toString(), noise(1, 30, 20, 2), PixelFormat.of("png", 1, 16));
    store.write(in.resolve("scan.png").toString(), noise(3, 120, 150, 3),
        PixelFormat.of("png", 3, 8));
    Files.write(in.resolve("bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0});
    String out = tmp.resolve("out").toString();
    String[] common = {"upscale", "--input", in.toString(), "--output", out, "--scale", "2",
        "--model", "bicubic", "--tile-size", "32", "--tiff-threshold-mp", "0.05",
        "--convert-threshold-mp", "0.01", "--progress-seconds", "1"};

    Launcher.Run dry = Launcher.sparksr(concat(common, "--dry-run"));
    assertThat(dry.exitCode()).as(dry.stderr()).isEqualTo(1); // bad.png is unreadable
    assertThat(dry.stdout()).contains("4 file(s) found: 3 to upscale, 0 skipped (output exists), 1 "
        + "failed before starting").contains("tiles in").contains("uncompressed")
        .contains("1 output(s) above 0.05 MP: tiled TIFF")
        .contains("1 input(s) above 0.01 MP without random access").contains("dry run");
    assertThat(new File(out)).doesNotExist();

    Launcher.Run run = Launcher.sparksr(common);
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stdout()).contains("3 image(s) written, 1 failed, 0 skipped")
        .contains("FAILED ").contains("bad.png");
    for (String name : new String[] {"a", "b"}) {
      DecodedImage src = store.read(in.resolve(name + ".png").toString());
      DecodedImage got = store.read(out + "/" + name + "_x2.png");
      assertThat(got.tensor()).isEqualTo(Quantized.of(Resize.imresize(src.tensor(), 2),
          src.format().bitDepth()).toTensor());
    }
    String tif = out + "/scan_x2.tif";
    assertThat(store.read(tif).tensor()).isEqualTo(Quantized.of(
        Resize.imresize(store.read(in.resolve("scan.png").toString()).tensor(), 2), 8).toTensor());
    tiffinfoAgrees(tif);
    String csv = Files.readString(Path.of(out, "_manifest.csv"), StandardCharsets.UTF_8);
    assertThat(csv.lines()).hasSize(5);
    assertThat(csv).contains(",tiled-tiff,").contains(",failed,");
    assertThat(new File(out, "manifest.parquet")).isDirectory();

    long mtime = new File(out, "a_x2.png").lastModified();
    Launcher.Run again = Launcher.sparksr(common);
    assertThat(again.exitCode()).as(again.stderr()).isEqualTo(1); // bad.png is still bad
    assertThat(again.stdout()).contains("0 image(s) written, 1 failed, 3 skipped");
    assertThat(new File(out, "a_x2.png").lastModified()).isEqualTo(mtime);
    assertThat(again.stderr()).doesNotContain("mapToPair at UpscaleJob"); // no tile stage ran

    Files.delete(in.resolve("bad.png"));
    Launcher.Run clean = Launcher.sparksr(concat(common, "--overwrite"));
    assertThat(clean.exitCode()).as(clean.stderr()).isZero();
    assertThat(clean.stdout()).contains("3 image(s) written, 0 failed, 0 skipped");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void tiffinfoAgrees(String path) throws Exception {
    boolean present = false;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      present |= Files.isExecutable(Path.of(dir, "tiffinfo"));
    }
    if (!present) {
      LOG.warn("skipped the libtiff check: tiffinfo not installed (apt-get install libtiff-tools)");
      return;
    }
    Process p = new ProcessBuilder("tiffinfo", "-D", path).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text).contains("Image Width: 300 Image Length: 240").contains("Tile Width: 64")
        .doesNotContainIgnoringCase("error");
  }
}
