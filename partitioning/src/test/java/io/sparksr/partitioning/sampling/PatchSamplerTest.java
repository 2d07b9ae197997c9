package io.sparksr.partitioning.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.tiling.Rect;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PatchSamplerTest {

  private static ImageTensor image(int h, int w, long seed) {
    Random rnd = new Random(seed);
    float[] d = new float[3 * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.round(rnd.nextFloat() * 255) / 255f;
    }
    return new ImageTensor(3, h, w, d);
  }

  @Test
  void patchesAreAlignedCropsOfTheModcroppedHrAndItsBicubicLr() {
    ImageTensor hr = image(50, 61, 1);
    int s = 3;
    PatchSampler.Sample sample = new PatchSampler(8, 5, 0, 0, new int[] {0}).sample(hr, s, 7);
    ImageTensor cropped = Resize.modcrop(hr, s);
    ImageTensor lr = Quantized.of(Resize.imresize(cropped, 1.0 / s), 8).toTensor();
    assertThat(sample.lrWidth()).isEqualTo(20);
    assertThat(sample.lrHeight()).isEqualTo(16);
    // grid: x in 0,5,10 (x + 8 <= 20), y in 0,5 (y + 8 <= 16)
    assertThat(sample.pairs()).hasSize(3 * 2);
    for (PatchSampler.Pair p : sample.pairs()) {
      assertThat(p.lr()).isEqualTo(PatchSampler.interleaved(lr.crop(new Rect(p.x(), p.y(), 8, 8))));
      assertThat(p.hr()).isEqualTo(
          PatchSampler.interleaved(cropped.crop(new Rect(p.x() * s, p.y() * s, 24, 24))));
    }
  }

  @Test
  void randomPositionsDependOnlyOnTheSeed() {
    ImageTensor hr = image(64, 64, 2);
    PatchSampler sampler = new PatchSampler(12, 12, 10, 0, new int[] {0});
    PatchSampler.Sample a = sampler.sample(hr, 2, 42);
    PatchSampler.Sample b = sampler.sample(hr, 2, 42);
    PatchSampler.Sample c = sampler.sample(hr, 2, 43);
    assertThat(a.pairs()).hasSize(10);
    assertThat(a.pairs()).extracting(p -> p.x() * 1000 + p.y())
        .containsExactlyElementsOf(b.pairs().stream().map(p -> p.x() * 1000 + p.y()).toList());
    assertThat(a.pairs()).extracting(p -> p.x() * 1000 + p.y())
        .isNotEqualTo(c.pairs().stream().map(p -> p.x() * 1000 + p.y()).toList());
  }

  @Test
  void flatPatchesAreDroppedAndCounted() {
    float[] flat = new float[3 * 40 * 40];
    java.util.Arrays.fill(flat, 0.5f);
    PatchSampler.Sample s = new PatchSampler(10, 10, 0, 0.01, new int[] {0})
        .sample(new ImageTensor(3, 40, 40, flat), 2, 0);
    assertThat(s.pairs()).isEmpty();
    assertThat(s.dropped()).isEqualTo(4);
  }

  @Test
  void augmentationEmitsEachTransformOfTheSamePair() {
    ImageTensor hr = image(32, 32, 3);
    PatchSampler.Sample s = new PatchSampler(8, 8, 0, 0, Dihedral.transforms(true, true))
        .sample(hr, 2, 0);
    assertThat(s.pairs()).hasSize(4 * 8);
    PatchSampler.Pair id = s.pairs().get(0);
    PatchSampler.Pair rot = s.pairs().get(5);
    assertThat(rot.augment()).isEqualTo(5);
    assertThat(rot.lr()).isEqualTo(Dihedral.apply(id.lr(), 8, 3, 5));
    assertThat(rot.hr()).isEqualTo(Dihedral.apply(id.hr(), 16, 3, 5));
  }
}
