package io.sparksr.model;

import io.sparksr.partitioning.inference.BicubicOperator;
import io.sparksr.partitioning.inference.TileOperator;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;

/**
 * Resolves a model name to a {@link TileOperator}:
 * <ul>
 *   <li>a built-in operator registered by a stable name here (one line each): {@code bicubic};</li>
 *   <li>{@value #DEFAULT}: the model bundle shipped in this module's resources
 *       ({@value #DEFAULT_RESOURCE}, so it is inside the application jar too);</li>
 *   <li>anything else: the path of a model bundle on a Hadoop file system ({@code file:},
 *       {@code hdfs:}, ... ; a bare path is resolved against the default file system).</li>
 * </ul>
 * Bundles are loaded once per JVM ({@link SrModel#load}).
 */
public final class ModelRegistry {
  /** The name of the shipped model. */
  public static final String DEFAULT = "default";
  /** Where the shipped model lives on the class path. */
  public static final String DEFAULT_RESOURCE = "io/sparksr/model/default.srm";

  private static final Map<String, Supplier<TileOperator>> BUILT_IN = new LinkedHashMap<>();

  static {
    BUILT_IN.put("bicubic", BicubicOperator::new);
  }

  private ModelRegistry() {}

  /**
   * The operator for {@code name}: a built-in, {@value #DEFAULT} or a bundle path.
   *
   * @throws IllegalArgumentException naming the model and why it cannot be loaded
   */
  public static TileOperator load(String name, Configuration conf) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("'model' is empty but must be one of " + BUILT_IN.keySet()
          + ", '" + DEFAULT + "' or the path of a model bundle");
    }
    Supplier<TileOperator> s = BUILT_IN.get(name);
    if (s != null) {
      return s.get();
    }
    try {
      if (DEFAULT.equals(name)) {
        return SrModel.loadResource(DEFAULT_RESOURCE);
      }
      return SrModel.load(conf, name);
    } catch (IOException e) {
      throw new IllegalArgumentException("'model' is '" + name + "' but it is neither one of "
          + BUILT_IN.keySet() + " nor a loadable model bundle: " + e.getMessage(), e);
    }
  }

  /**
   * The model bundle behind {@code name} ({@value #DEFAULT} or a bundle path), for tools that need
   * the weights themselves (e.g. the ONNX export); built-in operators have none.
   *
   * @throws IllegalArgumentException naming the model and why it has no readable bundle
   */
  public static ModelBundle bundle(String name, Configuration conf) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("'model' is empty but must be '" + DEFAULT
          + "' or the path of a model bundle");
    }
    if (BUILT_IN.containsKey(name)) {
      throw new IllegalArgumentException("'model' is '" + name + "', a built-in operator without "
          + "weights, but must be '" + DEFAULT + "' or the path of a model bundle");
    }
    try {
      return DEFAULT.equals(name) ? ModelBundle.readResource(DEFAULT_RESOURCE)
          : ModelBundle.read(conf, name);
    } catch (IOException e) {
      throw new IllegalArgumentException("'model' is '" + name + "' but it is neither '" + DEFAULT
          + "' nor a readable model bundle: " + e.getMessage(), e);
    }
  }
}
