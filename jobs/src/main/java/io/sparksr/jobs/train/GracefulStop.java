package io.sparksr.jobs.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM / SIGINT (a JVM shutdown) into "finish this step, save a checkpoint, stop": the
 * hook sets {@link #requested()} and waits until the training loop has saved and closed this, at
 * most {@value #WAIT_SECONDS} s. It runs before Spark's and Hadoop's own shutdown hooks (Hadoop's
 * ShutdownHookManager runs hooks one after another, highest priority first), so the SparkContext
 * and the file systems are still open while the checkpoint is written. Measured need: a session
 * ended with {@code kill -TERM} lost 822 steps (5,278 saved, 6,100 reached) before this existed.
 */
final class GracefulStop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);
  /** Above Spark's (40) and the Hadoop file systems' (10) shutdown hooks. */
  static final int PRIORITY = 100;
  static final long WAIT_SECONDS = 300;

  private final CountDownLatch finished = new CountDownLatch(1);
  private final Runnable hook;
  private volatile boolean requested;

  private GracefulStop() {
    this.hook = () -> {
      requested = true;
      LOG.warn("stop requested: finishing the current step and saving a checkpoint");
      try {
        if (!finished.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          LOG.error("no checkpoint after {} s; stopping anyway", WAIT_SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /** Registers the hook; {@link #close} (after the loop) releases a waiting hook and removes it. */
  static GracefulStop install() {
    GracefulStop g = new GracefulStop();
    ShutdownHookManager.get().addShutdownHook(g.hook, PRIORITY, WAIT_SECONDS + 10,
        TimeUnit.SECONDS);
    return g;
  }

  boolean requested() {
    return requested;
  }

  @Override
  public void close() {
    finished.countDown();
    if (!ShutdownHookManager.get().isShutdownInProgress()) {
      ShutdownHookManager.get().removeShutdownHook(hook);
    }
  }
}
