package io.sparksr.jobs.prepare;

import java.util.List;
import java.util.Map;

/**
 * What a prepare run produced.
 *
 * @param rows         patch rows per scale and split ("train"/"val")
 * @param dropped      flat patches dropped per scale
 * @param images       source images found (table rows for tables)
 * @param failed       of these, how many could not be read
 * @param failedImages unreadable sources with the reason (the first
 *                     {@value PrepareTotals#KEPT} by path)
 * @param ignored      files found that are not images (not read)
 * @param ignoredFiles some of them, with the reason (the first {@value #IGNORED_SHOWN} by path)
 * @param bytes        size of the dataset on disk
 */
public record PrepareJobResult(String output, Map<Integer, Map<String, Long>> rows,
    Map<Integer, Long> dropped, long images, long failed, List<Failure> failedImages,
    long ignored, List<Failure> ignoredFiles, long bytes, double seconds) {
  /** Ignored files named in the result and the summary; the rest are counted. */
  public static final int IGNORED_SHOWN = 20;

  /** A file that could not be used, and why. */
  public record Failure(String path, String reason) {}

  public long totalRows() {
    return rows.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue)
        .sum();
  }

  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("prepare: %d images (%d failed), %d other files ignored, %d rows, "
        + "%.1f MB, %.1f s%n", images, failed, ignored, totalRows(), bytes / 1e6, seconds));
    rows.forEach((s, m) -> sb.append(String.format("  x%d: %s rows, %d flat patches dropped%n", s,
        m, dropped.getOrDefault(s, 0L))));
    failedImages.forEach(f -> sb.append("  FAILED ").append(f.path()).append(": ")
        .append(f.reason()).append('\n'));
    if (failed > failedImages.size()) {
      sb.append(String.format("  ... and %d more failed images%n", failed - failedImages.size()));
    }
    ignoredFiles.forEach(f -> sb.append("  ignored ").append(f.path()).append(": ")
        .append(f.reason()).append('\n'));
    if (ignored > ignoredFiles.size()) {
      sb.append(String.format("  ... and %d more ignored files%n", ignored - ignoredFiles.size()));
    }
    sb.append("output: ").append(output);
    return sb.toString();
  }
}
