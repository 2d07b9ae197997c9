package io.sparksr.jobs.evaluate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Short display labels for model names (built-in names as they are, bundle paths by file name,
 * lengthened where two would read alike) and their stable file-name form.
 */
final class ModelNames {
  private ModelNames() {}

  /** {@code bicubic -> bicubic}, {@code hdfs://nn/models/igconv-c48.srm -> igconv-c48}. */
  static String label(String model) {
    String name = model.replaceAll("/+$", "");
    int slash = name.lastIndexOf('/');
    if (slash >= 0) {
      name = name.substring(slash + 1);
    }
    int dot = name.lastIndexOf('.');
    if (dot > 0 && slash >= 0) {
      name = name.substring(0, dot);
    }
    return name.isEmpty() ? model : name;
  }

  /**
   * Display labels that tell the given models apart: {@link #label} where it is unique, else a
   * bundle path's label grows by parent folders until it is ({@code ckpt/30k/model.srm} and {@code
   * ckpt/43k/model.srm} -> {@code 30k/model} and {@code 43k/model}; {@code runs/train/default.srm}
   * beside the built-in {@code default} -> {@code train/default}); built-in names stay as they are.
   */
  static Map<String, String> labels(Collection<String> models) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String m : models) {
      out.put(m, label(m));
    }
    for (int depth = 2; ; depth++) {
      Map<String, Integer> uses = new HashMap<>();
      out.values().forEach(l -> uses.merge(l, 1, Integer::sum));
      boolean grew = false;
      for (Map.Entry<String, String> e : out.entrySet()) {
        if (uses.get(e.getValue()) > 1 && e.getKey().contains("/")) {
          String longer = suffix(e.getKey(), depth);
          grew |= !longer.equals(e.getValue());
          e.setValue(longer);
        }
      }
      if (!grew) {
        return out;
      }
    }
  }

  /** The last {@code depth} '/'-separated parts of a bundle path, without the file extension. */
  private static String suffix(String model, int depth) {
    String[] parts = model.replaceAll("/+$", "").split("/", -1);
    int from = Math.max(0, parts.length - depth);
    String last = parts[parts.length - 1];
    int dot = last.lastIndexOf('.');
    parts[parts.length - 1] = dot > 0 && parts.length > 1 ? last.substring(0, dot) : last;
    return String.join("/", java.util.Arrays.asList(parts).subList(from, parts.length));
  }

  /**
   * A model's part of a file name that stays the same from run to run and differs between models:
   * a built-in name as it is, a bundle path's {@link #label} and the first 8 hex digits of the
   * SHA-256 of the path as given (two bundles named alike never share a crop file).
   */
  static String fileName(String model) {
    if (!model.contains("/")) {
      return model;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(
          model.getBytes(StandardCharsets.UTF_8));
      return label(model) + "-" + HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Whether the model is the built-in MATLAB bicubic (whose panel is the bicubic reference). */
  static boolean isBicubic(String model) {
    return "bicubic".equals(model);
  }
}
