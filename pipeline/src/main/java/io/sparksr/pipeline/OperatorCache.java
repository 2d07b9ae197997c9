package io.sparksr.pipeline;

import io.sparksr.io.HadoopFiles;
import io.sparksr.model.ModelRegistry;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.SelfEnsemble;
import io.sparksr.partitioning.inference.TileOperator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;

/**
 * One operator per model name per JVM: a driver or executor loads a model once, not once per
 * task ({@link ModelRegistry#load}, through the job's Hadoop configuration, so a bundle on a file
 * system configured with {@code spark.hadoop.*} settings loads on executors too), and runs it
 * once on a small input before the first timed inference ({@link #warmUp}). A bundle given by
 * path is loaded again when its file changed (size or modification time: a training run rewrites
 * its checkpoint), so a long-lived JVM does not keep running weights the file no longer holds.
 */
public final class OperatorCache {
  /** An operator and, for a bundle file, the file's size and modification time when loaded. */
  private record Entry(TileOperator op, long size, long modified) {}

  private static final ConcurrentHashMap<String, Entry> CACHE = new ConcurrentHashMap<>();
  private static final Set<String> WARM = ConcurrentHashMap.newKeySet();

  private OperatorCache() {}

  /**
   * The operator of {@code model}, loaded with {@code conf} the first time it is asked for (and
   * again when a bundle file changed since).
   */
  public static TileOperator get(String model, Configuration conf) {
    if (ModelRegistry.isNamed(model)) {
      return CACHE.computeIfAbsent(model, m -> new Entry(ModelRegistry.load(m, conf), -1, -1))
          .op();
    }
    long[] stat = stat(model, conf);
    // unchanged, or not stat-able now (a registered name, a passing file-system error): keep
    return CACHE.compute(model, (m, e) -> e != null && (stat[0] < 0
        || e.size() == stat[0] && e.modified() == stat[1]) ? e
        : new Entry(ModelRegistry.load(m, conf), stat[0], stat[1])).op();
  }

  /** Size and modification time of a bundle file; -1s when it cannot be read (load says why). */
  private static long[] stat(String path, Configuration conf) {
    try {
      return new long[] {HadoopFiles.size(conf, path), HadoopFiles.modified(conf, path)};
    } catch (java.io.IOException | IllegalArgumentException e) {
      return new long[] {-1, -1};
    }
  }

  /**
   * The SHA-256 of the weights behind {@code op} (a model bundle, also inside a self-ensemble),
   * as outputs record it; "" for an operator without weights (bicubic).
   */
  public static String sha256(TileOperator op) {
    return SelfEnsemble.unwrap(op) instanceof io.sparksr.model.SrModel m && m.checksum() != null
        ? m.checksum() : "";
  }

  /**
   * The operator of {@code model} as a run uses it: the model itself, or its x8
   * {@link SelfEnsemble} (which holds no state of its own beyond the cached model).
   */
  public static TileOperator get(String model, boolean selfEnsemble, Configuration conf) {
    TileOperator op = get(model, conf);
    return selfEnsemble ? new SelfEnsemble(op) : op;
  }

  /**
   * Runs {@code op} once on a 16x16 input of {@code channels} channels, once per JVM and key, so a
   * timing never includes native initialisation or JIT warm-up.
   */
  public static void warmUp(String model, TileOperator op, int scale, int channels) {
    if (WARM.add(model + "|" + scale + "|" + channels)) {
      op.apply(ImageTensor.zeros(channels, 16, 16), scale);
    }
  }

  /**
   * Makes {@code name} resolve to {@code op} in this JVM (tests in local mode, where driver and
   * executors share the JVM, use it to run a job with an instrumented operator).
   */
  public static void register(String name, TileOperator op) {
    CACHE.put(name, new Entry(op, -1, -1));
  }
}
