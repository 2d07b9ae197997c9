package io.sparksr.jobs.upscale;

import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Console progress of a run on the driver: a daemon thread that logs, every few seconds, tiles
 * done / total, output megapixels per second and the time left, from two Spark accumulators
 * (updated as tasks finish). The Spark UI stays available in cluster modes.
 */
final class UpscaleProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UpscaleProgress.class);

  private final Thread thread;
  private volatile boolean stopped;

  UpscaleProgress(long totalTiles, LongSupplier tilesDone, LongSupplier pixelsDone,
      double everySeconds) {
    this(totalTiles, "tiles", tilesDone, pixelsDone, everySeconds);
  }

  /** @param unit what is counted ("tiles", "rows") */
  UpscaleProgress(long totalTiles, String unit, LongSupplier tilesDone, LongSupplier pixelsDone,
      double everySeconds) {
    long start = System.nanoTime();
    this.thread = new Thread(() -> {
      long lastDone = -1;
      while (!stopped) {
        try {
          Thread.sleep((long) (everySeconds * 1000));
        } catch (InterruptedException e) {
          return;
        }
        long done = tilesDone.getAsLong();
        if (!stopped && done != lastDone) {
          LOG.info(line(done, totalTiles, unit, pixelsDone.getAsLong(),
              (System.nanoTime() - start) / 1e9));
          lastDone = done;
        }
      }
    }, "upscale-progress");
    thread.setDaemon(true);
    if (everySeconds > 0 && totalTiles > 0) {
      thread.start();
    }
  }

  /** One progress line: {@code upscale: 120/400 tiles (30 %), 3.2 MP/s, ETA 1m30s}. */
  static String line(long done, long total, long pixels, double seconds) {
    return line(done, total, "tiles", pixels, seconds);
  }

  /** One progress line counting {@code unit}. */
  static String line(long done, long total, String unit, long pixels, double seconds) {
    double mps = seconds > 0 ? pixels / 1e6 / seconds : 0;
    String eta = done <= 0 ? "ETA unknown"
        : "ETA " + duration(seconds / done * (total - done));
    return String.format(Locale.ROOT, "upscale: %,d/%,d %s (%d %%), %.2f MP/s, %s", done,
        total, unit, total == 0 ? 100 : done * 100 / total, mps, eta);
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    }
    return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
  }
}
