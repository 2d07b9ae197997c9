package io.sparksr.pipeline;

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
 * once on a small input before the first timed inference ({@link #warmUp}).
 */
public final class OperatorCache {
  private static final ConcurrentHashMap<String, TileOperator> CACHE = new ConcurrentHashMap<>();
  private static final Set<String> WARM = ConcurrentHashMap.newKeySet();

  private OperatorCache() {}

  /** The operator of {@code model}, loaded with {@code conf} the first time it is asked for. */
  public static TileOperator get(String model, Configuration conf) {
    return CACHE.computeIfAbsent(model, m -> ModelRegistry.load(m, conf));
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
    CACHE.put(name, op);
  }
}
