package io.sparksr.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sparksr.io.HadoopFiles;
import io.sparksr.partitioning.degrade.DegradationSpec;
import io.sparksr.partitioning.degrade.Resampler;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * Degradation presets ({@link DegradationSpec}) from YAML: a name of {@code conf/degradations/}
 * (shipped inside the jar: {@code clean}, {@code archive}, {@code archive-chain}, and {@code eval},
 * the named degradations of {@code evaluate}) or the path of a YAML file on any
 * Hadoop file system. Keys are kebab-case; unknown keys are an error naming the file.
 */
public final class Degradations {
  private static final String RESOURCES = "io/sparksr/jobs/degradations/";
  private static final Set<String> TOP = Set.of("name", "clean-prob", "first", "second-prob",
      "second", "final-modes", "last", "variants");
  private static final Set<String> ORDER = Set.of("blur-prob", "kernels", "kernel-size", "sigma",
      "beta-general", "beta-plateau", "resize-up", "resize-down", "up", "down", "gaussian-prob",
      "poisson-prob", "noise-sigma", "poisson-scale", "gray-noise-prob", "jpeg-prob", "jpeg");

  private Degradations() {}

  /** The preset named {@code nameOrPath} (a shipped name, or a YAML file). */
  public static DegradationSpec load(String nameOrPath, Configuration conf) throws IOException {
    String resource = RESOURCES + nameOrPath + ".yaml";
    try (InputStream in = Degradations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in != null) {
        return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
            nameOrPath);
      }
    }
    if (!HadoopFiles.exists(conf, nameOrPath)) {
      throw new IllegalArgumentException("'degradation' is '" + nameOrPath + "' but it is "
          + "neither a shipped preset (clean, archive, archive-chain) nor a readable YAML file");
    }
    return parse(HadoopFiles.readText(conf, nameOrPath), nameOrPath);
  }

  /** A preset from YAML text; {@code source} names it in errors. */
  @SuppressWarnings("unchecked")
  public static DegradationSpec parse(String yaml, String source) throws IOException {
    Map<String, Object> m = new ObjectMapper(new YAMLFactory()).readValue(yaml, Map.class);
    if (m == null) {
      throw new IllegalArgumentException(source + " is empty");
    }
    if (m.containsKey("final-jpeg") || m.containsKey("final-jpeg-prob")) {
      throw new IllegalArgumentException(source + ": 'final-jpeg' and 'final-jpeg-prob' are now"
          + " 'jpeg' and 'jpeg-prob' of the order 'last' (applied at the LR size)");
    }
    check(m, TOP, source);
    String name = (String) m.get("name");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(source + ": 'name' is missing");
    }
    if (m.size() == 1) {
      DegradationSpec clean = DegradationSpec.clean();
      return new DegradationSpec(name, 1, clean.first(), 0, clean.second(), clean.finalModes(),
          clean.last(), 1);
    }
    DegradationSpec.Order first = order((Map<String, Object>) m.get("first"), source, "first");
    DegradationSpec.Order second = m.get("second") == null ? DegradationSpec.Order.none()
        : order((Map<String, Object>) m.get("second"), source, "second");
    List<String> modes = m.get("final-modes") == null ? Resampler.MODES
        : strings(m.get("final-modes"));
    DegradationSpec.Order last = order((Map<String, Object>) m.get("last"), source, "last");
    return new DegradationSpec(name, number(m, "clean-prob", 0), first,
        number(m, "second-prob", 0), second, modes, last, (int) number(m, "variants", 1));
  }

  private static DegradationSpec.Order order(Map<String, Object> o, String source, String key) {
    if (o == null) {
      return DegradationSpec.Order.none();
    }
    check(o, ORDER, source + " '" + key + "'");
    List<String> kernels = o.get("kernels") == null ? List.of() : strings(o.get("kernels"));
    String where = source + " '" + key + "'";
    return new DegradationSpec.Order(number(o, "blur-prob", 0), kernels,
        range(o, "kernel-size", 7, where), range(o, "sigma", 0, where),
        range(o, "beta-general", 1, where), range(o, "beta-plateau", 1, where),
        number(o, "resize-up", 0), number(o, "resize-down", 0), range(o, "up", 1, where),
        range(o, "down", 1, where), number(o, "gaussian-prob", 0), number(o, "poisson-prob", 0),
        range(o, "noise-sigma", 0, where), range(o, "poisson-scale", 0, where),
        number(o, "gray-noise-prob", 0), number(o, "jpeg-prob", 0),
        range(o, "jpeg", 95, where));
  }

  private static void check(Map<String, Object> m, Set<String> known, String where) {
    for (String k : m.keySet()) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException(where + ": unknown key '" + k + "' (known: "
            + new java.util.TreeSet<>(known) + ")");
      }
    }
  }

  private static double number(Map<String, Object> m, String key, double dflt) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    double d = ((Number) v).doubleValue();
    if (key.endsWith("prob") || key.startsWith("resize-")) {
      if (d < 0 || d > 1) {
        throw new IllegalArgumentException("'" + key + "' is " + d + " but must be in [0, 1]");
      }
    }
    return d;
  }

  private static DegradationSpec.Range range(Map<String, Object> m, String key, double dflt,
      String where) {
    Object v = m.get(key);
    if (v == null) {
      return new DegradationSpec.Range(dflt, dflt);
    }
    if (!(v instanceof List<?> l) || l.size() != 2) {
      throw new IllegalArgumentException(where + ": '" + key + "' is " + v
          + " but must be [min, max]");
    }
    return new DegradationSpec.Range(((Number) l.get(0)).doubleValue(),
        ((Number) l.get(1)).doubleValue());
  }

  private static List<String> strings(Object v) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) v) {
      out.add(String.valueOf(o));
    }
    return out;
  }

  /**
   * The LR degradations {@code names} names ({@code clean} is built in), defined in
   * {@code file} (a YAML on any Hadoop FS) or, when null, in the shipped
   * {@code conf/degradations/eval.yaml}.
   */
  @SuppressWarnings("unchecked")
  public static List<io.sparksr.partitioning.degrade.LrDegradation> lr(List<String> names,
      String file, Configuration conf) throws IOException {
    String yaml;
    String source;
    if (file != null) {
      yaml = HadoopFiles.readText(conf, file);
      source = file;
    } else {
      try (InputStream in = Degradations.class.getClassLoader()
          .getResourceAsStream(RESOURCES + "eval.yaml")) {
        if (in == null) {
          throw new IOException("the shipped conf/degradations/eval.yaml is missing from the jar");
        }
        yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      source = "conf/degradations/eval.yaml";
    }
    Map<String, Object> all = new ObjectMapper(new YAMLFactory()).readValue(yaml, Map.class);
    List<io.sparksr.partitioning.degrade.LrDegradation> out = new ArrayList<>();
    for (String name : names) {
      String n = name.trim();
      if (n.equals(io.sparksr.partitioning.degrade.LrDegradation.CLEAN)) {
        out.add(io.sparksr.partitioning.degrade.LrDegradation.NONE);
        continue;
      }
      Object steps = all == null ? null : all.get(n);
      if (!(steps instanceof List<?> list)) {
        throw new IllegalArgumentException("'degradations' has '" + n + "' but " + source
            + " defines only clean" + (all == null ? "" : ", " + String.join(", ", all.keySet())));
      }
      List<io.sparksr.partitioning.degrade.LrDegradation.Op> ops = new ArrayList<>();
      for (Object o : list) {
        Map<String, Object> step = (Map<String, Object>) o;
        long seed = step.get("seed") == null ? 0 : ((Number) step.get("seed")).longValue();
        for (Map.Entry<String, Object> e : step.entrySet()) {
          if (!e.getKey().equals("seed")) {
            ops.add(new io.sparksr.partitioning.degrade.LrDegradation.Op(e.getKey(),
                ((Number) e.getValue()).doubleValue(), seed));
          }
        }
      }
      out.add(new io.sparksr.partitioning.degrade.LrDegradation(n, ops));
    }
    return out;
  }
}
