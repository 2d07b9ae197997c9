package io.sparksr.jobs.evaluate;

import io.sparksr.model.ModelRegistry;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.TileOperator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One operator per model name per JVM: an executor loads a model once, not once per task, and
 * runs it once on a small input before the first timed inference (so a timing never includes
 * native initialisation or JIT warm-up).
 */
final class ModelCache {
  private static final ConcurrentHashMap<String, TileOperator> OPERATORS =
      new ConcurrentHashMap<>();
  private static final Set<String> WARM = ConcurrentHashMap.newKeySet();

  private ModelCache() {}

  static TileOperator get(String model) {
    return OPERATORS.computeIfAbsent(model, ModelRegistry::load);
  }

  /** Runs {@code op} once on a 16x16 input of {@code channels} channels, once per JVM and key. */
  static void warmUp(String model, TileOperator op, int scale, int channels) {
    if (WARM.add(model + "|" + scale + "|" + channels)) {
      op.apply(ImageTensor.zeros(channels, 16, 16), scale);
    }
  }
}
