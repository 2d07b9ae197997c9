package io.sparksr.partitioning.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.testing.TestTensors;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Evaluate's fixed LR degradations: each step by its definition, deterministic per image. */
class LrDegradationTest {
  private final ImageTensor lr = Quantized.of(TestTensors.randomImage(new Random(1), 3, 40, 48),
      8).toTensor();

  @Test
  void cleanIsTheIdentity() {
    assertThat(LrDegradation.NONE.apply(lr, "a")).isSameAs(lr);
  }

  @Test
  void jpegIsOneRealRoundTripAtItsQuality() {
    LrDegradation d = new LrDegradation("jpeg75", List.of(new LrDegradation.Op("jpeg", 75, 0)));
    assertThat(d.apply(lr, "a")).isEqualTo(Jpeg.roundTrip(lr, 75));
  }

  @Test
  void noiseIsSeededPerImageAndHasItsStrength() {
    LrDegradation d = new LrDegradation("noise3",
        List.of(new LrDegradation.Op("gaussian", 3, 1)));
    ImageTensor flat = ImageTensor.zeros(3, 100, 100);
    java.util.Arrays.fill(flat.data(), 0.5f);
    ImageTensor a = d.apply(flat, "Set5/baby.png/2");
    assertThat(d.apply(flat, "Set5/baby.png/2")).isEqualTo(a);
    assertThat(d.apply(flat, "Set5/bird.png/2")).isNotEqualTo(a);
    double sq = 0;
    for (float v : a.data()) {
      sq += (v - 0.5) * (v - 0.5);
    }
    // sigma 3 levels, then rounded to 8 bits (adds 1/12 level^2 of variance)
    assertThat(Math.sqrt(sq / a.data().length) * 255).isCloseTo(Math.sqrt(9 + 1.0 / 12),
        within(0.1));
  }

  @Test
  void badStepsNameTheProblem() {
    assertThatThrownBy(() -> new LrDegradation.Op("jpeg", 0, 0)).hasMessageContaining("1..100");
    assertThatThrownBy(() -> new LrDegradation.Op("sharpen", 1, 0))
        .hasMessageContaining("'sharpen'");
    assertThatThrownBy(() -> new LrDegradation("a b", List.of())).hasMessageContaining("'a b'");
    // sigma 0 would normalise 0 / 0 into NaN taps and a black LR
    assertThatThrownBy(() -> new LrDegradation.Op("blur", 0, 0)).hasMessageContaining("> 0");
    // a named step-less degradation would be a second 'clean' whose setting names collide
    assertThatThrownBy(() -> new LrDegradation("none", List.of()))
        .hasMessageContaining("'none' has no steps");
  }

  @Test
  void theSpecNamesEveryStepAndNoiseSeed() {
    LrDegradation d = new LrDegradation("n", List.of(new LrDegradation.Op("blur", 1.2, 0),
        new LrDegradation.Op("gaussian", 3, 7), new LrDegradation.Op("jpeg", 90, 0)));
    assertThat(d.spec()).isEqualTo("blur 1.2, gaussian 3 seed 7, jpeg 90");
    assertThat(LrDegradation.NONE.spec()).isEmpty();
  }
}
