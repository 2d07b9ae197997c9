package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.degrade.LrDegradation;
import io.sparksr.partitioning.tiling.CostPacker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans an evaluation on the driver, in pure Java: the units of work (image, scale, model) with
 * the settings whose rows are not yet in results.parquet, which of them write crop panels, and
 * their grouping into Spark partitions.
 */
final class EvalPlanner {
  private EvalPlanner() {}

  /**
   * A data set's HR images: qualified paths (sorted), each image's id in the rows (its path below
   * the data set's folder, its file name when the folder is flat) and the SHA-256 of its bytes.
   */
  record DatasetImages(String name, List<String> paths, List<String> images,
      List<String> sha256s) {
    DatasetImages {
      paths = List.copyOf(paths);
      images = List.copyOf(images);
      sha256s = List.copyOf(sha256s);
      if (images.size() != paths.size() || sha256s.size() != paths.size()) {
        throw new IllegalArgumentException(paths.size() + " paths but " + images.size()
            + " ids and " + sha256s.size() + " hashes");
      }
    }

    /** Images found directly in the data set's folder: ids are file names. */
    DatasetImages(String name, List<String> paths, List<String> sha256s) {
      this(name, paths, paths.stream().map(EvalPlanner::imageName).toList(), sha256s);
    }
  }

  /**
   * @param units    what to compute, ordered by data set, image, scale, model
   * @param toCompute rows the units will produce
   * @param present   rows skipped because results.parquet has them
   * @param crops     (data set, image, scale, LR) whose crops the report shows, with the panels:
   *                  per image and scale, one per degradation of the run, in the run's order
   */
  record EvalPlan(List<EvalUnit> units, long toCompute, long present, List<CropSpec> crops) {}

  /**
   * The crop panels of one image at one scale from one LR (a row of crops in the report): the HR,
   * bicubic from that LR, each model's output from it.
   *
   * @param degradation the LR's degradation name ({@code clean} for the clean LR)
   */
  record CropSpec(String dataset, String image, int scale, String degradation,
      List<CropPanels.Spec> panels) {}

  /**
   * @param modelSha256     per model, the SHA-256 of its weights ("" for a built-in operator)
   * @param done            keys of the current ok rows already in results.parquet ({@link
   *                        Provenance}: stale rows of other weights, HR files or degradations
   *                        are not among them)
   * @param cropsPerDataset how many images (the first by name) of each data set get crop panels
   */
  static EvalPlan plan(List<DatasetImages> datasets, List<Integer> scales, List<String> models,
      Map<String, String> modelSha256, List<Setting> settings, Set<ResultKey> done,
      int cropsPerDataset) {
    List<EvalUnit> units = new ArrayList<>();
    List<CropSpec> crops = new ArrayList<>();
    Map<String, String> labels = ModelNames.labels(models);
    Map<String, LrDegradation> lrs = new LinkedHashMap<>();
    settings.forEach(s -> lrs.putIfAbsent(s.degradation().name(), s.degradation()));
    long toCompute = 0;
    long present = 0;
    for (DatasetImages ds : datasets) {
      for (int i = 0; i < ds.paths().size(); i++) {
        String path = ds.paths().get(i);
        String image = ds.images().get(i);
        boolean crop = i < cropsPerDataset;
        for (int scale : scales) {
          // the first unit that runs writes the reference panels of every LR of the run
          List<LrDegradation> referencePending = crop ? List.copyOf(lrs.values()) : List.of();
          Map<String, List<CropPanels.Spec>> panels = new LinkedHashMap<>();
          if (crop) {
            for (String lr : lrs.keySet()) {
              panels.put(lr, new ArrayList<>(List.of(new CropPanels.Spec(CropPanels.HR, "HR"),
                  new CropPanels.Spec(CropPanels.bicubicPanel(lr), "bicubic"))));
            }
          }
          for (String model : models) {
            List<Setting> missing = new ArrayList<>();
            for (Setting s : settings) {
              if (crop && !ModelNames.isBicubic(model)) {
                panels.get(s.degradation().name()).add(new CropPanels.Spec(
                    CropPanels.modelPanel(model, s.name()),
                    labels.get(model) + " (" + Setting.baseName(s.name()) + ")"));
              }
              if (done.contains(new ResultKey(ds.name(), image, scale, model, s.name()))) {
                present++;
              } else {
                missing.add(s);
              }
            }
            if (!missing.isEmpty()) {
              toCompute += missing.size();
              units.add(new EvalUnit(ds.name(), image, path, scale, model, missing, crop,
                  referencePending, modelSha256.get(model), ds.sha256s().get(i)));
              referencePending = List.of();
            }
          }
          for (Map.Entry<String, List<CropPanels.Spec>> e : panels.entrySet()) {
            crops.add(new CropSpec(ds.name(), image, scale, e.getKey(), e.getValue()));
          }
        }
      }
    }
    return new EvalPlan(units, toCompute, present, crops);
  }

  /**
   * Contiguous groups of units (so a partition decodes each image once) of about equal cost, at
   * most {@code groups} of them.
   */
  static List<List<EvalUnit>> group(List<EvalUnit> units, int groups) {
    long[] costs = new long[units.size()];
    for (int i = 0; i < costs.length; i++) {
      costs[i] = units.get(i).cost();
    }
    int[] starts = CostPacker.pack(costs, Math.max(1, Math.min(groups, units.size())));
    List<List<EvalUnit>> out = new ArrayList<>(starts.length);
    for (int g = 0; g < starts.length; g++) {
      int end = g + 1 < starts.length ? starts[g + 1] : units.size();
      out.add(new ArrayList<>(units.subList(starts[g], end)));
    }
    return out;
  }

  /** The file name of a path. */
  static String imageName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Image ids that occur more than once in a data set (they would share result keys). */
  static Set<String> duplicateImageNames(DatasetImages ds) {
    Set<String> seen = new HashSet<>();
    Set<String> dup = new HashSet<>();
    for (String id : ds.images()) {
      if (!seen.add(id)) {
        dup.add(id);
      }
    }
    return dup;
  }
}
