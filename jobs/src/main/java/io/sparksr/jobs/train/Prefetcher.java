package io.sparksr.jobs.train;

import io.sparksr.model.BatchSampler;
import io.sparksr.model.TrainBatch;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Builds the batches of steps {@code [from, to)} on a background thread, a few steps ahead, so the
 * optimiser never waits for cropping and conversion. Iteration order is step order.
 */
final class Prefetcher implements Iterator<TrainBatch>, AutoCloseable {
  private static final Object END = new Object();

  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private Object next;

  Prefetcher(BatchSampler sampler, long from, long to, int depth) {
    this.queue = new ArrayBlockingQueue<>(depth);
    this.thread = new Thread(() -> {
      try {
        for (long s = from; s < to; s++) {
          queue.put(sampler.batch(s));
        }
        queue.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        queue.offer(e);
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
    if (next instanceof RuntimeException e) {
      throw new IllegalStateException("batch preparation failed: " + e.getMessage(), e);
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
