package io.sparksr.io.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JPEG's metadata is read from its marker segments only, not its image data. */
class JpegHeadTest {
  @TempDir
  Path tmp;

  /** A noisy 1600 x 1200 JPEG at quality 0.6 (JDK encoder, IJG tables): ~0.9 MB of scan data. */
  private static byte[] noisyJpeg() throws Exception {
    BufferedImage img = new BufferedImage(1600, 1200, BufferedImage.TYPE_INT_RGB);
    Random rnd = new Random(1);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      w.setOutput(out);
      ImageWriteParam p = w.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(0.6f);
      w.write(null, new IIOImage(img, null, null), p);
    } finally {
      w.dispose();
    }
    return bytes.toByteArray();
  }

  /** The offset just past the first SOS segment, found by walking the segments by hand. */
  private static int endOfFirstScanHeader(byte[] b) {
    int i = 2;
    while (true) {
      int marker = b[i + 1] & 0xFF;
      int length = (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
      i += 2 + length;
      if (marker == 0xDA) {
        return i;
      }
    }
  }

  @Test
  void theHeadIsTheSegmentsThroughTheFirstScanHeaderThenEoi() throws Exception {
    byte[] jpeg = noisyJpeg();
    byte[] head = SourceMetadata.jpegHead(new ByteArrayInputStream(jpeg));
    int end = endOfFirstScanHeader(jpeg);
    assertThat(jpeg.length).isGreaterThan(500_000);
    assertThat(head.length).isLessThan(1_000);
    assertThat(head).hasSize(end + 2);
    assertThat(Arrays.copyOf(head, end)).isEqualTo(Arrays.copyOf(jpeg, end));
    assertThat(head[end] & 0xFF).isEqualTo(0xFF);
    assertThat(head[end + 1] & 0xFF).isEqualTo(0xD9);
    // a stream that ends inside a segment gives the whole segments before it: of the JDK
    // encoder's SOI + APP0 (20 bytes), DQT (2 + 67 bytes), DQT, ... cut at byte 100, the first 89
    assertThat(jpeg[89] & 0xFF).isEqualTo(0xFF);
    assertThat(jpeg[90] & 0xFF).isEqualTo(0xDB);
    byte[] cut = SourceMetadata.jpegHead(new ByteArrayInputStream(Arrays.copyOf(jpeg, 100)));
    assertThat(cut).isEqualTo(Arrays.copyOf(jpeg, 89));
  }

  /**
   * Stray bytes between two segments (padding an in-place edit left) are skipped to the next
   * marker, as libjpeg skips them ("extraneous bytes before marker"): the later DQT, SOF and SOS
   * are still read.
   */
  @Test
  void strayBytesBetweenSegmentsAreSkipped() throws Exception {
    byte[] jpeg = noisyJpeg();
    byte[] padded = new byte[jpeg.length + 5];
    System.arraycopy(jpeg, 0, padded, 0, 20); // SOI + APP0
    Arrays.fill(padded, 20, 25, (byte) 0x00);
    System.arraycopy(jpeg, 20, padded, 25, jpeg.length - 20);
    assertThat(SourceMetadata.jpegHead(new ByteArrayInputStream(padded)))
        .isEqualTo(SourceMetadata.jpegHead(new ByteArrayInputStream(jpeg)));
    Path f = tmp.resolve("padded.jpg");
    Files.write(f, padded);
    assertThat(SourceMetadata.read(new Configuration(), f.toString()).jpegQuality()).isEqualTo(60);
  }

  /** What is read from the head is what the file says: quality 60 (IJG scaling), 4:2:0. */
  @Test
  void qualityAndSamplingAreReadFromTheHead() throws Exception {
    Path f = tmp.resolve("noisy.jpg");
    Files.write(f, noisyJpeg());
    SourceMetadata m = SourceMetadata.read(new Configuration(), f.toString());
    assertThat(m.format()).isEqualTo("jpeg");
    assertThat(m.jpegQuality()).isEqualTo(60);
    assertThat(m.problems()).isEmpty();
  }
}
