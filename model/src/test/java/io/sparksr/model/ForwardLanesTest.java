package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.ImageTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Forward passes run on the JVM's lanes, whatever thread calls the model. */
class ForwardLanesTest {

  @Test
  void laneCountComesFromThePropertyElseProcessorsOverOmpThreads() {
    assertThat(ForwardLanes.defaultLanes(null, "1", 2)).isEqualTo(2);
    assertThat(ForwardLanes.defaultLanes(null, "2", 2)).isEqualTo(1);
    assertThat(ForwardLanes.defaultLanes(null, "4", 16)).isEqualTo(4);
    assertThat(ForwardLanes.defaultLanes(null, "8", 2)).isEqualTo(1);
    assertThat(ForwardLanes.defaultLanes(null, null, 8)).isEqualTo(1);
    assertThat(ForwardLanes.defaultLanes(null, "x", 8)).isEqualTo(1);
    assertThat(ForwardLanes.defaultLanes("3", "1", 2)).isEqualTo(3);
    assertThatThrownBy(() -> ForwardLanes.defaultLanes("0", "1", 2))
        .hasMessageContaining("io.sparksr.model.lanes is '0'");
    assertThatThrownBy(() -> ForwardLanes.defaultLanes("two", "1", 2))
        .hasMessageContaining("positive integer");
  }

  /**
   * Twelve short-lived caller threads (like Spark task threads) get the caller-thread result, and
   * the graph is built at most once per lane, not once per caller.
   */
  @Test
  void shortLivedCallersShareTheLanesAndGetTheSameResults() throws Exception {
    NativeBackend.configure();
    SrTrainer t = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(20));
    List<TrainBatch> b = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      b.add(TestModels.noiseBatch(2 + i % 3, 2, 8, i));
    }
    t.fit(b.iterator());
    SrModel m = t.model();
    ImageTensor tile = TestModels.noise(20, 24, 7);
    ImageTensor expected = m.upscale(List.of(tile), 3).get(0);
    ForwardLanes lanes = ForwardLanes.shared();
    int built = lanes.graphsBuilt();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> callers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Thread th = new Thread(() -> {
        try {
          threads.add(Thread.currentThread().getName());
          ImageTensor got = m.upscale(List.of(tile, tile), 3).get(1);
          assertThat(TestModels.maxAbsDiff(got, expected)).isLessThan(1e-5);
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      th.start();
      callers.add(th);
      if (i % 2 == 1) {
        th.join(); // pairs at a time, each pair on fresh threads
      }
    }
    for (Thread th : callers) {
      th.join();
    }
    assertThat(threads).hasSize(12);
    assertThat(errors).isEmpty();
    // the first call (above) built at most one graph per lane; twelve callers add none beyond
    assertThat(lanes.graphsBuilt() - built).isLessThanOrEqualTo(lanes.lanes() - 1);
  }

  /**
   * A batch larger than one pass takes goes through in several passes with the same results; a
   * pass takes as many tiles as twice their working memory fits in the lane cache, at least one.
   */
  @Test
  void largeBatchesRunInSeveralPassesWithTheSameResults() {
    NativeBackend.configure();
    SrTrainer t = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(20));
    t.fit(List.of(TestModels.noiseBatch(2, 2, 8, 1)).iterator());
    SrModel m = t.model();
    List<ImageTensor> tiles = List.of(TestModels.noise(12, 16, 1), TestModels.noise(12, 16, 2),
        TestModels.noise(12, 16, 3));
    List<ImageTensor> one = m.upscale(tiles, 2, 3);
    List<ImageTensor> split = m.upscale(tiles, 2, 2);
    assertThat(split).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(TestModels.maxAbsDiff(split.get(i), one.get(i))).as("tile %d", i)
          .isLessThan(1e-5);
      assertThat(TestModels.maxAbsDiff(m.upscale(List.of(tiles.get(i)), 2).get(0), one.get(i)))
          .as("tile %d alone", i).isLessThan(1e-5);
    }
    // the largest count whose doubled working memory fits the cache
    long cache = ForwardLanes.cacheBytes();
    int most = m.tilesPerPass(12, 16, 2);
    long perTile = m.workingBytes(12, 16, 2);
    assertThat(2L * most * perTile).isLessThanOrEqualTo(cache);
    assertThat(2L * (most + 1) * perTile).isGreaterThan(cache);
    assertThat(m.tilesPerPass(20000, 20000, 4)).isEqualTo(1);
  }

  @Test
  void errorsOfAPassReachTheCallerUnchanged() {
    ForwardLanes lanes = ForwardLanes.shared();
    assertThatThrownBy(() -> lanes.call(() -> {
      throw new OutOfMemoryError("Cannot allocate 1 GB");
    })).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("Cannot allocate");
    assertThatThrownBy(() -> lanes.call(() -> {
      throw new IllegalArgumentException("bad");
    })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad");
    assertThat(lanes.call(() -> 42)).isEqualTo(42);
  }

  /** With N lanes, at most N passes run at once, however many threads call (N = 1, then 2). */
  @Test
  void atMostLanesPassesRunAtOnce() throws Exception {
    ForwardLanes lanes = new ForwardLanes(3);
    for (int n : new int[] {1, 2}) {
      lanes.resize(n);
      java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
      List<Thread> callers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Thread th = new Thread(() -> lanes.call(() -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          Thread.sleep(30);
          running.decrementAndGet();
          return null;
        }));
        th.start();
        callers.add(th);
      }
      for (Thread th : callers) {
        th.join();
      }
      assertThat(most.get()).as("lanes %d", n).isEqualTo(n);
    }
    assertThatThrownBy(() -> lanes.resize(0)).hasMessageContaining("must be >= 1");
  }
}
