package io.sparksr.model.arch;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The architecture registry (BasicSR's ARCH_REGISTRY): a stable name -> how to build the network
 * from its config. Adding an architecture is one class, one line here and one YAML in conf/model/;
 * the first line registers the default ({@link #defaultName()}).
 *
 * <p>A model spec (YAML or JSON) is an object with {@code arch: <name>} and the architecture's own
 * keys next to it; unknown keys are an error.
 */
public final class Architectures {
  private record Entry(Class<?> configType, Object defaults, Function<Object, Architecture> factory) {}

  private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

  static {
    register(IgConvPlksr.NAME, IgConvPlksrConfig.class, IgConvPlksrConfig.defaults(),
        IgConvPlksr::new);
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Architectures() {}

  private static <C> void register(String name, Class<C> type, C defaults,
      Function<C, Architecture> f) {
    REGISTRY.put(name, new Entry(type, defaults, o -> f.apply(type.cast(o))));
  }

  /**
   * The architecture built when no model spec is given ({@code train} without
   * {@code --model-config}): the first registered.
   */
  public static String defaultName() {
    return REGISTRY.keySet().iterator().next();
  }

  /** The registered names. */
  public static Set<String> names() {
    return Collections.unmodifiableSet(REGISTRY.keySet());
  }

  /**
   * The architecture {@code name} with {@code config} (a JSON/YAML object of its keys; a missing key
   * takes the architecture's default, an unknown key is an error).
   */
  public static Architecture create(String name, JsonNode config) {
    Entry e = REGISTRY.get(name);
    if (e == null) {
      throw new IllegalArgumentException("'arch' is '" + name + "' but must be one of "
          + REGISTRY.keySet());
    }
    Object cfg;
    try {
      ObjectNode merged = JSON.valueToTree(e.defaults());
      if (config != null && !config.isNull()) {
        if (!config.isObject()) {
          throw new IllegalArgumentException("config of arch '" + name + "' must be an object");
        }
        merged.setAll((ObjectNode) config);
      }
      cfg = JSON.treeToValue(merged, e.configType());
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalArgumentException("config of arch '" + name + "' is invalid: "
          + ex.getOriginalMessage(), ex);
    }
    return e.factory().apply(cfg);
  }

  /** Parses a model spec ({@code arch} plus the architecture's keys) from a JSON tree. */
  public static Architecture fromSpec(JsonNode spec) {
    if (spec == null || !spec.isObject()) {
      throw new IllegalArgumentException("model spec must be an object with an 'arch' key");
    }
    JsonNode arch = spec.get("arch");
    if (arch == null || !arch.isTextual()) {
      throw new IllegalArgumentException("model spec lacks the key 'arch' (one of "
          + REGISTRY.keySet() + ")");
    }
    ObjectNode rest = ((ObjectNode) spec).deepCopy();
    rest.remove("arch");
    return create(arch.asText(), rest);
  }

  /** Parses a model spec from YAML (conf/model/*.yaml). */
  public static Architecture fromYaml(InputStream yaml, String source) throws IOException {
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IOException("cannot parse model spec " + source + ": " + e.getMessage(), e);
    }
    try {
      return fromSpec(tree);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /** The spec of {@code arch} as a JSON tree: {@code arch} plus its config's keys. */
  public static ObjectNode toSpec(Architecture arch) {
    ObjectNode n = JSON.createObjectNode();
    n.put("arch", arch.name());
    n.setAll((ObjectNode) JSON.valueToTree(arch.config()));
    return n;
  }
}
