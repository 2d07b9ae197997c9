package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.ImageTensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decode mapping checked against its definition: images built sample by sample with
 * {@link WritableRaster#setSample} and written by ImageIO (not by the store) must decode to
 * {@code sample / (2^bits - 1)} in channel order R, G, B, A (or Y, A).
 */
class DecodeMappingTest {

  @TempDir
  Path dir;

  static Stream<Arguments> images() {
    ColorSpace srgb = ColorSpace.getInstance(ColorSpace.CS_sRGB);
    ColorSpace grey = ColorSpace.getInstance(ColorSpace.CS_GRAY);
    return Stream.of(
        Arguments.of("png", new BufferedImage(19, 11, BufferedImage.TYPE_BYTE_GRAY), 8),
        Arguments.of("png", new BufferedImage(19, 11, BufferedImage.TYPE_USHORT_GRAY), 16),
        Arguments.of("png", new BufferedImage(19, 11, BufferedImage.TYPE_3BYTE_BGR), 8),
        Arguments.of("png", new BufferedImage(19, 11, BufferedImage.TYPE_4BYTE_ABGR), 8),
        Arguments.of("png", ImageTypeSpecifier.createInterleaved(srgb, new int[] {0, 1, 2, 3},
            DataBuffer.TYPE_USHORT, true, false).createBufferedImage(19, 11), 16),
        Arguments.of("png", ImageTypeSpecifier.createInterleaved(grey, new int[] {0, 1},
            DataBuffer.TYPE_BYTE, true, false).createBufferedImage(19, 11), 8),
        Arguments.of("bmp", new BufferedImage(19, 11, BufferedImage.TYPE_3BYTE_BGR), 8),
        Arguments.of("bmp", new BufferedImage(19, 11, BufferedImage.TYPE_INT_RGB), 8),
        Arguments.of("tiff", new BufferedImage(19, 11, BufferedImage.TYPE_3BYTE_BGR), 8),
        Arguments.of("tiff", new BufferedImage(19, 11, BufferedImage.TYPE_USHORT_GRAY), 16),
        Arguments.of("tiff", ImageTypeSpecifier.createInterleaved(srgb, new int[] {0, 1, 2},
            DataBuffer.TYPE_USHORT, false, false).createBufferedImage(19, 11), 16));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("images")
  void decodedSampleIsSampleOverMax(String format, BufferedImage img, int bits) throws Exception {
    WritableRaster raster = img.getRaster();
    int bands = raster.getNumBands();
    int max = (1 << bits) - 1;
    Random rnd = new Random(11);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        for (int b = 0; b < bands; b++) {
          raster.setSample(x, y, b, rnd.nextInt(max + 1));
        }
      }
    }
    Path file = dir.resolve("img." + format);
    assertThat(ImageIO.write(img, format, file.toFile())).isTrue();

    DecodedImage decoded = new ImageStore(new Configuration()).read(file.toString());

    ImageTensor t = decoded.tensor();
    assertThat(t.channels()).isEqualTo(bands);
    assertThat(decoded.format().bitDepth()).isEqualTo(bits);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        for (int b = 0; b < bands; b++) {
          assertThat(t.get(b, y, x)).as("band %d at (%d,%d)", b, x, y)
              .isEqualTo(raster.getSample(x, y, b) / (float) max);
        }
      }
    }
  }
}
