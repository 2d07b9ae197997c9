package io.sparksr.partitioning.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** imresize checked against values worked out by hand from MATLAB's definition. */
class ResizeTest {

  private static ImageTensor row(float... v) {
    return new ImageTensor(1, 1, v.length, v.clone());
  }

  @Test
  void cubicKernelValues() {
    // (1.5|x|^3 - 2.5|x|^2 + 1) for |x| <= 1; (-0.5|x|^3 + 2.5|x|^2 - 4|x| + 2) for 1 < |x| <= 2
    assertThat(Resize.cubic(0)).isEqualTo(1.0);
    assertThat(Resize.cubic(0.25)).isEqualTo(0.8671875);
    assertThat(Resize.cubic(-0.75)).isEqualTo(0.2265625);
    assertThat(Resize.cubic(1.25)).isEqualTo(-0.0703125);
    assertThat(Resize.cubic(1.75)).isEqualTo(-0.0234375);
    assertThat(Resize.cubic(2)).isEqualTo(0.0);
    assertThat(Resize.cubic(2.5)).isEqualTo(0.0);
  }

  @Test
  void upscaleByTwoOfARowMatchesHandComputedValues() {
    // in = [a b c d]; x = 1: u = 1/2 + 0.5 (1 - 1/2) = 0.75, taps j = -2..3 (1-based),
    // d = u - j = 2.75 1.75 0.75 -0.25 -1.25 -2.25 -> w = 0, -0.0234375, 0.2265625, 0.8671875,
    // -0.0703125, 0 (sum 1); j = -1 mirrors to 2 (b), j = 0 to 1 (a):
    // out1 = -0.0234375 b + 0.2265625 a + 0.8671875 a - 0.0703125 b = 1.09375 a - 0.09375 b
    // x = 2: u = 1.25, taps j = -1..4, d = 2.25 1.25 0.25 -0.75 -1.75 -2.75
    // out2 = -0.0703125 a + 0.8671875 a + 0.2265625 b - 0.0234375 c (j = 0 mirrors to a)
    float a = 0.2f;
    float b = 0.6f;
    float c = 0.1f;
    float d = 0.9f;
    ImageTensor out = Resize.imresize(row(a, b, c, d), 2);
    assertThat(out.width()).isEqualTo(8);
    // the height pass over a single row is the identity: every mirrored tap reads the same row
    assertThat(out.height()).isEqualTo(2);
    assertThat(out.get(0, 0, 0)).isCloseTo(1.09375f * a - 0.09375f * b, within(1e-6f));
    assertThat(out.get(0, 0, 1))
        .isCloseTo((0.8671875f - 0.0703125f) * a + 0.2265625f * b - 0.0234375f * c, within(1e-6f));
    assertThat(out.get(0, 1, 1)).isEqualTo(out.get(0, 0, 1));
  }

  @Test
  void downscaleByTwoUsesTheWidenedAntialiasingKernel() {
    // s = 1/2: width 4/s = 8, x = 1: u = 1 * 2 + 0.5 (1 - 2) = 1.5, taps j = -3..6,
    // w = 0.5 cubic(0.5 (u - j)): j=-2..5 -> 0.5 * (-0.0234375, -0.0703125, 0.2265625,
    // 0.8671875, 0.8671875, 0.2265625, -0.0703125, -0.0234375); j = -3 and 6 give 0.
    // For the ramp v_j = j / 8 (j = 1..8), mirrored v_-2 = 3/8, v_-1 = 2/8, v_0 = 1/8:
    // out1 = 0.5 (-0.0234375*3 - 0.0703125*2 + 0.2265625*1 + 0.8671875*1 + 0.8671875*2
    //        + 0.2265625*3 - 0.0703125*4 - 0.0234375*5) / 8 = 1.44921875 / 8
    float[] ramp = new float[8];
    for (int j = 1; j <= 8; j++) {
      ramp[j - 1] = j / 8f;
    }
    ImageTensor out = Resize.imresize(new ImageTensor(1, 2, 8, concat(ramp, ramp)), 0.5);
    assertThat(out.width()).isEqualTo(4);
    assertThat(out.height()).isEqualTo(1);
    assertThat(out.get(0, 0, 0)).isCloseTo(1.44921875f / 8, within(1e-6f));
    // x = 2: u = 3.5, taps j = -1..8; weights are symmetric around 3.5, so on the linear ramp
    // the result is 3.5/8, except that tap j = 0 (w = 0.5 cubic(1.75) = -0.01171875) reads the
    // mirrored v_1 = 1/8 instead of the ramp's 0/8: out2 = 3.5/8 - 0.01171875/8
    assertThat(out.get(0, 0, 1)).isCloseTo((3.5f - 0.01171875f) / 8, within(1e-6f));
  }

  @Test
  void constantImagesStayConstantAndSizesFollowCeil() {
    ImageTensor flat = new ImageTensor(2, 7, 5, filled(2 * 7 * 5, 0.37f));
    for (double s : new double[] {2, 3, 4, 0.5, 1.0 / 3, 0.25, 1.7}) {
      ImageTensor out = Resize.imresize(flat, s);
      assertThat(out.width()).isEqualTo((int) Math.ceil(5 * s - 1e-9));
      assertThat(out.height()).isEqualTo((int) Math.ceil(7 * s - 1e-9));
      for (float v : out.data()) {
        assertThat(v).isCloseTo(0.37f, within(1e-6f));
      }
    }
  }

  @Test
  void modcropKeepsTheTopLeftMultiple() {
    ImageTensor img = new ImageTensor(1, 7, 10, filled(70, 1f));
    assertThat(Resize.modcrop(img, 3).width()).isEqualTo(9);
    assertThat(Resize.modcrop(img, 3).height()).isEqualTo(6);
    assertThat(Resize.modcrop(img, 2).height()).isEqualTo(6);
    assertThat(Resize.modcrop(img, 1)).isSameAs(img);
  }

  private static float[] filled(int n, float v) {
    float[] f = new float[n];
    java.util.Arrays.fill(f, v);
    return f;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] r = new float[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
