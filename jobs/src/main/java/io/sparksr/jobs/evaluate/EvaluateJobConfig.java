package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.degrade.LrDegradation;
import io.sparksr.partitioning.inference.TileOperator;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The resolved settings of one evaluate run. Checked on construction, before Spark starts; checks
 * that need the models (scales served, tile size vs receptive field) are made by
 * {@link #checkModels}.
 *
 * @param datasets     named HR image folders (or globs), in report order
 * @param scales       2, 3 and/or 4
 * @param models       built-in names ({@code bicubic}), {@code default} or model bundle paths
 * @param tileSize     tile core size in LR pixels; 0 = whole-image inference
 * @param selfEnsemble also run the x8 self-ensemble (one more setting, for its gain and cost)
 * @param output       output folder: results.parquet, summary.csv, report.md/html, charts, crops
 * @param crops        images per data set (the first by name) shown as crops in the report
 * @param anchors      the published-numbers YAML, or null for none
 * @param master       Spark master, null = spark-submit's or local[*]
 * @param sparkConf    extra Spark settings
 * @param degradations what is done to the LR before the models see it, one setting each
 *                     ({@link LrDegradation#NONE} = the clean MATLAB-bicubic LR)
 */
public record EvaluateJobConfig(List<Dataset> datasets, List<Integer> scales, List<String> models,
    int tileSize, boolean selfEnsemble, String output, int crops, String anchors, String master,
    Map<String, String> sparkConf, List<LrDegradation> degradations) implements Serializable {

  /** Clean inputs only. */
  public EvaluateJobConfig(List<Dataset> datasets, List<Integer> scales, List<String> models,
      int tileSize, boolean selfEnsemble, String output, int crops, String anchors, String master,
      Map<String, String> sparkConf) {
    this(datasets, scales, models, tileSize, selfEnsemble, output, crops, anchors, master,
        sparkConf, List.of(LrDegradation.NONE));
  }

  /** A named data set: a folder (its image files, recursively), a glob or a file. */
  public record Dataset(String name, String path) implements Serializable {
    public Dataset {
      if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
        throw new IllegalArgumentException("'datasets' has name '" + name + "' but a name must "
            + "be letters, digits, '.', '_' or '-' (starting with a letter or digit)");
      }
      if (path == null || path.isBlank()) {
        throw new IllegalArgumentException("'datasets' has no folder for '" + name
            + "': give NAME=DIR");
      }
    }

    /** {@code NAME=DIR}, or {@code DIR} alone (named after its last path element). */
    public static Dataset parse(String spec) {
      String s = spec.trim();
      int eq = s.indexOf('=');
      if (eq > 0) {
        return new Dataset(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
      }
      String p = s.replaceAll("/+$", "");
      return new Dataset(p.substring(p.lastIndexOf('/') + 1), s);
    }
  }

  public EvaluateJobConfig {
    if (datasets == null || datasets.isEmpty()) {
      throw new IllegalArgumentException("'datasets' is missing: give NAME=DIR[,NAME=DIR...]");
    }
    Set<String> names = new HashSet<>();
    for (Dataset d : datasets) {
      if (!names.add(d.name())) {
        throw new IllegalArgumentException("'datasets' names '" + d.name()
            + "' twice but names must be unique");
      }
    }
    if (scales == null || scales.isEmpty()) {
      throw new IllegalArgumentException("'scales' is missing: give some of 2,3,4");
    }
    for (int s : scales) {
      if (s < 2 || s > 4) {
        throw new IllegalArgumentException("'scales' has " + s + " but each must be 2, 3 or 4");
      }
    }
    if (new HashSet<>(scales).size() != scales.size()) {
      throw new IllegalArgumentException("'scales' is " + scales + " but must not repeat a scale");
    }
    if (models == null || models.isEmpty()) {
      throw new IllegalArgumentException("'models' is missing: give bicubic, default or bundle "
          + "paths");
    }
    for (String m : models) {
      if (m == null || m.isBlank()) {
        throw new IllegalArgumentException("'models' has an empty name");
      }
    }
    if (new HashSet<>(models).size() != models.size()) {
      throw new IllegalArgumentException("'models' is " + models + " but must not repeat a model");
    }
    if (tileSize != 0 && tileSize < 8) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize
          + " but must be 0 (whole image) or >= 8");
    }
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException("'output' is missing: give an output folder");
    }
    for (Dataset d : datasets) {
      io.sparksr.jobs.PathRules.checkDisjoint("output", output, "datasets", d.path());
    }
    if (crops < 0) {
      throw new IllegalArgumentException("'crops' is " + crops + " but must be >= 0");
    }
    datasets = List.copyOf(datasets);
    scales = List.copyOf(scales);
    models = List.copyOf(models);
    sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
    degradations = degradations == null || degradations.isEmpty()
        ? List.of(LrDegradation.NONE) : List.copyOf(degradations);
    if (degradations.stream().map(LrDegradation::name).distinct().count()
        != degradations.size()) {
      throw new IllegalArgumentException("'degradations' names one twice: " + degradations);
    }
  }

  /**
   * The settings every (image, scale, model) is evaluated with: per degradation, plain, and x8 if
   * asked.
   */
  public List<Setting> settings() {
    List<Setting> out = new ArrayList<>();
    for (LrDegradation d : degradations) {
      out.add(new Setting(tileSize, false, d));
      if (selfEnsemble) {
        out.add(new Setting(tileSize, true, d));
      }
    }
    return out;
  }

  /**
   * Checks what depends on the models: every scale is served, and tiles are at least twice the
   * receptive-field radius (the halo).
   *
   * @param resolve the operator of a model name (throws IllegalArgumentException if it has none)
   */
  public void checkModels(Function<String, TileOperator> resolve) {
    for (String m : models) {
      TileOperator op = resolve.apply(m);
      for (int s : scales) {
        if (!op.supportsScale(s)) {
          throw new IllegalArgumentException("'scales' has " + s + " but model '" + m
              + "' does not serve it");
        }
      }
      if (tileSize != 0 && tileSize < 2 * op.radius()) {
        throw new IllegalArgumentException("'tile-size' is " + tileSize + " but must be 0 or >= "
            + "2 * the halo of model '" + m + "' (= " + 2 * op.radius()
            + ", its receptive-field radius)");
      }
    }
  }
}
