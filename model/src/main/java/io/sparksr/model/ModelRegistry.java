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
 *   <li>a shipped model bundle, by name (one line each): {@value #DEFAULT} (trained on clean
 *       MATLAB-bicubic LR) and {@value #ARCHIVE} (fine-tuned from it on JPEG/noise/blur-degraded
 *       LR, for real photos), class-path resources of this module, so inside the application jar;
 *       a name whose bundle is not in this build is an error that says so;</li>
 *   <li>anything else: the path of a model bundle on a Hadoop file system ({@code file:},
 *       {@code hdfs:}, ... ; a bare path is resolved against the default file system), read with
 *       the job's Hadoop configuration.</li>
 * </ul>
 */
public final class ModelRegistry {
  /** The name of the shipped model trained on clean inputs. */
  public static final String DEFAULT = "default";
  /** The name of the shipped model for real photos (JPEG artefacts, noise, mild blur). */
  public static final String ARCHIVE = "archive";
  /** Where the shipped default lives on the class path. */
  public static final String DEFAULT_RESOURCE = "io/sparksr/model/default.srm";

  private static final Map<String, Supplier<TileOperator>> BUILT_IN = new LinkedHashMap<>();
  private static final Map<String, String> SHIPPED = new LinkedHashMap<>();

  static {
    BUILT_IN.put("bicubic", BicubicOperator::new);
    SHIPPED.put(DEFAULT, DEFAULT_RESOURCE);
    SHIPPED.put(ARCHIVE, "io/sparksr/model/archive.srm");
  }

  private ModelRegistry() {}

  /**
   * Whether {@code name} is a built-in operator or a shipped bundle (both fixed for the life of a
   * JVM) rather than the path of a bundle file, which may change.
   */
  public static boolean isNamed(String name) {
    return BUILT_IN.containsKey(name) || SHIPPED.containsKey(name);
  }

  /**
   * The operator for {@code name}: a built-in, a shipped bundle's name or a bundle path.
   *
   * @throws IllegalArgumentException naming the model and why it cannot be loaded
   */
  public static TileOperator load(String name, Configuration conf) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("'model' is empty but must be one of " + names()
          + " or the path of a model bundle");
    }
    Supplier<TileOperator> s = BUILT_IN.get(name);
    if (s != null) {
      return s.get();
    }
    try {
      String resource = SHIPPED.get(name);
      return resource != null ? SrModel.loadResource(resource) : SrModel.load(conf, name);
    } catch (IOException e) {
      throw new IllegalArgumentException("'model' is '" + name + "' but it is neither one of "
          + names() + " nor a loadable model bundle: " + e.getMessage(), e);
    }
  }

  /**
   * The model bundle behind {@code name} (a shipped bundle's name or a bundle path), for tools that
   * need the weights themselves (e.g. the ONNX export, fine-tuning); built-in operators have none.
   *
   * @throws IllegalArgumentException naming the model and why it has no readable bundle
   */
  public static ModelBundle bundle(String name, Configuration conf) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("'model' is empty but must be one of " + SHIPPED.keySet()
          + " or the path of a model bundle");
    }
    if (BUILT_IN.containsKey(name)) {
      throw new IllegalArgumentException("'model' is '" + name + "', a built-in operator without "
          + "weights, but must be one of " + SHIPPED.keySet() + " or the path of a model bundle");
    }
    try {
      String resource = SHIPPED.get(name);
      return resource != null ? ModelBundle.readResource(resource) : ModelBundle.read(conf, name);
    } catch (IOException e) {
      throw new IllegalArgumentException("'model' is '" + name + "' but it is neither one of "
          + SHIPPED.keySet() + " nor a readable model bundle: " + e.getMessage(), e);
    }
  }

  private static String names() {
    java.util.List<String> all = new java.util.ArrayList<>(BUILT_IN.keySet());
    all.addAll(SHIPPED.keySet());
    return all.toString();
  }
}
