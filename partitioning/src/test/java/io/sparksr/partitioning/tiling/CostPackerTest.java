package io.sparksr.partitioning.tiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CostPackerTest {

  @Test
  void equalCostsSplitEvenly() {
    assertThat(CostPacker.pack(new long[] {1, 1, 1, 1, 1, 1}, 3)).containsExactly(0, 2, 4);
    assertThat(CostPacker.pack(new long[] {5, 5}, 4)).containsExactly(0, 1);
    assertThat(CostPacker.pack(new long[0], 4)).isEmpty();
  }

  @Test
  void aHugeItemGetsAGroupOfItsOwn() {
    // one 100-cost tile among 1-cost ones: the rest must not pile onto it
    long[] costs = {1, 1, 1, 100, 1, 1, 1};
    int[] starts = CostPacker.pack(costs, 4);
    assertThat(starts).contains(3);
    assertThat(starts).contains(4);
  }

  @Test
  void groupsAreContiguousNonEmptyAndBalancedWithinOneItem() {
    Random rnd = new Random(5);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(300);
      int groups = 1 + rnd.nextInt(40);
      long[] costs = new long[n];
      long total = 0;
      long max = 0;
      for (int i = 0; i < n; i++) {
        costs[i] = rnd.nextInt(10) == 0 ? rnd.nextInt(5000) : rnd.nextInt(100);
        total += costs[i];
        max = Math.max(max, costs[i]);
      }
      int[] starts = CostPacker.pack(costs, groups);
      assertThat(starts[0]).isZero();
      assertThat(starts.length).isBetween(1, groups);
      for (int g = 0; g < starts.length; g++) {
        int end = g + 1 < starts.length ? starts[g + 1] : n;
        assertThat(end).isGreaterThan(starts[g]);
        long cost = 0;
        for (int i = starts[g]; i < end; i++) {
          cost += costs[i];
        }
        assertThat((double) cost).isLessThanOrEqualTo((double) total / groups + 2.0 * max);
      }
    }
  }
}
