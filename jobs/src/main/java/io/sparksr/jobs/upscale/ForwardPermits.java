package io.sparksr.jobs.upscale;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The per-JVM permits around the model's forward pass ({@code forward-permits}): with N permits
 * at most N forward passes run at once in an executor (e.g. 1 per GPU), while its other task
 * threads read, pad, encode and write. 0 means no limit.
 */
final class ForwardPermits {
  private static final ConcurrentHashMap<Integer, Semaphore> BY_COUNT = new ConcurrentHashMap<>();

  private ForwardPermits() {}

  /** The JVM's semaphore of {@code n} permits, or null for no limit. */
  static Semaphore get(int n) {
    return n <= 0 ? null : BY_COUNT.computeIfAbsent(n, k -> new Semaphore(k, true));
  }
}
