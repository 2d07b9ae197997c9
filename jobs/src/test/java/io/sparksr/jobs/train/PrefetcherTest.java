package io.sparksr.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.model.TrainBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Batches in step order; a failure of the builder reaches the consumer instead of a hang. */
class PrefetcherTest {
  private static TrainBatch batch(long step) {
    return new TrainBatch(2, 1, 1, 1, new float[] {step, 0, 0}, new float[12]);
  }

  private static List<Long> drain(Prefetcher p) {
    List<Long> steps = new ArrayList<>();
    while (p.hasNext()) {
      steps.add((long) p.next().lr()[0]);
    }
    return steps;
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void batchesComeInStepOrder() {
    try (Prefetcher p = new Prefetcher(PrefetcherTest::batch, 5, 12, 2)) {
      assertThat(drain(p)).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L);
    }
  }

  /**
   * The builder fails while the queue is full (it runs ahead of a slow consumer): the batches
   * before the failure still come, then the failure, naming the step. Before, the failure was
   * offered to the full queue and dropped, and the consumer waited for ever.
   */
  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aFailureWhileTheQueueIsFullReachesTheConsumer() throws Exception {
    LongFunction<TrainBatch> failing = s -> {
      if (s == 3) {
        throw new IllegalArgumentException("no patch for step 3");
      }
      return batch(s);
    };
    try (Prefetcher p = new Prefetcher(failing, 0, 10, 1)) {
      Thread.sleep(300); // the producer has filled the queue and waits on it
      List<Long> got = new ArrayList<>();
      assertThatThrownBy(() -> {
        while (p.hasNext()) {
          got.add((long) p.next().lr()[0]);
          Thread.sleep(50);
        }
      }).isInstanceOf(IllegalStateException.class)
          .hasMessage("batch preparation failed at step 3: no patch for step 3")
          .hasCauseInstanceOf(IllegalArgumentException.class);
      assertThat(got).containsExactly(0L, 1L, 2L);
    }
  }

  /** An Error (e.g. OutOfMemoryError while cropping) is rethrown as itself, not swallowed. */
  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void anErrorIsRethrownAsItself() {
    try (Prefetcher p = new Prefetcher(s -> {
      throw new OutOfMemoryError("Java heap space");
    }, 0, 10, 2)) {
      assertThatThrownBy(p::hasNext).isInstanceOf(OutOfMemoryError.class)
          .hasMessage("Java heap space");
    }
  }
}
