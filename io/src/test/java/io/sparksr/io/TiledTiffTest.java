package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.tiling.Rect;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tiled TIFF / BigTIFF files assembled from separately compressed tiles, read back by independent
 * readers: the JDK's TIFF plugin (classic TIFF) and libtiff's tiffinfo / tiffcp (BigTIFF; those
 * checks are skipped with a message when libtiff-tools is not installed).
 */
class TiledTiffTest {
  private static final Logger LOG = LoggerFactory.getLogger(TiledTiffTest.class);

  @TempDir
  Path dir;

  private final Configuration conf = new Configuration();
  private final ImageStore store = new ImageStore(conf);

  /** Encodes every tile of {@code img} (as executors do) and writes the file. */
  static boolean writeTiles(Configuration conf, String path, ImageTensor img,
      TiledTiff.Layout layout, boolean big) throws IOException {
    List<byte[]> tiles = new ArrayList<>();
    int t = layout.tileSize();
    for (int ty = 0; ty < layout.tilesDown(); ty++) {
      for (int tx = 0; tx < layout.tilesAcross(); tx++) {
        Rect r = new Rect(tx * t, ty * t, t, t).intersect(img.bounds());
        tiles.add(TiledTiff.encodeTile(layout, img.crop(r)));
      }
    }
    long[] counts = tiles.stream().mapToLong(b -> b.length).toArray();
    return TiledTiff.write(conf, path, layout, counts, (i, out) -> out.write(tiles.get(i)), big);
  }

  private static TiledTiff.Layout layout(ImageTensor img, int bits, boolean deflate) {
    return new TiledTiff.Layout(img.width(), img.height(), 32, img.channels(), bits, deflate,
        null, 1);
  }

  @Test
  void classicFilesOfEveryKindReadBackWithTheJdkReader() throws Exception {
    int[][] kinds = {{1, 8}, {2, 8}, {3, 8}, {4, 8}, {1, 16}, {2, 16}, {3, 16}, {4, 16}};
    for (boolean deflate : new boolean[] {true, false}) {
      for (int[] k : kinds) {
        ImageTensor img = TestImages.random(k[0], 45, 70, k[0] * 100 + k[1]);
        String path = dir.resolve("c" + k[0] + "_" + k[1] + deflate + ".tif").toString();
        assertThat(writeTiles(conf, path, img, layout(img, k[1], deflate), false)).isFalse();
        DecodedImage back = store.read(path); // the JDK's TIFF plugin
        assertThat(back.format().channels()).isEqualTo(k[0]);
        assertThat(back.format().bitDepth()).isEqualTo(k[1]);
        assertThat(back.tensor()).as("%s deflate %s", java.util.Arrays.toString(k), deflate)
            .isEqualTo(Quantized.of(img, k[1]).toTensor());
        assertThat(store.info(path).regionReadable()).isTrue();
        assertThat(store.readRegion(path, new Rect(30, 10, 33, 30)))
            .isEqualTo(Quantized.of(img, k[1]).toTensor().crop(new Rect(30, 10, 33, 30)));
      }
    }
  }

  @Test
  void anIncompressibleTileSurvivesDeflate() throws Exception {
    // the JDK's own Deflate writer drops the last byte of such tiles (../shared/stack.md)
    ImageTensor noise = TestImages.random(3, 64, 64, 77);
    String path = dir.resolve("noise.tif").toString();
    writeTiles(conf, path, noise, layout(noise, 8, true), false);
    assertThat(store.read(path).tensor()).isEqualTo(Quantized.of(noise, 8).toTensor());
  }

  @Test
  void iccProfileAndOrientationAreWritten() throws Exception {
    byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
    ImageTensor img = TestImages.random(3, 20, 20, 1);
    TiledTiff.Layout l = new TiledTiff.Layout(20, 20, 16, 3, 8, true, icc, 6);
    String classic = dir.resolve("icc.tif").toString();
    String big = dir.resolve("icc-big.tif").toString();
    writeTiles(conf, classic, img, l, false);
    writeTiles(conf, big, img, l, true);
    for (String p : List.of(classic, big)) {
      ImageInfo info = store.info(p);
      assertThat(info.format().iccProfile()).as(p).isEqualTo(icc);
      assertThat(info.orientation()).as(p).isEqualTo(6);
    }
  }

  @Test
  void bigTiffReadsBackWholeAndByRegion() throws Exception {
    for (int[] k : new int[][] {{3, 8}, {2, 16}, {4, 8}}) {
      ImageTensor img = TestImages.random(k[0], 50, 81, k[0] + k[1]);
      String path = dir.resolve("big" + k[0] + "_" + k[1] + ".tif").toString();
      assertThat(writeTiles(conf, path, img, layout(img, k[1], true), true)).isTrue();
      byte[] head = new byte[4];
      System.arraycopy(Files.readAllBytes(Path.of(path)), 0, head, 0, 4);
      assertThat(TiledTiffReader.isBigTiff(head)).isTrue();
      ImageTensor expected = Quantized.of(img, k[1]).toTensor();
      assertThat(store.read(path).tensor()).isEqualTo(expected);
      Rect r = new Rect(17, 3, 50, 40);
      assertThat(store.readRegion(path, r)).isEqualTo(expected.crop(r));
      ImageInfo info = store.info(path);
      assertThat(info.regionReadable()).isTrue();
      assertThat(info.format().channels()).isEqualTo(k[0]);
      assertThat(info.format().bitDepth()).isEqualTo(k[1]);
    }
  }

  @Test
  void libtiffReadsOurBigTiffAndClassicFiles() throws Exception {
    assumeTrue(onPath("tiffinfo") && onPath("tiffdump") && onPath("tiffcp"),
        "skipped: libtiff-tools (tiffinfo, tiffdump, tiffcp) not installed; .ci/run installs it");
    for (boolean big : new boolean[] {true, false}) {
      for (int[] k : new int[][] {{3, 8}, {1, 16}, {4, 16}, {2, 8}}) {
        ImageTensor img = TestImages.random(k[0], 50, 81, 31 * k[0] + k[1]);
        String name = (big ? "big" : "classic") + k[0] + "_" + k[1];
        Path path = dir.resolve(name + ".tif");
        writeTiles(conf, path.toString(), img, layout(img, k[1], true), big);
        Run info = run("tiffinfo", "-D", path.toString());
        assertThat(info.code()).as(info.output()).isZero();
        assertThat(info.output()).as(name).contains("Image Width: 81 Image Length: 50")
            .contains("Tile Width: 32 Tile Length: 32")
            .contains("Bits/Sample: " + k[1]).contains("Samples/Pixel: " + k[0])
            .contains("Compression Scheme: AdobeDeflate")
            .doesNotContainIgnoringCase("error").doesNotContainIgnoringCase("warning");
        Run dump = run("tiffdump", path.toString());
        assertThat(dump.code()).as(dump.output()).isZero();
        assertThat(dump.output()).contains(big ? "Version: 0x2b <BigTIFF>" : "Version: 0x2a");
        // libtiff decodes (BigTIFF, Deflate, predictor) and re-writes plain strips for the JDK
        Path plain = dir.resolve(name + "-plain.tif");
        Run cp = run("tiffcp", "-c", "none", path.toString(), plain.toString());
        assertThat(cp.code()).as(cp.output()).isZero();
        assertThat(store.read(plain.toString()).tensor()).as(name)
            .isEqualTo(Quantized.of(img, k[1]).toTensor());
      }
    }
  }

  @Test
  void bigTiffIsChosenWhenTheDataExceedsFourGigabytes() {
    TiledTiff.Layout l = new TiledTiff.Layout(80000, 80000, 1024, 3, 8, true, null, 1);
    long[] small = new long[l.tileCount()];
    java.util.Arrays.fill(small, 500_000);
    long[] large = new long[l.tileCount()];
    java.util.Arrays.fill(large, 800_000); // 6241 tiles x 0.8 MB = 5 GB
    assertThat(TiledTiff.needsBigTiff(l, small)).isFalse();
    assertThat(TiledTiff.needsBigTiff(l, large)).isTrue();
  }

  @Test
  void aWrongTileCountOrSizeIsAnError() throws Exception {
    ImageTensor img = TestImages.random(3, 20, 20, 2);
    TiledTiff.Layout l = new TiledTiff.Layout(20, 20, 16, 3, 8, true, null, 1);
    assertThatThrownBy(() -> TiledTiff.write(conf, dir.resolve("x.tif").toString(), l,
        new long[3], (i, out) -> { }, false)).hasMessageContaining("has 3 entries but the layout has 4 tiles");
    String path = dir.resolve("short.tif").toString();
    assertThatThrownBy(() -> TiledTiff.write(conf, path, l, new long[] {10, 10, 10, 10},
        (i, out) -> out.write(new byte[9]), false)).hasMessageContaining("tile 0 has 9 bytes but 10");
    assertThat(new File(path)).doesNotExist();
    assertThatThrownBy(() -> new TiledTiff.Layout(20, 20, 24, 3, 8, true, null, 1))
        .hasMessageContaining("TIFF tile size is 24 but must be a positive multiple of 16");
    assertThatThrownBy(() -> TiledTiff.encodeTile(l, TestImages.random(1, 16, 16, 1)))
        .hasMessageContaining("tile has 1 channels but the layout has 3");
    assertThat(img.channels()).isEqualTo(3);
  }

  record Run(int code, String output) {}

  static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    LOG.warn("skipped: {} is not installed (Debian: apt-get install libtiff-tools)", tool);
    return false;
  }

  static Run run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8));
  }
}
