package io.sparksr.partitioning.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Shapes are checked before anything is allocated, in long arithmetic. */
class ImageTensorTest {
  /**
   * 3 x 48,000 x 32,000 (a 12,000 x 8,000 image at x4) is 4.6e9 samples: the int product wrapped
   * to 313 million and zeros allocated 1.25 GB before failing on a confusing count.
   */
  @Test
  void zerosOfMoreSamplesThanOneArrayHoldsIsAClearErrorBeforeAllocating() {
    assertThatThrownBy(() -> ImageTensor.zeros(3, 48_000, 32_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor 3x48000x32000 has 4608000000 samples; at most 2147483639 fit in one "
            + "array: tile the image");
    assertThatThrownBy(() -> ImageTensor.zeros(3, -4, 5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("height is -4 but must be > 0");
    ImageTensor t = ImageTensor.zeros(2, 3, 4);
    assertThat(t.data()).hasSize(24).containsOnly(0f);
  }
}
