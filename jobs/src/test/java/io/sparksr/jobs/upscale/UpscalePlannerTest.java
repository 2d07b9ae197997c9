package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.ImageInfo;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import io.sparksr.partitioning.inference.BicubicOperator;
import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.TileTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver's plan, without Spark or files: names, skips, failures, tiles and partitions. */
class UpscalePlannerTest {

  private static UpscaleJobConfig cfg() {
    return UpscaleJobConfig.builder().inputs(List.of("in")).output("out").scale(2).model("bicubic")
        .tileSize(64).partitionMegapixels(0.05).build().forOperator(new BicubicOperator());
  }

  private static Probe png(String path, int w, int h, int channels) {
    return new Probe(path, new ImageInfo(path, w, h, PixelFormat.of("png", channels, 8), false,
        1, 1000, 0), null);
  }

  private static UpscalePlan plan(UpscaleJobConfig cfg, Map<String, Long> existing,
      Probe... probes) {
    return UpscalePlanner.plan(cfg, "file:/o/", List.of(probes), existing, java.util.Set.of(),
        Double.NaN, "x", 2, "file:/o/.sparksr-work");
  }

  @Test
  void outputNamesFollowTheInputNamesFormatAndSuffix() {
    assertThat(UpscalePlanner.outputPath("hdfs://nn/out/", "a.b.png", "_x4", ".png"))
        .isEqualTo("hdfs://nn/out/a.b_x4.png");
    assertThat(UpscalePlanner.extension(null, "file:/in/noext", null, false)).isEmpty();
    assertThat(UpscalePlanner.extension(null, "file:/in/a.PNG", "png", false)).isEqualTo(".PNG");
    assertThat(UpscalePlanner.extension(null, "file:/in/a.png", "jpeg", false)).isEqualTo(".jpg");
    assertThat(UpscalePlanner.extension(null, "file:/in/a.gif", "gif", false)).isEqualTo(".png");
    assertThat(UpscalePlanner.extension("tiff", "file:/in/a.png", "png", false)).isEqualTo(".tif");
    assertThat(UpscalePlanner.extension("jpg", "file:/in/a.png", "png", false)).isEqualTo(".jpg");
    assertThat(UpscalePlanner.extension("png", "file:/in/a.png", "png", true)).isEqualTo(".tif");

    UpscalePlan p = plan(cfg().toBuilder().format("jpg").suffix("_big").build(), Map.of(),
        png("file:/in/a.png", 10, 10, 3), png("file:/in/rgba.png", 10, 10, 4));
    assertThat(p.images()).singleElement().satisfies(im -> {
      assertThat(im.output()).isEqualTo("file:/o/a_big.jpg");
      assertThat(im.format().formatName()).isEqualTo("jpeg");
    });
    assertThat(p.settled()).singleElement().satisfies(o -> {
      assertThat(o.status()).isEqualTo(ImageOutcome.FAILED);
      assertThat(o.reason()).contains("jpeg cannot store the alpha channel");
    });
  }

  /**
   * Output sides the format cannot store fail as their own rows when planning: a header of
   * 600,000,000 x 4 px (2,400 MP, under the decode limit) at x4 is 2.4e9 px wide, beyond one
   * image's int sides (this threw in TilePlanner and failed the whole run); a 40,000 x 500 JPEG
   * strip at x2 is 80 MP (not tiled TIFF) but 80,000 px wide, beyond JPEG's 65,535.
   */
  @Test
  void outputSidesBeyondWhatTheFormatStoresFailAsTheirOwnRows() {
    Probe huge = png("file:/in/huge.png", 600_000_000, 4, 3);
    Probe strip = new Probe("file:/in/strip.jpg", new ImageInfo("file:/in/strip.jpg", 40_000, 500,
        PixelFormat.of("jpeg", 3, 8), false, 1, 1000, 0), null);
    Probe fine = png("file:/in/fine.png", 10, 10, 3);
    UpscaleJobConfig x4 = cfg().toBuilder().scale(4).tiffThresholdMp(1e12).build();
    UpscalePlan p = plan(x4, Map.of(), huge, fine);
    assertThat(p.images()).extracting(j -> j.input().path()).containsExactly("file:/in/fine.png");
    assertThat(p.settled()).singleElement().satisfies(o -> {
      assertThat(o.status()).isEqualTo(ImageOutcome.FAILED);
      assertThat(o.reason())
          .isEqualTo("output 2400000000x16 exceeds 2147483647 pixels per side");
    });
    UpscalePlan j = plan(cfg(), Map.of(), strip);
    assertThat(j.images()).isEmpty();
    assertThat(j.settled()).singleElement().satisfies(o -> assertThat(o.reason())
        .isEqualTo("output 80000x1000 exceeds JPEG's 65500 pixels per side: use --format png "
            + "or tiff"));
    // the JDK's libjpeg writes up to 65,500 (JPEG_MAX_DIMENSION); as PNG the strip is fine
    assertThat(UpscalePlanner.outputTooLarge(65_500, 10, "jpeg")).isNull();
    assertThat(UpscalePlanner.outputTooLarge(10, 65_501, "jpeg")).contains("65500");
    assertThat(plan(cfg().toBuilder().format("png").build(), Map.of(), strip).images())
        .hasSize(1);
  }

  @Test
  void existingOutputsAreSkippedUnlessOverwriteAndCollisionsFail() {
    Probe a = png("file:/in/a.png", 10, 10, 3);
    Probe b = png("file:/in2/a.png", 10, 10, 3);
    Probe c = png("file:/in/c.png", 10, 10, 3);
    Probe bad = new Probe("file:/in/bad.png", null, "bad.png: truncated");
    UpscalePlan p = plan(cfg(), Map.of("c_x2.png", 123L), a, b, c, bad);
    assertThat(p.images()).extracting(j -> j.input().path()).containsExactly("file:/in/a.png");
    assertThat(p.settled()).extracting(ImageOutcome::input, ImageOutcome::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("file:/in2/a.png", ImageOutcome.FAILED),
            org.assertj.core.groups.Tuple.tuple("file:/in/c.png", ImageOutcome.SKIPPED),
            org.assertj.core.groups.Tuple.tuple("file:/in/bad.png", ImageOutcome.FAILED));
    assertThat(p.settled().get(0).reason()).contains("collides with that of file:/in/a.png");
    assertThat(p.settled().get(1).outputBytes()).isEqualTo(123);
    assertThat(p.tasks()).hasSize(1);

    UpscalePlan again = plan(cfg().toBuilder().overwrite(true)
        .build(), Map.of("c_x2.png", 123L), c);
    assertThat(again.images()).hasSize(1);
    assertThat(again.settled()).isEmpty();
  }

  @Test
  void largeOutputsAreTiledTiffWithTilesOnTheTiffGridAndLargeSequentialInputsAreConverted() {
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of("in")).output("out").scale(3)
        .model("bicubic").tileSize(70).partitionMegapixels(0.05).build()
        .forOperator(new BicubicOperator()).toBuilder().tiffThresholdMp(0.01)
        .convertThresholdMp(0.002).build();
    // 40x40 at x3 = 14,400 output px > 10,000: tiled; 40x40 input = 1,600 px < 2,000: decoded
    UpscalePlan p = plan(cfg, Map.of(), png("file:/in/a.png", 40, 40, 3),
        png("file:/in/big.png", 60, 50, 3), png("file:/in/small.png", 20, 20, 3));
    ImageJob a = p.images().get(0);
    ImageJob big = p.images().get(1);
    ImageJob small = p.images().get(2);
    assertThat(a.tiledOutput()).isTrue();
    assertThat(a.output()).isEqualTo("file:/o/a_x3.tif");
    assertThat(a.format().formatName()).isEqualTo("tiff");
    assertThat(a.tileSize()).isEqualTo(64); // 70 rounded down to a multiple of 16
    assertThat(a.parts().dir()).startsWith("file:/o/.a_x3.tif.").endsWith(".parts");
    assertThat(a.parts().resume()).isFalse();
    String partsName = a.parts().dir().substring("file:/o/".length());
    UpscalePlan resumed = UpscalePlanner.plan(cfg, "file:/o/",
        List.of(png("file:/in/a.png", 40, 40, 3)), Map.of(), java.util.Set.of(partsName),
        Double.NaN, "x", 2, "file:/o/.sparksr-work");
    assertThat(resumed.images().get(0).parts().resume()).isTrue();
    // another model's tiles live in another folder
    UpscalePlan other = UpscalePlanner.plan(cfg, "file:/o/",
        List.of(png("file:/in/a.png", 40, 40, 3)), Map.of(), java.util.Set.of(partsName),
        Double.NaN, "another-checksum", 2, "file:/o/.sparksr-work");
    assertThat(other.images().get(0).parts().resume()).isFalse();
    // the same input replaced (another modification time, or other dimensions): another folder
    Probe same = png("file:/in/a.png", 40, 40, 3);
    Probe touched = new Probe(same.path(), new ImageInfo(same.path(), 40, 40,
        same.info().format(), false, 1, same.info().bytes(), same.info().modified() + 1), null);
    String setting = UpscalePlanner.setting(cfg, "x");
    String name = UpscalePlanner.partsName("a_x3.tif", setting, same);
    assertThat(name).isEqualTo(partsName);
    for (Probe changed : List.of(touched, png("file:/in/a.png", 40, 41, 3),
        png("file:/in/a.png", 40, 40, 4))) {
      String moved = UpscalePlanner.partsName("a_x3.tif", setting, changed);
      assertThat(moved).isNotEqualTo(name);
      // and both are the output's, for the cleanup after it is written
      assertThat(ImageJob.Parts.isFolderOf(moved, "a_x3.tif")).isTrue();
    }
    assertThat(ImageJob.Parts.isFolderOf(name, "a_x3.tif")).isTrue();
    // never another output's, even one whose name starts with this one's
    assertThat(ImageJob.Parts.isFolderOf(UpscalePlanner.partsName("a_x3.tif.b_x3.tif", setting,
        same), "a_x3.tif")).isFalse();
    assertThat(ImageJob.Parts.isFolderOf(".a_x3.tif.parts", "a_x3.tif")).isFalse();
    assertThat(ImageJob.Parts.isFolderOf(".a_x3.tif..parts", "a_x3.tif")).isFalse();
    assertThat(a.convert()).isFalse();
    assertThat(big.convert()).isTrue();
    assertThat(big.source().regionReadable()).isTrue();
    assertThat(big.source().path()).startsWith("file:/o/.sparksr-work/1-").endsWith(".tif");
    assertThat(small.tiledOutput()).isFalse();
    assertThat(small.tileSize()).isEqualTo(70);
    assertThat(small.output()).isEqualTo("file:/o/small_x3.png");
  }

  /** An image is split when its tiles lie in more than one partition (then they meet in a shuffle). */
  @Test
  void splitImagesAreTheImagesWhoseTilesCrossAPartitionBoundary() {
    List<Probe> probes = new ArrayList<>();
    probes.add(png("file:/in/big.png", 300, 200, 3));
    for (int i = 0; i < 30; i++) {
      probes.add(png("file:/in/s" + i + ".png", 20, 20, 3));
    }
    List<TileTask> t = UpscalePlanner.plan(cfg(), "file:/o", probes, Map.of(), java.util.Set.of(),
        1000.0, "x", 2, "file:/o/w").tasks();
    // tasks 0-19: the 20 tiles of big.png; 20-49: one tile per small image
    assertThat(UpscaleJob.splitImages(List.of(t))).isZero();
    assertThat(UpscaleJob.splitImages(List.of(t.subList(0, 20), t.subList(20, 50)))).isZero();
    assertThat(UpscaleJob.splitImages(List.of(t.subList(0, 3), t.subList(3, 25),
        t.subList(25, 50)))).isEqualTo(1);
    assertThat(UpscaleJob.splitImages(List.of(t.subList(0, 3), t.subList(3, 19),
        t.subList(19, 50)))).isEqualTo(1);
    // a one-tile image cannot be split
    assertThat(UpscaleJob.splitImages(List.of(t.subList(0, 21), t.subList(21, 50)))).isZero();
  }

  @Test
  void tilesOfAllImagesArePackedInOrderByCost() {
    List<Probe> probes = new ArrayList<>();
    probes.add(png("file:/in/big.png", 300, 200, 3));
    for (int i = 0; i < 30; i++) {
      probes.add(png("file:/in/s" + i + ".png", 20, 20, 3));
    }
    UpscalePlan p = UpscalePlanner.plan(cfg(), "file:/o", probes, Map.of(), java.util.Set.of(),
        1000.0, "x", 2, "file:/o/w");
    assertThat(p.tasks()).hasSize(5 * 4 + 30);
    List<TileTask> flat = p.partitions().stream().flatMap(List::stream).toList();
    assertThat(flat).isEqualTo(p.tasks());
    // 300x200 at tile 64, halo 2: 68^2*4 output px per full tile ~ 18.5k; 0.05 MP partitions
    assertThat(p.partitions().size()).isGreaterThan(5);
    assertThat(p.outputPixels()).isEqualTo(300L * 200 * 4 + 30L * 20 * 20 * 4);
    assertThat(p.outputBytes()).isEqualTo(p.outputPixels() * 3);
    // FLOPs: inferred area (edge tiles grown to their batch shape) x scale^2 x per-pixel cost
    double inferred = 0;
    int standard = 64 + 4;
    for (TileTask t : p.tasks()) {
      int w = t.tile().padded().width();
      int h = t.tile().padded().height();
      int gw = w * 4 >= standard * 3 ? standard : (w + 15) / 16 * 16;
      int gh = h * 4 >= standard * 3 ? standard : (h + 15) / 16 * 16;
      inferred += (double) gw * gh;
    }
    assertThat(p.flops()).isEqualTo(inferred * 4 * 1000.0);
    String text = p.describe(cfg());
    assertThat(text).contains("31 file(s) found: 31 to upscale, 0 skipped")
        .contains("50 tiles in " + p.partitions().size() + " partitions")
        .contains("estimated compute:").contains("FLOPs").contains("uncompressed");
  }
}
