package io.sparksr.jobs.upscale;

import io.sparksr.model.ModelRegistry;
import io.sparksr.partitioning.TileOperator;
import java.util.concurrent.ConcurrentHashMap;

/** One operator per model per JVM: executors load a model once, not once per task. */
final class OperatorCache {
  private static final ConcurrentHashMap<String, TileOperator> CACHE = new ConcurrentHashMap<>();

  private OperatorCache() {}

  static TileOperator get(String model) {
    return CACHE.computeIfAbsent(model, ModelRegistry::load);
  }
}
