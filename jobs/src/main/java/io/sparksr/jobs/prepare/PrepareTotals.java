package io.sparksr.jobs.prepare;

import io.sparksr.jobs.prepare.PatchRows.ImageStats;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/**
 * A prepare run's counts, summed on the executors: images read, rows per scale and split, flat
 * patches dropped per scale, and the failed images (the first {@value #KEPT} by path with their
 * reasons, all of them counted). The driver holds these sums, not one entry per image. The
 * patches are made in the stage that writes them (result tasks), whose accumulator updates Spark
 * applies once per partition, retried tasks included.
 */
final class PrepareTotals extends AccumulatorV2<ImageStats, PrepareTotals.Sums> {
  private static final long serialVersionUID = 1L;
  /** Failed images kept with their reason; the rest are counted. */
  static final int KEPT = 1000;

  private long images;
  private long failed;
  private final TreeMap<Integer, TreeMap<String, Long>> rows = new TreeMap<>();
  private final TreeMap<Integer, Long> dropped = new TreeMap<>();
  private final TreeMap<String, String> failures = new TreeMap<>();

  @Override
  public boolean isZero() {
    return images == 0 && failed == 0 && rows.isEmpty() && dropped.isEmpty();
  }

  @Override
  public PrepareTotals copy() {
    PrepareTotals t = new PrepareTotals();
    t.merge(this);
    return t;
  }

  @Override
  public void reset() {
    images = 0;
    failed = 0;
    rows.clear();
    dropped.clear();
    failures.clear();
  }

  @Override
  public void add(ImageStats s) {
    if (s.error() != null) {
      failed++;
      keep(s.path(), s.error());
      return;
    }
    images++;
    s.rows().forEach((scale, n) -> rows.computeIfAbsent(scale, k -> new TreeMap<>())
        .merge(s.split(), n, Long::sum));
    s.dropped().forEach((scale, n) -> dropped.merge(scale, n, Long::sum));
  }

  @Override
  public void merge(AccumulatorV2<ImageStats, Sums> other) {
    PrepareTotals o = (PrepareTotals) other;
    images += o.images;
    failed += o.failed;
    o.rows.forEach((scale, m) -> m.forEach((split, n) -> rows
        .computeIfAbsent(scale, k -> new TreeMap<>()).merge(split, n, Long::sum)));
    o.dropped.forEach((scale, n) -> dropped.merge(scale, n, Long::sum));
    o.failures.forEach(this::keep);
  }

  private void keep(String path, String why) {
    failures.put(path, why);
    if (failures.size() > KEPT) {
      failures.pollLastEntry();
    }
  }

  @Override
  public Sums value() {
    Map<Integer, Map<String, Long>> r = new TreeMap<>();
    rows.forEach((scale, m) -> r.put(scale, new TreeMap<>(m)));
    return new Sums(images, failed, r, new TreeMap<>(dropped), new TreeMap<>(failures));
  }

  /**
   * The sums.
   *
   * @param images   images read (patches cut, possibly none)
   * @param failed   images that could not be read
   * @param rows     rows per scale and split
   * @param dropped  flat patches dropped per scale
   * @param failures the first {@value #KEPT} failed images by path, with their reasons
   */
  record Sums(long images, long failed, Map<Integer, Map<String, Long>> rows,
      Map<Integer, Long> dropped, Map<String, String> failures) implements java.io.Serializable {}
}
