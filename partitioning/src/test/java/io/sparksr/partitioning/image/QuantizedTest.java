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
}
