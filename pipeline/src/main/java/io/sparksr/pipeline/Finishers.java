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
 * thread per processor, daemon threads. Bounded: at most {@link #IN_FLIGHT} pieces of work are
 * queued or running; a partition that would add one more waits, so the pixels held for encoding
 * stay within a few images' or bands' worth.
 */
final class Finishers {
  /** Pieces of work queued or running at once, per JVM. */
  static final int IN_FLIGHT = Math.max(2, Runtime.getRuntime().availableProcessors());

  private static final ExecutorService POOL = Executors.newFixedThreadPool(
      Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "sparksr-finisher");
        t.setDaemon(true);
        return t;
      });
  private static final Semaphore PERMITS = new Semaphore(IN_FLIGHT);

  private Finishers() {}

  /** Runs {@code work} on the pool once a place is free (waits for one). */
  static <T> CompletableFuture<T> submit(Supplier<T> work) {
    acquire();
    return CompletableFuture.supplyAsync(work, POOL).whenComplete((v, e) -> PERMITS.release());
  }

  /** Runs {@code work} on the pool once {@code before} are done and a place is free. */
  static <T> CompletableFuture<T> after(List<? extends CompletableFuture<?>> before,
      Supplier<T> work) {
    acquire();
    return CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
        .handle((v, e) -> null)
        .thenApplyAsync(v -> work.get(), POOL)
        .whenComplete((v, e) -> PERMITS.release());
  }

  private static void acquire() {
    try {
      PERMITS.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for an encoder", e);
    }
  }
}
