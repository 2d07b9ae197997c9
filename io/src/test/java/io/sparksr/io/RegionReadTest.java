package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.Rect;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegionReadTest {
  static final int W = 1000;
  static final int H = 700;
  static final int TILE = 128;
  /** Aligned with tiles, unaligned, touching the right / bottom edges, the corners, one pixel. */
  static final List<Rect> REGIONS = List.of(
      new Rect(128, 256, 128, 128), new Rect(0, 0, 256, 128), new Rect(100, 50, 300, 200),
      new Rect(872, 0, 128, 128), new Rect(900, 650, 100, 50), new Rect(3, 690, 997, 10),
      new Rect(999, 699, 1, 1), new Rect(0, 0, 1, 1), new Rect(0, 0, W, H),
      new Rect(127, 127, 2, 2), new Rect(896, 640, 104, 60));

  @TempDir
  static Path dir;

  private static final ImageStore store = new ImageStore(new Configuration());
  private static final ImageTensor source = TestImages.random(3, H, W, 42);

  @BeforeAll
  static void writeImages() throws Exception {
    PixelFormat rgb = PixelFormat.of("tiff", 3, 8);
    store.writeTiledTiff(path("tiled.tif"), source, rgb, TILE);
    store.write(path("strips.tif"), source, rgb);
    store.write(path("img.png"), source, PixelFormat.of("png", 3, 8));
    store.write(path("img.bmp"), source, PixelFormat.of("bmp", 3, 8));
    store.write(path("img.jpg"), source, PixelFormat.of("jpeg", 3, 8));
  }

  @Test
  void tiledTiffIsTiledAndRegionReadable() throws Exception {
    try (ImageInputStream in = ImageIO.createImageInputStream(dir.resolve("tiled.tif").toFile())) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      reader.setInput(in);
      assertThat(reader.isImageTiled(0)).isTrue();
      assertThat(reader.getTileWidth(0)).isEqualTo(TILE);
      assertThat(reader.getTileHeight(0)).isEqualTo(TILE);
      reader.dispose();
    }
    assertThat(store.info(path("tiled.tif")).regionReadable()).isTrue();
    assertThat(store.info(path("strips.tif")).regionReadable()).isTrue();
    assertThat(store.info(path("img.png")).regionReadable()).isFalse();
    assertThat(store.info(path("img.jpg")).regionReadable()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiled.tif", "strips.tif", "img.png", "img.bmp", "img.jpg"})
  void regionEqualsCropOfFullDecode(String name) throws Exception {
    ImageTensor full = store.read(path(name)).tensor();
    if (!name.endsWith(".jpg")) {
      assertThat(full).isEqualTo(TestImages.quantised(source, 8));
    }
    for (Rect r : REGIONS) {
      assertThat(store.readRegion(path(name), r)).as("%s %s", name, r).isEqualTo(full.crop(r));
    }
  }

  @Test
  void regionOutsideTheImageIsAnArgumentError() {
    assertThatThrownBy(() -> store.readRegion(path("tiled.tif"), new Rect(900, 600, 101, 100)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'region' 101x100@(900,600)")
        .hasMessageContaining("tiled.tif")
        .hasMessageContaining("1000x700@(0,0)");
    assertThatThrownBy(() -> store.readRegion(path("tiled.tif"), new Rect(-1, 0, 10, 10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.readRegion(path("tiled.tif"), new Rect(0, 0, 0, 10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be empty");
  }

  @Test
  void tileSizeMustBeAMultipleOf16() {
    assertThatThrownBy(() -> store.writeTiledTiff(path("x.tif"), source, PixelFormat.of("tiff", 3, 8), 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'tile-size' is 100 but must be a positive multiple of 16");
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }
}
