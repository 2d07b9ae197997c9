package io.sparksr.jobs.upscale;

import java.io.File;
import java.io.IOException;
import org.apache.spark.SparkEnv;

/**
 * Test-only fault injection for the cluster integration tests, inert unless the Spark conf sets
 * one of the keys below (nothing reads them in production; they only name local files of the
 * machine the executors run on).
 * <ul>
 *   <li>{@value #TILE_MARKERS}: a folder; every finished tile touches a file
 *       {@code <image index>-<tile index>} in it, so a test can act once a known number of tiles
 *       is done (e.g. kill an executor JVM).</li>
 *   <li>{@value #FAIL_ONCE}: a file; the first tile task to create it throws after all its work
 *       (part files included) is done, so Spark retries a task whose side effects exist.</li>
 * </ul>
 */
final class FaultHooks {
  static final String TILE_MARKERS = "spark.sparksr.test.tileMarkers";
  static final String FAIL_ONCE = "spark.sparksr.test.failOnceMarker";

  private final String markerDir;
  private final String failOnceMarker;

  private FaultHooks(String markerDir, String failOnceMarker) {
    this.markerDir = markerDir;
    this.failOnceMarker = failOnceMarker;
  }

  /** The hooks of this executor's Spark conf, read once per task (none outside Spark). */
  static FaultHooks forTask() {
    SparkEnv env = SparkEnv.get();
    return env == null ? new FaultHooks(null, null)
        : new FaultHooks(env.conf().get(TILE_MARKERS, null), env.conf().get(FAIL_ONCE, null));
  }

  void tileDone(int image, int tile) {
    if (markerDir != null) {
      try {
        new File(markerDir, image + "-" + tile).createNewFile();
      } catch (IOException e) {
        throw new IllegalStateException(TILE_MARKERS + ": cannot touch a marker in " + markerDir,
            e);
      }
    }
  }

  void failOnce() {
    if (failOnceMarker != null) {
      try {
        if (new File(failOnceMarker).createNewFile()) {
          throw new IllegalStateException(FAIL_ONCE + ": failing this task once, after its work");
        }
      } catch (IOException e) {
        throw new IllegalStateException(FAIL_ONCE + ": cannot create " + failOnceMarker, e);
      }
    }
  }
}
