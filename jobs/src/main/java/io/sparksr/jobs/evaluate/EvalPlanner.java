package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.tiling.CostPacker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Plans an evaluation on the driver, in pure Java: the units of work (image, scale, model) with
 * the settings whose rows are not yet in results.parquet, which of them write crop panels, and
 * their grouping into Spark partitions.
 */
final class EvalPlanner {
  private EvalPlanner() {}

  /**
   * A data set's HR images: qualified paths (sorted) and each image's id in the rows, its path
   * below the data set's folder (its file name when the folder is flat).
   */
  record DatasetImages(String name, List<String> paths, List<String> images) {
    DatasetImages {
      paths = List.copyOf(paths);
      images = List.copyOf(images);
      if (images.size() != paths.size()) {
        throw new IllegalArgumentException(paths.size() + " paths but " + images.size() + " ids");
      }
    }

    /** Images found directly in the data set's folder: ids are file names. */
    DatasetImages(String name, List<String> paths) {
      this(name, paths, paths.stream().map(EvalPlanner::imageName).toList());
    }
  }

  /**
   * @param units    what to compute, ordered by data set, image, scale, model
   * @param toCompute rows the units will produce
   * @param present   rows skipped because results.parquet has them
   * @param crops     (data set, image, scale) whose crops the report shows, with the panels
   */
  record EvalPlan(List<EvalUnit> units, long toCompute, long present, List<CropSpec> crops) {}

  /** The crop panels of one image at one scale. */
  record CropSpec(String dataset, String image, int scale, List<String> panels) {}

  /**
   * @param done            keys of the ok rows already in results.parquet
   * @param cropsPerDataset how many images (the first by name) of each data set get crop panels
   */
  static EvalPlan plan(List<DatasetImages> datasets, List<Integer> scales, List<String> models,
      List<Setting> settings, Set<ResultKey> done, int cropsPerDataset) {
    List<EvalUnit> units = new ArrayList<>();
    List<CropSpec> crops = new ArrayList<>();
    long toCompute = 0;
    long present = 0;
    for (DatasetImages ds : datasets) {
      for (int i = 0; i < ds.paths().size(); i++) {
        String path = ds.paths().get(i);
        String image = ds.images().get(i);
        boolean crop = i < cropsPerDataset;
        for (int scale : scales) {
          boolean referencePending = crop;
          List<String> panels = new ArrayList<>();
          if (crop) {
            panels.add(CropPanels.HR);
            panels.add(CropPanels.BICUBIC);
          }
          for (String model : models) {
            List<Setting> missing = new ArrayList<>();
            for (Setting s : settings) {
              if (crop && !ModelNames.isBicubic(model)) {
                panels.add(CropPanels.modelPanel(model, s.name()));
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
                  referencePending));
              referencePending = false;
            }
          }
          if (crop) {
            crops.add(new CropSpec(ds.name(), image, scale, panels));
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
