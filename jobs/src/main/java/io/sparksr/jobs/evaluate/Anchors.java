package io.sparksr.jobs.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Published PSNR/SSIM numbers the report shows next to this run's ("anchors"), read from a
 * versioned YAML file (conf/anchors/published.yaml). Layout:
 * <pre>
 * version: 1
 * sources:
 *   vdsr: {citation: "...", url: "...", note: "..."}
 * methods:
 *   - method: Bicubic
 *     source: vdsr
 *     results:
 *       Set5: {x2: 33.66/0.9299, x3: 30.39, ...}     # PSNR/SSIM, or PSNR alone
 * </pre>
 * Unknown keys are an error; every value is checked (PSNR in (10, 60) dB, SSIM in (0, 1]).
 */
public record Anchors(int version, Map<String, Source> sources, List<Anchor> anchors) {

  /** Where numbers come from. */
  public record Source(String key, String citation, String url, String note) {}

  /**
   * One published number.
   *
   * @param ssim null when the source's SSIM is not recorded
   */
  public record Anchor(String method, String dataset, int scale, double psnr, Double ssim,
      String source) {}

  public Anchors {
    sources = Map.copyOf(sources);
    anchors = List.copyOf(anchors);
  }

  /** No anchors (no file, or {@code --anchors none}). */
  public static Anchors none() {
    return new Anchors(0, Map.of(), List.of());
  }

  /** The anchors of a data set (name compared case-insensitively) and scale, in file order. */
  public List<Anchor> of(String dataset, int scale) {
    List<Anchor> out = new ArrayList<>();
    for (Anchor a : anchors) {
      if (a.scale() == scale && a.dataset().equalsIgnoreCase(dataset)) {
        out.add(a);
      }
    }
    return out;
  }

  /** The method names in file order. */
  public List<String> methods() {
    List<String> out = new ArrayList<>();
    for (Anchor a : anchors) {
      if (!out.contains(a.method())) {
        out.add(a.method());
      }
    }
    return out;
  }

  /**
   * Parses the YAML text of an anchors file.
   *
   * @param origin the file's name, for messages
   * @throws IllegalArgumentException naming the origin, the key, the value and the rule
   */
  public static Anchors parse(String yaml, String origin) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException("anchors file " + origin + " is not valid YAML: "
          + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("anchors file " + origin
          + " must be a mapping with keys version, sources, methods");
    }
    String where = "anchors file " + origin;
    onlyKeys(root, Set.of("version", "sources", "methods"), where);
    JsonNode v = root.get("version");
    if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
      throw new IllegalArgumentException(where + ": 'version' is " + v
          + " but must be an integer >= 1");
    }
    Map<String, Source> sources = new LinkedHashMap<>();
    JsonNode src = root.path("sources");
    if (!src.isObject()) {
      throw new IllegalArgumentException(where + ": 'sources' must be a mapping of keys to "
          + "{citation, url, note}");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = src.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = where + ", sources." + e.getKey();
      if (!e.getValue().isObject()) {
        throw new IllegalArgumentException(at + " must be a mapping {citation, url, note}");
      }
      onlyKeys(e.getValue(), Set.of("citation", "url", "note"), at);
      String citation = text(e.getValue(), "citation");
      if (citation == null || citation.isBlank()) {
        throw new IllegalArgumentException(at + ": 'citation' is missing but every source needs "
            + "one");
      }
      sources.put(e.getKey(), new Source(e.getKey(), citation, text(e.getValue(), "url"),
          text(e.getValue(), "note")));
    }
    List<Anchor> anchors = new ArrayList<>();
    JsonNode methods = root.path("methods");
    if (!methods.isArray()) {
      throw new IllegalArgumentException(where + ": 'methods' must be a list");
    }
    int i = 0;
    for (JsonNode m : methods) {
      String at = where + ", methods[" + i++ + "]";
      if (!m.isObject()) {
        throw new IllegalArgumentException(at + " must be a mapping {method, source, results}");
      }
      onlyKeys(m, Set.of("method", "source", "note", "results"), at);
      String method = text(m, "method");
      if (method == null || method.isBlank()) {
        throw new IllegalArgumentException(at + ": 'method' is missing");
      }
      at = at + " (" + method + ")";
      String source = text(m, "source");
      if (!sources.containsKey(source)) {
        throw new IllegalArgumentException(at + ": 'source' is '" + source
            + "' but must be one of the sources " + sources.keySet());
      }
      JsonNode results = m.path("results");
      if (!results.isObject()) {
        throw new IllegalArgumentException(at + ": 'results' must map data sets to "
            + "{x2: PSNR/SSIM, ...}");
      }
      for (Iterator<Map.Entry<String, JsonNode>> ds = results.fields(); ds.hasNext(); ) {
        Map.Entry<String, JsonNode> d = ds.next();
        if (!d.getValue().isObject()) {
          throw new IllegalArgumentException(at + ", " + d.getKey()
              + " must map scales (x2, x3, x4) to PSNR/SSIM");
        }
        for (Iterator<Map.Entry<String, JsonNode>> sc = d.getValue().fields(); sc.hasNext(); ) {
          Map.Entry<String, JsonNode> s = sc.next();
          String key = at + ", " + d.getKey() + "." + s.getKey();
          anchors.add(anchor(method, d.getKey(), s.getKey(), s.getValue().asText(), source, key));
        }
      }
    }
    return new Anchors(v.asInt(), sources, anchors);
  }

  private static Anchor anchor(String method, String dataset, String scaleKey, String value,
      String source, String at) {
    if (!scaleKey.matches("x[2-9]")) {
      throw new IllegalArgumentException(at + ": scale key is '" + scaleKey
          + "' but must be x2 .. x9");
    }
    int scale = scaleKey.charAt(1) - '0';
    String[] parts = value.trim().split("/");
    if (parts.length > 2) {
      throw new IllegalArgumentException(at + " is '" + value + "' but must be PSNR or PSNR/SSIM");
    }
    double psnr;
    Double ssim = null;
    try {
      psnr = Double.parseDouble(parts[0].trim());
      if (parts.length == 2) {
        ssim = Double.parseDouble(parts[1].trim());
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(at + " is '" + value + "' but must be PSNR or PSNR/SSIM "
          + "(numbers)", e);
    }
    if (!(psnr > 10 && psnr < 60)) {
      throw new IllegalArgumentException(at + ": PSNR is " + psnr + " but must be in (10, 60) dB");
    }
    if (ssim != null && !(ssim > 0 && ssim <= 1)) {
      throw new IllegalArgumentException(at + ": SSIM is " + ssim + " but must be in (0, 1]");
    }
    return new Anchor(method, dataset, scale, psnr, ssim, source);
  }

  private static void onlyKeys(JsonNode n, Set<String> allowed, String where) {
    List<String> unknown = new ArrayList<>();
    n.fieldNames().forEachRemaining(k -> {
      if (!allowed.contains(k)) {
        unknown.add(k);
      }
    });
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(where + " has unknown key(s) " + unknown
          + "; allowed: " + new TreeSet<>(allowed));
    }
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}
