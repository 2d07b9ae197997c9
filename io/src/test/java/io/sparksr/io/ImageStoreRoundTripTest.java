package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.ImageTensor;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.File;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageStoreRoundTripTest {

  @TempDir
  Path dir;

  private final ImageStore store = new ImageStore(new Configuration());

  static Stream<Arguments> lossless() {
    return Stream.of(
        // format, channels, bits, tile size (0 = strips / untiled)
        Arguments.of("png", 1, 8, 0), Arguments.of("png", 1, 16, 0),
        Arguments.of("png", 2, 8, 0), Arguments.of("png", 2, 16, 0),
        Arguments.of("png", 3, 8, 0), Arguments.of("png", 3, 16, 0),
        Arguments.of("png", 4, 8, 0), Arguments.of("png", 4, 16, 0),
        Arguments.of("tiff", 3, 8, 0), Arguments.of("tiff", 3, 16, 0),
        Arguments.of("tiff", 1, 8, 0), Arguments.of("tiff", 4, 8, 0),
        Arguments.of("tiff", 1, 16, 0), Arguments.of("tiff", 2, 8, 0), Arguments.of("tiff", 4, 16, 0),
        Arguments.of("tiff", 3, 8, 16), Arguments.of("tiff", 3, 16, 16),
        Arguments.of("tiff", 1, 8, 16), Arguments.of("tiff", 4, 8, 16),
        Arguments.of("bmp", 3, 8, 0), Arguments.of("bmp", 1, 8, 0));
  }

  @ParameterizedTest(name = "{0} {1}ch {2}bit tile {3}")
  @MethodSource("lossless")
  void losslessRoundTripKeepsQuantisedValuesAndFormat(String format, int channels, int bits,
      int tile) throws Exception {
    ImageTensor t = TestImages.random(channels, 23, 37, 31L * channels + bits);
    PixelFormat pf = PixelFormat.of(format, channels, bits);
    String path = dir.resolve("img." + format).toString();
    if (tile > 0) {
      store.writeTiledTiff(path, t, pf, tile);
    } else {
      store.write(path, t, pf);
    }

    DecodedImage back = store.read(path);

    assertThat(back.format()).isEqualTo(pf);
    assertThat(back.tensor()).isEqualTo(TestImages.quantised(t, bits));
    ImageInfo info = store.info(path);
    assertThat(info.format()).isEqualTo(pf);
    assertThat(info.width()).isEqualTo(37);
    assertThat(info.height()).isEqualTo(23);
  }

  @Test
  void palettePngWithTransparencyDecodesToRgbaWithPaletteColours() throws Exception {
    byte[] r = {(byte) 255, 0, 10, (byte) 200};
    byte[] g = {0, (byte) 255, 20, (byte) 100};
    byte[] b = {0, 0, 30, 50};
    byte[] a = {(byte) 255, (byte) 128, 0, (byte) 255};
    IndexColorModel icm = new IndexColorModel(8, 4, r, g, b, a);
    int[][] idx = writePalettePng("pal.png", icm, 13, 9);

    DecodedImage img = store.read(dir.resolve("pal.png").toString());

    assertThat(img.format()).isEqualTo(new PixelFormat("png", 4, 8, true, true, null));
    ImageTensor t = img.tensor();
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 13; x++) {
        int i = idx[y][x];
        assertThat(t.get(0, y, x)).isEqualTo((r[i] & 0xff) / 255f);
        assertThat(t.get(1, y, x)).isEqualTo((g[i] & 0xff) / 255f);
        assertThat(t.get(2, y, x)).isEqualTo((b[i] & 0xff) / 255f);
        assertThat(t.get(3, y, x)).isEqualTo((a[i] & 0xff) / 255f);
      }
    }
  }

  @Test
  void opaquePaletteDecodesToRgbAndIsWrittenBackAsRgb() throws Exception {
    byte[] r = {(byte) 255, 0, 10};
    byte[] g = {0, (byte) 255, 20};
    byte[] b = {0, 0, (byte) 230};
    IndexColorModel icm = new IndexColorModel(8, 3, r, g, b);
    int[][] idx = writePalettePng("pal.png", icm, 8, 5);

    DecodedImage img = store.read(dir.resolve("pal.png").toString());
    assertThat(img.format()).isEqualTo(new PixelFormat("png", 3, 8, false, true, null));
    assertThat(img.tensor().get(2, 4, 7)).isEqualTo((b[idx[4][7]] & 0xff) / 255f);

    String out = dir.resolve("out.png").toString();
    store.write(out, img.tensor(), img.format());
    DecodedImage again = store.read(out);
    assertThat(again.format()).isEqualTo(PixelFormat.of("png", 3, 8));
    assertThat(again.tensor()).isEqualTo(img.tensor());
    assertThat(ImageIO.read(new File(out)).getColorModel()).isNotInstanceOf(IndexColorModel.class);
  }

  @Test
  void greyPaletteDecodesToGrey() throws Exception {
    byte[] v = {0, (byte) 77, (byte) 255};
    int[][] idx = writePalettePng("g.png", new IndexColorModel(8, 3, v, v, v), 6, 4);

    DecodedImage img = store.read(dir.resolve("g.png").toString());

    assertThat(img.format()).isEqualTo(PixelFormat.of("png", 1, 8));
    assertThat(img.tensor().get(0, 3, 5)).isEqualTo((v[idx[3][5]] & 0xff) / 255f);
  }

  @Test
  void jpegRoundTripIsCloseAndGreyStaysOneChannel() throws Exception {
    ImageTensor rgb = TestImages.smooth(3, 64, 80);
    String path = dir.resolve("c.jpg").toString();
    store.write(path, rgb, PixelFormat.of("jpeg", 3, 8));
    DecodedImage back = store.read(path);
    assertThat(back.format()).isEqualTo(PixelFormat.of("jpeg", 3, 8));
    assertThat(TestImages.meanAbsDiff(back.tensor(), rgb)).isLessThan(0.01);
    assertThat(TestImages.maxAbsDiff(back.tensor(), rgb)).isLessThan(0.08);

    ImageTensor grey = TestImages.smooth(1, 40, 50);
    String greyPath = dir.resolve("g.jpeg").toString();
    store.write(greyPath, grey, PixelFormat.of("jpeg", 1, 8));
    DecodedImage greyBack = store.read(greyPath);
    assertThat(greyBack.format()).isEqualTo(PixelFormat.of("jpeg", 1, 8));
    assertThat(greyBack.tensor().channels()).isEqualTo(1);
    assertThat(TestImages.maxAbsDiff(greyBack.tensor(), grey)).isLessThan(0.03);
  }

  @Test
  void lowerJpegQualityGivesSmallerFile() throws Exception {
    ImageTensor t = TestImages.random(3, 64, 64, 5);
    String hi = dir.resolve("hi.jpg").toString();
    String lo = dir.resolve("lo.jpg").toString();
    store.write(hi, t, PixelFormat.of("jpeg", 3, 8));
    store.write(lo, t, PixelFormat.of("jpeg", 3, 8), new WriteOptions(0.3f));
    assertThat(new File(lo).length()).isLessThan(new File(hi).length() / 2);
  }

  @Test
  void sixteenBitFormatIsWrittenAsEightBitJpeg() throws Exception {
    ImageTensor t = TestImages.smooth(3, 16, 16);
    String path = dir.resolve("deep.jpg").toString();
    store.write(path, t, PixelFormat.of("jpeg", 3, 16));
    assertThat(store.read(path).format().bitDepth()).isEqualTo(8);
  }

  @Test
  void outOfRangeAndNanSamplesAreClamped() throws Exception {
    ImageTensor t = new ImageTensor(1, 1, 4, new float[] {-0.5f, 1.7f, Float.NaN, 0.5f});
    String path = dir.resolve("clamp.png").toString();
    store.write(path, t, PixelFormat.of("png", 1, 8));
    assertThat(store.read(path).tensor().data()).containsExactly(0f, 1f, 0f, 128 / 255f);
  }

  /** Writes a palette PNG with ImageIO (independent of the store); returns the indices used. */
  private int[][] writePalettePng(String name, IndexColorModel icm, int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, icm);
    WritableRaster raster = img.getRaster();
    int[][] idx = new int[h][w];
    java.util.Random rnd = new java.util.Random(7);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        idx[y][x] = rnd.nextInt(icm.getMapSize());
        raster.setSample(x, y, 0, idx[y][x]);
      }
    }
    assertThat(ImageIO.write(img, "png", dir.resolve(name).toFile())).isTrue();
    return idx;
  }
}
