package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.degrade.LrDegradation;
import java.io.Serializable;
import java.util.List;

/**
 * The unit of work: one HR image at one scale super-resolved by one model, under each of the
 * settings still missing from results.parquet.
 *
 * @param dataset        data set name
 * @param image          file name of the HR image (unique within the data set)
 * @param path           qualified path of the HR image
 * @param scale          2, 3 or 4
 * @param model          model name as given (built-in name or bundle path)
 * @param settings       settings to compute (at least one)
 * @param crops          write this model's crop panel(s) for the report
 * @param referenceCrops the LRs (clean and degraded) whose MATLAB-bicubic panels this unit writes
 *                       for this image and scale, with the HR panel; empty: none
 * @param modelSha256    SHA-256 of the model's weights ("" for a built-in operator), recorded in
 *                       the unit's rows
 * @param hrSha256       SHA-256 of the HR file's bytes, recorded in the unit's rows
 */
public record EvalUnit(String dataset, String image, String path, int scale, String model,
    List<Setting> settings, boolean crops, List<LrDegradation> referenceCrops, String modelSha256,
    String hrSha256) implements Serializable {

  public EvalUnit {
    settings = List.copyOf(settings);
    referenceCrops = List.copyOf(referenceCrops);
    java.util.Objects.requireNonNull(modelSha256, "modelSha256");
    java.util.Objects.requireNonNull(hrSha256, "hrSha256");
    if (settings.isEmpty()) {
      throw new IllegalArgumentException("a unit needs at least one setting");
    }
  }

  /** Relative cost: operator runs over all settings. */
  public long cost() {
    return settings.stream().mapToLong(Setting::runs).sum();
  }
}
