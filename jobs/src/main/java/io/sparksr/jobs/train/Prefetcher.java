package io.sparksr.jobs.train;

import io.sparksr.model.TrainBatch;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongFunction;

/**
 * Builds the batches of steps {@code [from, to)} on a background thread, a few steps ahead, so the
 * optimiser never waits for cropping and conversion. Iteration order is step order. A failure of
 * the batch builder (any {@link Throwable}, also an {@link OutOfMemoryError}) reaches the consumer
 * at the step it happened: the queue is always ended, by the last batch or by the failure.
 */
final class Prefetcher implements Iterator<TrainBatch>, AutoCloseable {
  private static final Object END = new Object();

  /** What ended the producer early. */
  private record Failure(long step, Throwable cause) {}

  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private Object next;

  /**
   * @param batches the batch of a step (e.g. {@code BatchSampler::batch})
   * @param depth   how many batches may wait ahead
   */
  Prefetcher(LongFunction<TrainBatch> batches, long from, long to, int depth) {
    this.queue = new ArrayBlockingQueue<>(depth);
    this.thread = new Thread(() -> {
      long s = from;
      try {
        for (; s < to; s++) {
          queue.put(batches.apply(s));
        }
        queue.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Throwable t) {
        try {
          // blocking: the consumer takes the batches before it, then the failure
          queue.put(new Failure(s, t));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "sparksr-prefetch");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a batch", e);
      }
    }
    if (next instanceof Failure f) {
      if (f.cause() instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException("batch preparation failed at step " + f.step() + ": "
          + f.cause().getMessage(), f.cause());
    }
    return next != END;
  }

  @Override
  public TrainBatch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    TrainBatch b = (TrainBatch) next;
    next = null;
    return b;
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
