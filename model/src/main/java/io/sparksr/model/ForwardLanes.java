package io.sparksr.model;

import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's forward lanes: a fixed set of long-lived threads on which every forward pass of every
 * {@link SrModel} runs. Callers (Spark task threads, the trainer's validation) block until their
 * pass is done.
 *
 * <p>Why: SameDiff keeps its inference state (placeholders, the array cache of up to a quarter of
 * JavaCPP's {@code maxbytes}) per calling thread and never drops it when the thread ends. Spark
 * runs tasks on pooled threads that come and go, so calling the graph from task threads grew the
 * resident memory by ~400 MB per thread (measured: 30 passes of two 332-pixel tiles at x4, each
 * from a new thread, RSS 1.5 GB to 9.8 GB; on the lanes it stays flat). On the lanes the state
 * exists once per lane.
 *
 * <p>How many: {@code -Dio.sparksr.model.lanes=N}, else the available processors divided by
 * {@code OMP_NUM_THREADS} (each pass uses that many cores), at least 1: two lanes of one thread
 * on a 2-core local run, one lane of all cores when OMP_NUM_THREADS equals the cores.
 */
public final class ForwardLanes {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardLanes.class);
  private static volatile ForwardLanes shared;
  /** Per lane thread: its graphs of each model by variant (weak keys: graphs of dropped models
   *  go too). */
  private static final ThreadLocal<Map<Object, Map<Integer, Object>>> LOCAL =
      ThreadLocal.withInitial(WeakHashMap::new);

  private static final ThreadLocal<ArrayCacheMemoryMgr> ARRAY_CACHE = ThreadLocal.withInitial(
      () -> {
        long max = org.bytedeco.javacpp.Pointer.maxBytes();
        return new ArrayCacheMemoryMgr(max <= 0 ? 0.25
            : Math.min(0.5, Math.max(1e-6, cacheBytes() / (double) max)), 1024, 2.0);
      });

  private int lanes;
  /** The GPU the lanes run on (-1: ND4J's choice; CPU builds ignore it). */
  private volatile int device = -1;
  private static final ThreadLocal<int[]> BOUND = ThreadLocal.withInitial(() -> new int[] {-1});
  private final ThreadPoolExecutor pool;
  private final AtomicInteger graphsBuilt = new AtomicInteger();

  ForwardLanes(int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException("forward lanes is " + lanes + " but must be >= 1");
    }
    this.lanes = lanes;
    AtomicInteger n = new AtomicInteger();
    this.pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(lanes, r -> {
      Thread t = new Thread(r, "sparksr-forward-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** The JVM's lanes (created on first use). */
  public static ForwardLanes shared() {
    ForwardLanes l = shared;
    if (l == null) {
      synchronized (ForwardLanes.class) {
        l = shared;
        if (l == null) {
          int n = defaultLanes(System.getProperty("io.sparksr.model.lanes"),
              System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
          LOG.info("forward lanes: {} (io.sparksr.model.lanes={}, OMP_NUM_THREADS={}, {} processors)",
              n, System.getProperty("io.sparksr.model.lanes"), System.getenv("OMP_NUM_THREADS"),
              Runtime.getRuntime().availableProcessors());
          l = new ForwardLanes(n);
          shared = l;
        }
      }
    }
    return l;
  }

  /**
   * The number of lanes from the system property (wins when set), else processors / OMP threads.
   *
   * @throws IllegalArgumentException naming the property when it is not a positive integer
   */
  static int defaultLanes(String property, String ompThreads, int processors) {
    if (property != null && !property.isBlank()) {
      try {
        int n = Integer.parseInt(property.trim());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through to the error
      }
      throw new IllegalArgumentException("system property io.sparksr.model.lanes is '" + property
          + "' but must be a positive integer");
    }
    int omp = processors;
    if (ompThreads != null) {
      try {
        omp = Math.max(1, Integer.parseInt(ompThreads.trim()));
      } catch (NumberFormatException e) {
        omp = processors;
      }
    }
    return Math.max(1, processors / omp);
  }

  /**
   * Bytes of released activations each lane's inference session may keep for reuse:
   * {@code -Dio.sparksr.model.laneCacheMb} (default 1024). A pass over a full 588 x 588 tile
   * releases and re-requests several hundred MB of activations: with 256 MiB they went back to the
   * allocator and were fetched again every pass (x2, 2 lanes: 112 against 165 GFLOP/s at 1024 MiB;
   * a 2000 x 1920 photo upscaled in 27.0-27.2 s at 3.2-3.6 GB peak RSS against 21.3-21.8 s at
   * 1.9 GB; docs/BENCHMARKS.md). The bound still matters for tiles of many shapes (photos of many
   * sizes): 40 passes of two tiles of random sides 96-304, each from a new caller thread, -Xmx3g,
   * 2 lanes: a 1536 MiB cache peaked at 4.3 GB RSS, 256 MiB at 2.2 GB, at the same speed (small
   * tiles). SameDiff's no-cache manager is worse (8.2 GB): it leaves released arrays to the
   * garbage collector.
   */
  public static long cacheBytes() {
    String p = System.getProperty("io.sparksr.model.laneCacheMb", "1024");
    try {
      long mb = Long.parseLong(p.trim());
      if (mb >= 1) {
        return mb << 20;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("system property io.sparksr.model.laneCacheMb is '" + p
        + "' but must be a whole number of MiB >= 1");
  }

  /**
   * The calling lane's array cache ({@link #cacheBytes()}), made on first use and shared by every
   * inference session of the lane (all its models and graph variants: a lane runs one pass at a
   * time), so the bound holds per lane whatever the number of graphs. SameDiff's own default may
   * hold a quarter of JavaCPP's maxbytes per session.
   */
  static ArrayCacheMemoryMgr arrayCache() {
    return ARRAY_CACHE.get();
  }

  public synchronized int lanes() {
    return lanes;
  }

  /**
   * Sets the number of lanes (the upscale job's {@code forward-permits}, e.g. 1 per GPU). Lanes
   * dropped by a smaller number end when idle, and their graphs with them.
   */
  public synchronized void resize(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("forward lanes is " + n + " but must be >= 1");
    }
    if (n == lanes) {
      return;
    }
    if (n > lanes) {
      pool.setMaximumPoolSize(n);
      pool.setCorePoolSize(n);
    } else {
      pool.setCorePoolSize(n);
      pool.setMaximumPoolSize(n);
    }
    LOG.info("forward lanes: {} -> {}", lanes, n);
    lanes = n;
  }

  /**
   * Runs the lanes' passes on GPU {@code device} (the address Spark assigned to the executor's
   * "gpu" resource): each lane binds its thread to it before its next pass.
   */
  public void useDevice(int device) {
    if (device != this.device) {
      LOG.info("forward lanes: GPU {}", device);
      this.device = device;
    }
  }

  /** How many per-lane graphs have been built in this JVM (for tests and logs). */
  public int graphsBuilt() {
    return graphsBuilt.get();
  }

  /**
   * Runs {@code pass} on a lane and returns its result; errors (also {@link OutOfMemoryError})
   * are rethrown as they are, so callers can react to them (e.g. halve the batch).
   *
   * @throws CancellationException when the caller is interrupted while waiting
   */
  public <T> T call(Callable<T> pass) {
    Future<T> f = pool.submit(() -> {
      int d = device;
      int[] bound = BOUND.get();
      if (d >= 0 && bound[0] != d) {
        org.nd4j.linalg.factory.Nd4j.getAffinityManager().unsafeSetDevice(d);
        bound[0] = d;
      }
      return pass.call();
    });
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for a forward pass");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c.getMessage(), c);
    }
  }

  /**
   * The calling lane thread's graph {@code variant} of {@code owner} (held weakly: a dropped
   * model's graphs go with it), made by {@code make} on first use.
   */
  @SuppressWarnings("unchecked")
  static <T> T local(Object owner, int variant, Supplier<T> make) {
    Map<Integer, Object> m = LOCAL.get().computeIfAbsent(owner, k -> new HashMap<>());
    Object v = m.get(variant);
    if (v == null) {
      v = make.get();
      m.put(variant, v);
      ForwardLanes l = shared;
      if (l != null) {
        l.graphsBuilt.incrementAndGet();
      }
    }
    return (T) v;
  }
}
