package io.sparksr.pipeline;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The executor's encoders: PNG bands and whole images are encoded and written here while the
 * partition's thread goes on with the network ({@link PartitionUpscaler}), so a core never waits
 * for an encoder and the network never waits for a write. One pool per JVM (an executor), one
 * thread per processor, daemon threads. Bounded by memory: each piece of work holds the bytes
 * of the pixels it encodes until it is done, out of a budget of twice the run's forward-pass
 * budget ({@code batch-memory-mb}, {@link Tiling#budgetBytes}; 512 MiB by default); a partition
 * whose piece does not fit waits (a piece larger than the whole budget runs alone).
 */
final class Finishers {
  private static final ExecutorService POOL = Executors.newFixedThreadPool(
      Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "sparksr-finisher");
        t.setDaemon(true);
        return t;
      });
  /** Budget in MiB (permits), fixed by the first run in this JVM. */
  private static volatile Semaphore mib;
  private static volatile int budgetMib;

  private Finishers() {}

  /**
   * Runs {@code work} on the pool once {@code bytes} fit in the budget (waits until they do).
   *
   * @param bytes  the pixels the work holds until it is done
   * @param tiling the run's tiling (its forward-pass budget sizes the encoders' budget)
   */
  static <T> CompletableFuture<T> submit(long bytes, Tiling tiling, Supplier<T> work) {
    int held = acquire(bytes, tiling);
    return CompletableFuture.supplyAsync(work, POOL).whenComplete((v, e) -> mib.release(held));
  }

  /** Runs {@code work} on the pool once {@code before} are done and {@code bytes} fit. */
  static <T> CompletableFuture<T> after(List<? extends CompletableFuture<?>> before, long bytes,
      Tiling tiling, Supplier<T> work) {
    int held = acquire(bytes, tiling);
    return CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
        .handle((v, e) -> null)
        .thenApplyAsync(v -> work.get(), POOL)
        .whenComplete((v, e) -> mib.release(held));
  }

  /** Takes min(bytes, budget) worth of permits (at least one MiB); returns how many. */
  private static int acquire(long bytes, Tiling tiling) {
    if (mib == null) {
      synchronized (Finishers.class) {
        if (mib == null) {
          budgetMib = (int) Math.max(1, Math.min(Integer.MAX_VALUE / 2,
              2 * tiling.budgetBytes() >> 20));
          mib = new Semaphore(budgetMib);
        }
      }
    }
    int want = (int) Math.max(1, Math.min(budgetMib, (bytes + (1 << 20) - 1) >> 20));
    try {
      mib.acquire(want);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for an encoder", e);
    }
    return want;
  }
}
