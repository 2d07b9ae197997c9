package io.sparksr.jobs.evaluate;

/** Short display labels for model names (built-in names as they are, bundle paths by file name). */
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

  /** Whether the model is the built-in MATLAB bicubic (whose panel is the bicubic reference). */
  static boolean isBicubic(String model) {
    return "bicubic".equals(model);
  }
}
