package io.sparksr.partitioning.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.testing.TestTensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The degradation's JPEG is a real one at the quality asked for: its quantisation tables are the
 * standard ones (ITU-T T.81, Annex K) scaled by the IJG rule for that quality, factor 50 / q below
 * 50 and 2 - q / 50 above, each entry rounded and clamped to 1..255 (the JDK scales in floating
 * point; libjpeg's integer 5000 / q differs by at most 1 where that is not an integer).
 */
class JpegTest {
  /** T.81 Table K.1 (luminance), natural order. */
  private static final int[] LUMA = {
      16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
      14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
      18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
      49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
  /** The zig-zag order: ZIGZAG[k] is the natural index of the k-th coefficient. */
  private static final int[] ZIGZAG = {
      0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27,
      20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
      58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

  /** The first 8-bit quantisation table of a JPEG, in natural order. */
  private static int[] firstTable(byte[] jpeg) {
    for (int i = 2; i + 4 < jpeg.length; ) {
      int marker = jpeg[i + 1] & 0xff;
      int len = ((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff);
      if (marker == 0xdb) {
        int[] t = new int[64];
        for (int k = 0; k < 64; k++) {
          t[ZIGZAG[k]] = jpeg[i + 5 + k] & 0xff;
        }
        return t;
      }
      i += 2 + len;
    }
    throw new AssertionError("no DQT segment");
  }

  @Test
  void theQuantisationTableIsTheStandardOneScaledForTheQuality() {
    ImageTensor img = TestTensors.randomImage(new Random(1), 3, 24, 32);
    for (int q : new int[] {10, 30, 50, 75, 90, 95}) {
      double scale = q < 50 ? 50.0 / q : 2 - q / 50.0;
      int[] expected = new int[64];
      for (int i = 0; i < 64; i++) {
        expected[i] = (int) Math.max(1, Math.min(255, Math.round(LUMA[i] * scale)));
      }
      assertThat(firstTable(Jpeg.encode(img, q))).as("quality %d", q).containsExactly(expected);
    }
  }

  @Test
  void aRoundTripKeepsTheSizeAndLosesMoreAtLowerQuality() {
    ImageTensor img = TestTensors.randomImage(new Random(2), 3, 40, 48);
    double e95 = error(img, Jpeg.roundTrip(img, 95));
    double e30 = error(img, Jpeg.roundTrip(img, 30));
    assertThat(e95).isPositive();
    assertThat(e30).isGreaterThan(e95);
    ImageTensor grey = TestTensors.randomImage(new Random(3), 1, 16, 16);
    assertThat(Jpeg.roundTrip(grey, 80).channels()).isEqualTo(1);
  }

  private static double error(ImageTensor a, ImageTensor b) {
    assertThat(b.width()).isEqualTo(a.width());
    assertThat(b.height()).isEqualTo(a.height());
    double s = 0;
    for (int i = 0; i < a.data().length; i++) {
      s += Math.abs(a.data()[i] - b.data()[i]);
    }
    return s / a.data().length;
  }
}
