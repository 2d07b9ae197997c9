package io.sparksr.partitioning.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.sampling.PatchSampler;
import io.sparksr.partitioning.testing.TestTensors;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each stage against its definition; the chain deterministic and reproducible from its record. */
class DegraderTest {

  /** A preset with every stage likely, to exercise the whole chain. */
  static DegradationSpec heavy() {
    DegradationSpec.Range r = new DegradationSpec.Range(0.2, 2.0);
    DegradationSpec.Order o = new DegradationSpec.Order(0.9, Kernels.FAMILIES,
        new DegradationSpec.Range(7, 13), r, new DegradationSpec.Range(0.5, 4),
        new DegradationSpec.Range(1, 2), 0.3, 0.5, new DegradationSpec.Range(1, 1.4),
        new DegradationSpec.Range(0.5, 1), 0.5, 0.4, new DegradationSpec.Range(1, 10),
        new DegradationSpec.Range(0.05, 1), 0.4, 0.8, new DegradationSpec.Range(40, 95));
    DegradationSpec.Order last = new DegradationSpec.Order(0.3, List.of("iso"),
        new DegradationSpec.Range(5, 7), new DegradationSpec.Range(0.2, 0.6),
        new DegradationSpec.Range(1, 1), new DegradationSpec.Range(1, 1), 0, 0,
        new DegradationSpec.Range(1, 1), new DegradationSpec.Range(1, 1), 0.5, 0.3,
        new DegradationSpec.Range(1, 5), new DegradationSpec.Range(0.05, 0.3), 0.4, 0.9,
        new DegradationSpec.Range(40, 95));
    return new DegradationSpec("heavy", 0.1, o, 0.7, o, Resampler.MODES, last, 2);
  }

  private static ImageTensor smooth(int c, int h, int w, long seed) {
    Random rnd = new Random(seed);
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      int x = i % w;
      int y = (i / w) % h;
      d[i] = (float) Math.max(0, Math.min(1, 0.5 + 0.3 * Math.sin(x * 0.2 + y * 0.13 + i % 3)
          + 0.05 * rnd.nextGaussian()));
    }
    return new ImageTensor(c, h, w, d);
  }

  @Test
  void theSameSeedDrawsTheSameParametersAndTheSameLr() {
    ImageTensor hr = smooth(3, 96, 112, 1);
    for (long seed = 0; seed < 20; seed++) {
      DegradationParams a = Degrader.draw(heavy(), seed, 0);
      assertThat(Degrader.draw(heavy(), seed, 0)).isEqualTo(a);
      ImageTensor lr = Degrader.apply(hr, 2, a);
      assertThat(lr.width()).isEqualTo(56);
      assertThat(lr.height()).isEqualTo(48);
      assertThat(Degrader.apply(hr, 2, a)).isEqualTo(lr);
    }
    assertThat(Degrader.draw(heavy(), 1, 0)).isNotEqualTo(Degrader.draw(heavy(), 2, 0));
  }

  @Test
  void theCleanPresetIsMatlabBicubicAsBefore() {
    ImageTensor hr = smooth(3, 90, 120, 2);
    PatchSampler sampler = new PatchSampler(16, 8, 0, 0, Dihedral.transforms(false, false));
    PatchSampler.Sample plain = sampler.sample(hr, 3, 7);
    PatchSampler.Sample clean = sampler.sample(hr, 3, 7, DegradationSpec.clean());
    assertThat(clean.pairs()).hasSameSizeAs(plain.pairs());
    for (int i = 0; i < plain.pairs().size(); i++) {
      assertThat(clean.pairs().get(i).lr()).isEqualTo(plain.pairs().get(i).lr());
      assertThat(clean.pairs().get(i).degradation().isClean()).isTrue();
    }
  }

  @Test
  void recordedParametersReproduceEachPatchBitForBit() {
    ImageTensor hr = smooth(3, 100, 90, 3);
    PatchSampler sampler = new PatchSampler(16, 12, 0, 0, Dihedral.transforms(false, false));
    for (int scale : new int[] {2, 3, 4}) {
      PatchSampler.Sample s = sampler.sample(hr, scale, 11, heavy());
      PatchSampler.Sample again = sampler.sample(hr, scale, 11, heavy());
      assertThat(s.pairs()).isNotEmpty();
      ImageTensor cropped = io.sparksr.partitioning.image.Resize.modcrop(hr, scale);
      for (int i = 0; i < s.pairs().size(); i++) {
        PatchSampler.Pair p = s.pairs().get(i);
        assertThat(again.pairs().get(i).lr()).isEqualTo(p.lr());
        assertThat(p.degradation().preset()).isEqualTo("heavy");
        // from the record alone (the HR source and the parameters)
        assertThat(sampler.degraded(cropped, scale, p.x(), p.y(), p.degradation()))
            .isEqualTo(p.lr());
      }
      // the patches differ from the clean LR (the chain did something)
      PatchSampler.Sample clean = sampler.sample(hr, scale, 11);
      assertThat(s.pairs().get(0).lr()).isNotEqualTo(clean.pairs().get(0).lr());
      assertThat(s.pairs().get(0).hr()).isEqualTo(clean.pairs().get(0).hr());
    }
  }

  /**
   * A preset with n variants gives n LR versions of each patch, in order, with the same HR and
   * their own draws; version 0 is what the one-version preset gives.
   */
  @Test
  void variantsAreFurtherDrawsOfTheSamePatch() {
    ImageTensor hr = smooth(3, 96, 96, 5);
    PatchSampler sampler = new PatchSampler(16, 16, 0, 0, Dihedral.transforms(false, false));
    DegradationSpec two = heavy();
    DegradationSpec one = new DegradationSpec(two.name(), two.cleanProb(), two.first(),
        two.secondProb(), two.second(), two.finalModes(), two.last(), 1);
    PatchSampler.Sample a = sampler.sample(hr, 2, 9, one);
    PatchSampler.Sample b = sampler.sample(hr, 2, 9, two);
    assertThat(b.pairs()).hasSize(2 * a.pairs().size());
    int differ = 0;
    for (int i = 0; i < a.pairs().size(); i++) {
      PatchSampler.Pair v0 = b.pairs().get(2 * i);
      PatchSampler.Pair v1 = b.pairs().get(2 * i + 1);
      assertThat(v0.lr()).isEqualTo(a.pairs().get(i).lr());
      assertThat(v0.degradation()).isEqualTo(a.pairs().get(i).degradation());
      assertThat(v0.degradation().variant()).isZero();
      assertThat(v1.degradation().variant()).isEqualTo(1);
      assertThat(v1.hr()).isEqualTo(v0.hr());
      assertThat(v1.degradation().seed()).isNotEqualTo(v0.degradation().seed());
      if (!java.util.Arrays.equals(v1.lr(), v0.lr())) {
        differ++;
      }
    }
    assertThat(differ).isGreaterThan(a.pairs().size() / 2);
  }

  @Test
  void kernelsFollowTheirDefinitions() {
    // isotropic Gaussian: exp(-(x^2 + y^2) / 2 sigma^2), normalised
    double sigma = 1.3;
    double[] k = Kernels.kernel("iso", 7, sigma, 0, 0, 0);
    double sum = 0;
    for (int y = -3; y <= 3; y++) {
      for (int x = -3; x <= 3; x++) {
        sum += Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
      }
    }
    assertThat(k[3 * 7 + 3]).isCloseTo(1 / sum, within(1e-12));
    assertThat(k[3 * 7 + 5]).isCloseTo(Math.exp(-4 / (2 * sigma * sigma)) / sum, within(1e-12));
    // anisotropic, rotated 90 degrees: sigma_x and sigma_y swap
    double[] a = Kernels.kernel("aniso", 9, 2.0, 0.7, 0, 0);
    double[] r = Kernels.kernel("aniso", 9, 0.7, 2.0, Math.PI / 2, 0);
    for (int i = 0; i < a.length; i++) {
      assertThat(r[i]).isCloseTo(a[i], within(1e-9));
    }
    // plateau at beta: 1 / (1 + q^beta), q = (x^2 + y^2) / sigma^2
    double[] p = Kernels.kernel("plateau_iso", 5, 1.0, 0, 0, 2);
    double ps = 0;
    for (int y = -2; y <= 2; y++) {
      for (int x = -2; x <= 2; x++) {
        ps += 1 / (1 + Math.pow(x * x + y * y, 2));
      }
    }
    assertThat(p[2 * 5 + 3]).isCloseTo((1 / (1 + 1.0)) / ps, within(1e-12));
    // every family sums to 1
    for (String f : Kernels.FAMILIES) {
      double t = 0;
      for (double v : Kernels.kernel(f, 11, 1.5, 0.8, 0.4, 1.5)) {
        t += v;
      }
      assertThat(t).as(f).isCloseTo(1, within(1e-12));
    }
  }

  @Test
  void convolutionOfAPointIsTheKernelAndAFlatImageStaysFlat() {
    ImageTensor point = ImageTensor.zeros(1, 21, 21);
    point.set(0, 10, 10, 1);
    double[] k = Kernels.kernel("aniso", 7, 1.8, 0.6, 0.5, 0);
    ImageTensor out = Kernels.convolve(point, k, 7);
    for (int y = -3; y <= 3; y++) {
      for (int x = -3; x <= 3; x++) {
        // correlation: out(10 + y, 10 + x) = k(-y, -x); the kernel is point-symmetric
        assertThat((double) out.get(0, 10 + y, 10 + x)).isCloseTo(k[(3 - y) * 7 + (3 - x)],
            within(1e-7));
      }
    }
    ImageTensor flat = ImageTensor.zeros(3, 9, 9);
    java.util.Arrays.fill(flat.data(), 0.4f);
    assertThat(Kernels.convolve(flat, k, 7).data()).containsOnly(0.4f);
  }

  @Test
  void resamplingModesFollowTheirDefinitions() {
    ImageTensor img = TestTensors.randomImage(new Random(4), 2, 8, 12);
    // area by 1/2: the mean of each 2x2 block
    ImageTensor area = Resampler.resize(img, 6, 4, "area");
    assertThat((double) area.get(1, 2, 3)).isCloseTo((img.get(1, 4, 6) + img.get(1, 4, 7)
        + img.get(1, 5, 6) + img.get(1, 5, 7)) / 4.0, within(1e-6));
    // bilinear keeps a linear ramp linear away from the borders
    ImageTensor ramp = ImageTensor.zeros(1, 4, 16);
    for (int x = 0; x < 16; x++) {
      for (int y = 0; y < 4; y++) {
        ramp.set(0, y, x, x / 16f);
      }
    }
    for (String mode : List.of("bilinear")) {
      ImageTensor up = Resampler.resize(ramp, 32, 8, mode);
      // output x sits at input (x + 0.5) / 2 - 0.5
      for (int x = 6; x < 26; x++) {
        assertThat((double) up.get(0, 3, x)).as("%s x=%d", mode, x)
            .isCloseTo(((x + 0.5) / 2 - 0.5) / 16, within(1e-6));
      }
    }
  }

  @Test
  void bicubicIsPyTorchsKernelAndKeepsAConstant() {
    // Keys' cubic with a = -0.75 (PyTorch): 1 at 0, 0 at the integers, ((a+2)|x| - (a+3))x^2 + 1
    assertThat(Resampler.cubic(0)).isEqualTo(1);
    assertThat(Resampler.cubic(1)).isCloseTo(0, within(1e-15));
    assertThat(Resampler.cubic(0.5)).isCloseTo((1.25 * 0.5 - 2.25) * 0.25 + 1, within(1e-15));
    assertThat(Resampler.cubic(1.5)).isCloseTo(((-0.75 * 1.5 + 3.75) * 1.5 - 6) * 1.5 + 3,
        within(1e-15));
    ImageTensor flat = ImageTensor.zeros(1, 7, 9);
    java.util.Arrays.fill(flat.data(), 0.3f);
    for (String mode : Resampler.MODES) {
      for (float v : Resampler.resize(flat, 13, 5, mode).data()) {
        assertThat((double) v).as(mode).isCloseTo(0.3, within(1e-6));
      }
    }
  }

  @Test
  void matlabModeIsImresizeAtIntegerFactors() {
    ImageTensor img = TestTensors.randomImage(new Random(6), 3, 36, 48);
    for (int s : new int[] {2, 3, 4}) {
      ImageTensor mine = Resampler.resize(img, 48 / s, 36 / s, "matlab");
      ImageTensor ref = io.sparksr.partitioning.image.Resize.imresize(img, 1.0 / s);
      for (int i = 0; i < ref.data().length; i++) {
        assertThat((double) mine.data()[i]).as("1/%d at %d", s, i)
            .isCloseTo(ref.data()[i], within(1e-5));
      }
    }
  }

  /**
   * Noise of the last order is at the LR size: on a flat grey HR its standard deviation on the LR
   * is the drawn sigma (plus 8-bit rounding, variance 1/12 level^2); the same sigma drawn in the
   * first order (on the HR) is averaged down by the x4 resize to a small fraction of it.
   */
  @Test
  void theLastOrdersNoiseIsAtTheLrSize() {
    ImageTensor hr = ImageTensor.zeros(3, 400, 400);
    java.util.Arrays.fill(hr.data(), 0.5f);
    DegradationParams.Stage noise = new DegradationParams.Stage("", 0, 0, 0, 0, 0, "", 1,
        "gaussian", 4, false, 7, 0);
    DegradationParams.Stage none = DegradationParams.Stage.NONE;
    ImageTensor last = Degrader.apply(hr, 4,
        new DegradationParams("t", 1, 0, 8, none, none, "matlab", noise));
    ImageTensor first = Degrader.apply(hr, 4,
        new DegradationParams("t", 1, 0, 8, noise, none, "matlab", none));
    double expected = Math.sqrt(16 + 1.0 / 12);
    assertThat(levelsStd(last)).isCloseTo(expected, within(0.15));
    assertThat(levelsStd(first)).isLessThan(expected / 2.5);
  }

  private static double levelsStd(ImageTensor t) {
    double sq = 0;
    for (float v : t.data()) {
      sq += (v * 255.0 - 127.5) * (v * 255.0 - 127.5);
    }
    return Math.sqrt(sq / t.data().length);
  }

  @Test
  void noiseHasItsDefinedStrength() {
    ImageTensor grey = ImageTensor.zeros(3, 200, 200);
    java.util.Arrays.fill(grey.data(), 0.5f);
    DegradationParams.Stage g = new DegradationParams.Stage("", 0, 0, 0, 0, 0, "", 1, "gaussian",
        10, false, 42, 0);
    ImageTensor n = Degrader.noise(grey, g);
    double sq = 0;
    for (float v : n.data()) {
      sq += (v - 0.5) * (v - 0.5);
    }
    assertThat(Math.sqrt(sq / n.data().length)).isCloseTo(10 / 255.0, within(0.2 / 255));
    DegradationParams.Stage gray = new DegradationParams.Stage("", 0, 0, 0, 0, 0, "", 1,
        "gaussian", 10, true, 42, 0);
    ImageTensor ng = Degrader.noise(grey, gray);
    assertThat(ng.get(0, 7, 9)).isEqualTo(ng.get(2, 7, 9));
    assertThat(n.get(0, 7, 9)).isNotEqualTo(n.get(2, 7, 9));
    // Poisson draws: mean and variance lambda
    SplittableRandom rnd = new SplittableRandom(1);
    for (double lambda : new double[] {3, 100}) {
      double s = 0;
      double s2 = 0;
      int k = 40000;
      for (int i = 0; i < k; i++) {
        long v = Degrader.poisson(rnd, lambda);
        s += v;
        s2 += (double) v * v;
      }
      double mean = s / k;
      assertThat(mean).isCloseTo(lambda, within(0.05 * lambda));
      assertThat(s2 / k - mean * mean).isCloseTo(lambda, within(0.1 * lambda));
    }
  }
}
