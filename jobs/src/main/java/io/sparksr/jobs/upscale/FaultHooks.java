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

  private FaultHooks() {}

  private static String conf(String key) {
    SparkEnv env = SparkEnv.get();
    return env == null ? null : env.conf().get(key, null);
  }

  static void tileDone(int image, int tile) {
    String dir = conf(TILE_MARKERS);
    if (dir != null) {
      try {
        new File(dir, image + "-" + tile).createNewFile();
      } catch (IOException e) {
        throw new IllegalStateException(TILE_MARKERS + ": cannot touch a marker in " + dir, e);
      }
    }
  }

  static void failOnce() {
    String marker = conf(FAIL_ONCE);
    if (marker != null) {
      try {
        if (new File(marker).createNewFile()) {
          throw new IllegalStateException(FAIL_ONCE + ": failing this task once, after its work");
        }
      } catch (IOException e) {
        throw new IllegalStateException(FAIL_ONCE + ": cannot create " + marker, e);
      }
    }
  }
}
