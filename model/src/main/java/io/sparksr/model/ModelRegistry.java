package io.sparksr.model;

import io.sparksr.partitioning.BicubicOperator;
import io.sparksr.partitioning.TileOperator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Resolves a model name to a {@link TileOperator}. Built-in operators are registered by a stable
 * name here (one line each); trained model bundles are loaded from a path (later).
 */
public final class ModelRegistry {
  private static final Map<String, Supplier<TileOperator>> BUILT_IN = new LinkedHashMap<>();

  static {
    BUILT_IN.put("bicubic", BicubicOperator::new);
  }

  private ModelRegistry() {}

  /** The names of the built-in operators, in registration order. */
  public static java.util.Set<String> builtInNames() {
    return java.util.Collections.unmodifiableSet(BUILT_IN.keySet());
  }

  /** Whether {@code name} is a built-in operator. */
  public static boolean isBuiltIn(String name) {
    return BUILT_IN.containsKey(name);
  }

  /**
   * The operator for {@code name}.
   *
   * @throws IllegalArgumentException naming the model and the known names
   */
  public static TileOperator load(String name) {
    Supplier<TileOperator> s = BUILT_IN.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "'model' is '" + name + "' but must be one of " + BUILT_IN.keySet());
    }
    return s.get();
  }
}
