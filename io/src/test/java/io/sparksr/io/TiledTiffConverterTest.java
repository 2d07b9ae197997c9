package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.tiling.Rect;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming conversion to a tiled TIFF keeps every sample: the converted file, read by the JDK's
 * TIFF plugin, equals the JDK's whole decode of the source.
 */
class TiledTiffConverterTest {

  @TempDir
  Path dir;

  private final Configuration conf = new Configuration();
  private final ImageStore store = new ImageStore(conf);

  private void assertConvertsExactly(String source) throws Exception {
    String target = dir.resolve(new java.io.File(source).getName() + ".tif").toString();
    ImageInfo info = store.info(source);
    TiledTiffConverter.convert(conf, info, target, 16);
    DecodedImage want = store.read(source);
    ImageInfo got = store.info(target);
    assertThat(got.regionReadable()).isTrue();
    assertThat(got.format().channels()).as(source).isEqualTo(want.format().channels());
    assertThat(got.format().bitDepth()).as(source).isEqualTo(want.format().bitDepth());
    assertThat(store.read(target).tensor()).as(source).isEqualTo(want.tensor());
    Rect r = new Rect(5, 7, 20, 11);
    assertThat(store.readRegion(target, r)).isEqualTo(want.tensor().crop(r));
  }

  @Test
  void pngOfEveryKindIsConvertedRowByRowExactly() throws Exception {
    int[][] kinds = {{3, 8}, {4, 8}, {1, 8}, {2, 8}, {1, 16}, {3, 16}, {4, 16}};
    for (int[] k : kinds) {
      String p = dir.resolve("k" + k[0] + "_" + k[1] + ".png").toString();
      store.write(p, TestImages.random(k[0], 37, 43, k[0] * 7 + k[1]),
          PixelFormat.of("png", k[0], k[1]));
      assertConvertsExactly(p);
    }
  }

  @Test
  void palettesAndLowBitDepthsExpandAsTheJdkDecodes() throws Exception {
    byte[] r = {(byte) 255, 0, 10, (byte) 200};
    byte[] g = {0, (byte) 255, 20, (byte) 100};
    byte[] b = {0, 0, 30, 50};
    byte[] a = {(byte) 255, (byte) 128, 0, (byte) 255};
    palettePng("pal-alpha.png", new IndexColorModel(8, 4, r, g, b, a));
    palettePng("pal.png", new IndexColorModel(8, 4, r, g, b));
    byte[] v = {0, (byte) 77, (byte) 255};
    palettePng("pal-grey.png", new IndexColorModel(8, 3, v, v, v));
    for (String n : new String[] {"pal-alpha.png", "pal.png", "pal-grey.png"}) {
      assertConvertsExactly(dir.resolve(n).toString());
    }
    BufferedImage bits = new BufferedImage(29, 23, BufferedImage.TYPE_BYTE_BINARY);
    Random rnd = new Random(3);
    for (int y = 0; y < 23; y++) {
      for (int x = 0; x < 29; x++) {
        bits.getRaster().setSample(x, y, 0, rnd.nextInt(2));
      }
    }
    ImageIO.write(bits, "png", dir.resolve("bits.png").toFile());
    assertConvertsExactly(dir.resolve("bits.png").toString());
  }

  @Test
  void jpegAndBmpAreConvertedBandByBand() throws Exception {
    String jpg = dir.resolve("photo.jpg").toString();
    store.write(jpg, TestImages.smooth(3, 50, 61), PixelFormat.of("jpeg", 3, 8));
    assertConvertsExactly(jpg);
    String grey = dir.resolve("grey.jpg").toString();
    store.write(grey, TestImages.smooth(1, 33, 40), PixelFormat.of("jpeg", 1, 8));
    assertConvertsExactly(grey);
    String bmp = dir.resolve("p.bmp").toString();
    store.write(bmp, TestImages.random(3, 30, 35, 4), PixelFormat.of("bmp", 3, 8));
    assertConvertsExactly(bmp);
  }

  private void palettePng(String name, IndexColorModel icm) throws Exception {
    BufferedImage img = new BufferedImage(31, 19, BufferedImage.TYPE_BYTE_INDEXED, icm);
    WritableRaster raster = img.getRaster();
    Random rnd = new Random(name.hashCode());
    for (int y = 0; y < 19; y++) {
      for (int x = 0; x < 31; x++) {
        raster.setSample(x, y, 0, rnd.nextInt(icm.getMapSize()));
      }
    }
    assertThat(ImageIO.write(img, "png", dir.resolve(name).toFile())).isTrue();
  }

}
