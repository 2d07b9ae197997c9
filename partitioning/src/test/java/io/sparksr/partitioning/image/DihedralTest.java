package io.sparksr.partitioning.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DihedralTest {

  @Test
  void knownTwoByTwoTransforms() {
    // a b      d=1 (flip LR): b a   d=2 (flip TB): c d   d=4 (transpose): a c
    // c d                    d c                  a b                    b d
    byte[] p = {'a', 'b', 'c', 'd'};
    assertThat(new String(Dihedral.apply(p, 2, 1, 1))).isEqualTo("badc");
    assertThat(new String(Dihedral.apply(p, 2, 1, 2))).isEqualTo("cdab");
    assertThat(new String(Dihedral.apply(p, 2, 1, 3))).isEqualTo("dcba");
    assertThat(new String(Dihedral.apply(p, 2, 1, 4))).isEqualTo("acbd");
  }

  @Test
  void formTheGroupOfTheSquare() {
    byte[] p = new byte[5 * 5 * 3];
    new Random(1).nextBytes(p);
    Set<String> seen = new HashSet<>();
    for (int d = 0; d < 8; d++) {
      seen.add(java.util.Arrays.toString(Dihedral.apply(p, 5, 3, d)));
    }
    assertThat(seen).hasSize(8);
    byte[] r = p;
    for (int i = 0; i < 4; i++) {
      r = Dihedral.apply(r, 5, 3, 5);
    }
    assertThat(r).isEqualTo(p);
    assertThat(Dihedral.apply(Dihedral.apply(p, 5, 3, 5), 5, 3, 6)).isEqualTo(p);
    assertThat(Dihedral.transforms(true, true)).hasSize(8);
    assertThat(Dihedral.transforms(false, true)).containsExactly(0, 5, 3, 6);
  }
}
