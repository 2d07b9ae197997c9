package io.sparksr.partitioning.tiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BorderPolicyTest {

  private static int[] row(BorderPolicy p, int from, int to, int n) {
    int[] r = new int[to - from];
    for (int i = from; i < to; i++) {
      r[i - from] = p.map(i, n);
    }
    return r;
  }

  @Test
  void mapsTheDocumentedExamples() {
    // image a b c d = 0 1 2 3; two pixels of padding each side
    assertThat(row(BorderPolicy.REPLICATE, -2, 6, 4)).containsExactly(0, 0, 0, 1, 2, 3, 3, 3);
    assertThat(row(BorderPolicy.REFLECT, -2, 6, 4)).containsExactly(2, 1, 0, 1, 2, 3, 2, 1);
    assertThat(row(BorderPolicy.SYMMETRIC, -2, 6, 4)).containsExactly(1, 0, 0, 1, 2, 3, 3, 2);
    assertThat(row(BorderPolicy.ZERO, -2, 6, 4)).containsExactly(-1, -1, 0, 1, 2, 3, -1, -1);
  }

  @Test
  void padsWiderThanTheImageArePeriodic() {
    // MATLAB's aux = [1:n, n:-1:1] indexed with mod: period 2n
    assertThat(row(BorderPolicy.SYMMETRIC, -6, 8, 2))
        .containsExactly(1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0);
    assertThat(row(BorderPolicy.REFLECT, -5, 8, 3))
        .containsExactly(1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1);
    assertThat(row(BorderPolicy.REFLECT, -3, 4, 1)).containsOnly(0);
    assertThat(row(BorderPolicy.SYMMETRIC, -3, 4, 1)).containsOnly(0);
  }

  @Test
  void parsesNamesAndRejectsOthers() {
    assertThat(BorderPolicy.parse(" Reflect")).isEqualTo(BorderPolicy.REFLECT);
    assertThatThrownBy(() -> BorderPolicy.parse("wrap"))
        .hasMessageContaining("'wrap'").hasMessageContaining("replicate, reflect, symmetric, zero");
  }
}
