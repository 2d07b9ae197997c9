package io.sparksr.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies option values from a job's YAML file (keys are the options' kebab-case names, the
 * same as on the command line). The command line wins over the file, the file over the built-in
 * defaults. Keys that are not options of the job are an error.
 */
final class YamlDefaults implements CommandLine.IDefaultValueProvider {
  private final Map<String, String> values;

  private YamlDefaults(Map<String, String> values) {
    this.values = values;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec o) {
      return values.get(key(o));
    }
    return null;
  }

  private static String key(OptionSpec o) {
    return o.longestName().replaceFirst("^--?", "");
  }

  /**
   * Installs the YAML file named by {@code --config} in {@code args} (if any) on the sub-command
   * {@code args[0]} of {@code top}.
   */
  static void install(CommandLine top, String[] args) {
    if (args.length == 0 || !top.getSubcommands().containsKey(args[0])) {
      return;
    }
    CommandLine sub = top.getSubcommands().get(args[0]);
    String file = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        file = args[i].substring("--config=".length());
      }
    }
    if (file != null) {
      sub.setDefaultValueProvider(load(Path.of(file), sub.getCommandSpec()));
    }
  }

  static YamlDefaults load(Path file, CommandSpec spec) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new CommandLine.ParameterException(new CommandLine(spec),
          "cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return new YamlDefaults(values);
    }
    if (!root.isObject()) {
      throw new CommandLine.ParameterException(new CommandLine(spec),
          "config file " + file + " must be a mapping of option names to values");
    }
    TreeSet<String> known = new TreeSet<>();
    for (OptionSpec o : spec.options()) {
      known.add(key(o));
    }
    known.remove("config");
    known.remove("help");
    known.remove("version");
    List<String> unknown = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!known.contains(e.getKey())) {
        unknown.add(e.getKey());
        continue;
      }
      JsonNode v = e.getValue();
      // null, [] and {} mean "not set": the option keeps its built-in default
      if (!v.isNull() && !(v.isContainerNode() && v.size() == 0)) {
        values.put(e.getKey(), text(v));
      }
    }
    if (!unknown.isEmpty()) {
      throw new CommandLine.ParameterException(new CommandLine(spec),
          "config file " + file + " has unknown key(s) " + unknown + "; the keys of '"
              + spec.name() + "' are " + known);
    }
    return new YamlDefaults(values);
  }

  /**
   * Scalars as text, lists joined with ',' (an element holding a ',' in double quotes, which the
   * command line keeps whole: {@link SparkSr#configured}), maps as k=v joined with ','.
   */
  private static String text(JsonNode n) {
    if (n.isArray()) {
      List<String> parts = new ArrayList<>();
      n.forEach(x -> {
        String t = text(x);
        parts.add(x.isValueNode() && t.contains(",") ? "\"" + t + "\"" : t);
      });
      return String.join(",", parts);
    }
    if (n.isObject()) {
      List<String> parts = new ArrayList<>();
      n.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + text(e.getValue())));
      return String.join(",", parts);
    }
    return n.asText();
  }
}
