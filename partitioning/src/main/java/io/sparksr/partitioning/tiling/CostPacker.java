package io.sparksr.partitioning.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs an ordered list of work items (tiles) into contiguous groups (Spark partitions) of about
 * equal cost. Contiguity keeps the tiles of one image together, so a partition decodes an image
 * once; cost (output pixels) rather than count balances a huge image against many small ones.
 */
public final class CostPacker {
  private CostPacker() {}

  /**
   * Splits items {@code 0..costs.length-1} into at most {@code groups} contiguous, non-empty
   * ranges. Item i goes to group floor((costBefore(i) + cost(i) / 2) * groups / total): each
   * group's cost is within one item of total / groups.
   *
   * @return the start index of each group, ascending, beginning with 0
   */
  public static int[] pack(long[] costs, int groups) {
    if (groups < 1) {
      throw new IllegalArgumentException("groups is " + groups + " but must be >= 1");
    }
    if (costs.length == 0) {
      return new int[0];
    }
    double total = 0;
    for (long c : costs) {
      if (c < 0) {
        throw new IllegalArgumentException("cost is " + c + " but must be >= 0");
      }
      total += c;
    }
    List<Integer> starts = new ArrayList<>();
    double before = 0;
    int last = -1;
    for (int i = 0; i < costs.length; i++) {
      int g = total == 0 ? (int) ((long) i * groups / costs.length)
          : (int) Math.min(groups - 1, Math.floor((before + costs[i] / 2.0) * groups / total));
      if (g != last) {
        starts.add(i);
        last = g;
      }
      before += costs[i];
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }
}
