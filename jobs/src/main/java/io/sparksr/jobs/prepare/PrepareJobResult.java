package io.sparksr.jobs.prepare;

import java.util.List;
import java.util.Map;

/**
 * What a prepare run produced.
 *
 * @param rows         patch rows per scale and split ("train"/"val")
 * @param dropped      flat patches dropped per scale
 * @param images       source images read
 * @param failedImages unreadable sources with the reason
 * @param bytes        size of the dataset on disk
 */
public record PrepareJobResult(String output, Map<Integer, Map<String, Long>> rows,
    Map<Integer, Long> dropped, int images, List<Failure> failedImages, long bytes,
    double seconds) {

  /** An image that could not be used. */
  public record Failure(String path, String reason) {}

  public long totalRows() {
    return rows.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue)
        .sum();
  }

  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("prepare: %d images (%d failed), %d rows, %.1f MB, %.1f s%n", images,
        failedImages.size(), totalRows(), bytes / 1e6, seconds));
    rows.forEach((s, m) -> sb.append(String.format("  x%d: %s rows, %d flat patches dropped%n", s,
        m, dropped.getOrDefault(s, 0L))));
    failedImages.forEach(f -> sb.append("  FAILED ").append(f.path()).append(": ")
        .append(f.reason()).append('\n'));
    sb.append("output: ").append(output);
    return sb.toString();
  }
}
