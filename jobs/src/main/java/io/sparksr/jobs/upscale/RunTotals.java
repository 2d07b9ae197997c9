package io.sparksr.jobs.upscale;

import io.sparksr.pipeline.ImageOutcome;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run did, in counts: each task that writes a part of the manifest counts its rows, and
 * the driver sums the parts ({@link #plus}): it never holds a row per image.
 *
 * @param ok            images written
 * @param failed        inputs that failed
 * @param skipped       inputs whose output existed
 * @param ignored       files found that are not read
 * @param outputPixels  output pixels written
 * @param outputBytes   bytes written
 * @param busySeconds   executor seconds spent on the written images
 * @param failures      the first {@value PlanTotals#SHOWN} failures in path order, "input: reason"
 * @param ignoredByWhy  ignored files counted by reason
 */
record RunTotals(long ok, long failed, long skipped, long ignored, long outputPixels,
    long outputBytes, double busySeconds, List<String> failures, Map<String, Long> ignoredByWhy)
    implements Serializable {
  static final RunTotals NONE = new RunTotals(0, 0, 0, 0, 0, 0, 0, List.of(), Map.of());

  RunTotals {
    failures = List.copyOf(failures);
    ignoredByWhy = Map.copyOf(ignoredByWhy);
  }

  static RunTotals of(List<ImageOutcome> rows) {
    long ok = 0;
    long failed = 0;
    long skipped = 0;
    long ignored = 0;
    long pixels = 0;
    long bytes = 0;
    double busy = 0;
    List<String> failures = new ArrayList<>();
    Map<String, Long> why = new TreeMap<>();
    for (ImageOutcome o : rows) {
      if (o.ok()) {
        ok++;
        pixels += o.outputWidth() * o.outputHeight();
        bytes += Math.max(0, o.outputBytes());
        busy += o.seconds();
      } else if (o.isFailed()) {
        failed++;
        failures.add(o.input() + ": " + o.reason());
      } else if (o.skipped()) {
        skipped++;
      } else if (o.ignored()) {
        ignored++;
        why.merge(o.reason(), 1L, Long::sum);
      }
    }
    return new RunTotals(ok, failed, skipped, ignored, pixels, bytes, busy,
        PlanTotals.firstInOrder(failures, List.of(), PlanTotals.SHOWN), why);
  }

  /** A dry run's counts: the inputs its plan already decided (failed, skipped, ignored). */
  static RunTotals planned(PlanTotals plan) {
    return new RunTotals(0, plan.failed(), plan.skipped(), plan.ignored(), 0, 0, 0,
        plan.failures(), Map.of());
  }

  RunTotals plus(RunTotals o) {
    Map<String, Long> why = new TreeMap<>(ignoredByWhy);
    o.ignoredByWhy.forEach((k, v) -> why.merge(k, v, Long::sum));
    return new RunTotals(ok + o.ok, failed + o.failed, skipped + o.skipped, ignored + o.ignored,
        outputPixels + o.outputPixels, outputBytes + o.outputBytes, busySeconds + o.busySeconds,
        PlanTotals.firstInOrder(failures, o.failures, PlanTotals.SHOWN), why);
  }

  long rows() {
    return ok + failed + skipped + ignored;
  }
}
