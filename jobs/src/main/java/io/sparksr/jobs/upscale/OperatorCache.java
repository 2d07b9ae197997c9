package io.sparksr.jobs.upscale;

import io.sparksr.model.ModelRegistry;
import io.sparksr.partitioning.inference.TileOperator;
import java.util.concurrent.ConcurrentHashMap;

/** One operator per model per JVM: executors load a model once, not once per task. */
final class OperatorCache {
  private static final ConcurrentHashMap<String, TileOperator> CACHE = new ConcurrentHashMap<>();

  private OperatorCache() {}

  static TileOperator get(String model) {
    return CACHE.computeIfAbsent(model, ModelRegistry::load);
  }

  /**
   * Makes {@code name} resolve to {@code op} in this JVM (tests in local mode, where driver and
   * executors share the JVM, use it to run the job with an instrumented operator).
   */
  static void register(String name, TileOperator op) {
    CACHE.put(name, op);
  }
}
