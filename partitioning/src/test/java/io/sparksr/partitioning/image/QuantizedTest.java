package io.sparksr.partitioning.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuantizedTest {

  @Test
  void roundsClampsAndRoundTripsEverySample() {
    ImageTensor t = new ImageTensor(1, 1, 6,
        new float[] {-0.2f, 0f, 0.5f / 255, 0.5f, 1f, Float.NaN});
    Quantized q8 = Quantized.of(t, 8);
    assertThat(q8.samples()).containsExactly(0, 0, 1, (byte) 128, (byte) 255, 0);
    Quantized q16 = Quantized.of(t, 16);
    assertThat(q16.toTensor().get(0, 0, 3)).isEqualTo(32768 / 65535f);
    // every 8- and 16-bit value survives dequantise -> quantise
    for (int v = 0; v <= 255; v++) {
      assertThat(Quantized.quantize(v / 255f, 255)).isEqualTo(v);
    }
    for (int v = 0; v <= 65535; v++) {
      assertThat(Quantized.quantize(v / 65535f, 65535)).isEqualTo(v);
    }
  }

  /** The rule is Math.round(clamp(v) * max): checked for every float in (0, 1), both depths. */
  @Test
  void quantizeIsMathRoundOfTheScaledValueForEveryFloatInTheUnitInterval() {
    long mismatches = 0;
    for (int bits = 1; bits < Float.floatToIntBits(1f); bits++) {
      float v = Float.intBitsToFloat(bits);
      if (Quantized.quantize(v, 255) != Math.round(v * 255)
          || Quantized.quantize(v, 65535) != Math.round(v * 65535)) {
        mismatches++;
      }
    }
    assertThat(mismatches).isZero();
    assertThat(Quantized.quantize(Float.NaN, 255)).isZero();
    assertThat(Quantized.quantize(-0.1f, 255)).isZero();
    assertThat(Quantized.quantize(1.5f, 65535)).isEqualTo(65535);
  }
}
