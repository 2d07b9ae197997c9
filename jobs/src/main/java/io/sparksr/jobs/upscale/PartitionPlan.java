package io.sparksr.jobs.upscale;

import io.sparksr.partitioning.tiling.CostPacker;
import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.TileTask;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan of one partition of the listing ({@link PlanPartition}).
 *
 * @param partition the partition
 * @param settled   its inputs decided without inference (failed, skipped, ignored)
 * @param groups    its images that fit in one inference partition, packed whole (image order
 *                  kept) into groups of about {@code partition-megapixels} of output
 * @param spread    its images left to the driver: larger than a group, or to be converted first
 * @param totals    the plan in counts
 */
record PartitionPlan(int partition, List<ImageOutcome> settled, List<List<TileTask>> groups,
    List<ImageJob> spread, PlanTotals totals) implements Serializable {

  static PartitionPlan of(int partition, UpscalePlan plan, UpscaleJobConfig cfg) {
    double budget = cfg.partitionMegapixels() * 1e6;
    List<List<TileTask>> byImage = new ArrayList<>();
    for (TileTask t : plan.tasks()) { // the tasks of one image are adjacent
      if (byImage.isEmpty() || byImage.get(byImage.size() - 1).get(0).image() != t.image()) {
        byImage.add(new ArrayList<>());
      }
      byImage.get(byImage.size() - 1).add(t);
    }
    List<List<TileTask>> local = new ArrayList<>();
    List<Long> costs = new ArrayList<>();
    List<ImageJob> spread = new ArrayList<>();
    double total = 0;
    for (List<TileTask> tiles : byImage) {
      long cost = 0;
      for (TileTask t : tiles) {
        cost += t.cost(cfg.scale());
      }
      ImageJob im = tiles.get(0).image();
      if (im.convert() || cost > budget) {
        spread.add(im);
      } else {
        local.add(tiles);
        costs.add(cost);
        total += cost;
      }
    }
    List<List<TileTask>> groups = new ArrayList<>();
    if (!local.isEmpty()) {
      int[] starts = CostPacker.pack(costs.stream().mapToLong(Long::longValue).toArray(),
          (int) Math.max(1, Math.ceil(total / budget)));
      for (int g = 0; g < starts.length; g++) {
        int end = g + 1 < starts.length ? starts[g + 1] : local.size();
        List<TileTask> group = new ArrayList<>();
        local.subList(starts[g], end).forEach(group::addAll);
        groups.add(group);
      }
    }
    return new PartitionPlan(partition, plan.settled(), groups, spread, plan.totals());
  }

  /** What the driver collects of it. */
  Summary summary() {
    return new Summary(partition, groups.size(), groups.stream().mapToLong(List::size).sum(),
        spread, totals);
  }

  /** A partition's plan without its rows and groups, with its counts. */
  record Summary(int partition, int groups, long groupTiles, List<ImageJob> spread,
      PlanTotals totals) implements Serializable {}
}
