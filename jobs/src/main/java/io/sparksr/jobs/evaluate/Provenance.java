package io.sparksr.jobs.evaluate;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a row of results.parquet must have been computed from to count in this run: for the run's
 * models the weights it loaded, for the run's data sets the bytes of the HR files it found, for
 * the run's degradations their steps. A row that differs is stale (a checkpoint rewritten at the
 * same path, a data set name pointed at another folder or an edited file, a degradation redefined
 * under its name, an image no longer in the data set): it is neither resumed nor averaged, and the
 * run says how many were left out and why. Rows of models, data sets and degradations that this
 * run does not name are taken as they are.
 *
 * @param modelSha256 per model of the run, the SHA-256 of its weights ("" for a built-in operator)
 * @param hrSha256    per data set of the run, image id to the SHA-256 of its HR file
 * @param lrSpecs     per degradation name of the run, its steps ({@code LrDegradation#spec()})
 */
record Provenance(Map<String, String> modelSha256, Map<String, Map<String, String>> hrSha256,
    Map<String, String> lrSpecs) implements Serializable {

  /** Reasons a row is stale, as {@link #staleReason} gives them. */
  static final String MODEL_CHANGED = "model weights differ";
  static final String MODEL_UNKNOWN = "model weights not recorded (a row of an older sparksr)";
  static final String HR_CHANGED = "HR file differs";
  static final String HR_GONE = "image no longer in the data set";
  static final String LR_CHANGED = "degradation defined differently";

  Provenance {
    modelSha256 = Map.copyOf(modelSha256);
    Map<String, Map<String, String>> hr = new HashMap<>();
    hrSha256.forEach((d, m) -> hr.put(d, Map.copyOf(m)));
    hrSha256 = Map.copyOf(hr);
    lrSpecs = Map.copyOf(lrSpecs);
  }

  /** Of this run's data sets, settings and model hashes. */
  static Provenance of(Map<String, String> modelSha256, List<EvalPlanner.DatasetImages> datasets,
      List<Setting> settings) {
    Map<String, Map<String, String>> hr = new HashMap<>();
    for (EvalPlanner.DatasetImages d : datasets) {
      Map<String, String> images = new HashMap<>();
      for (int i = 0; i < d.images().size(); i++) {
        images.put(d.images().get(i), d.sha256s().get(i));
      }
      hr.put(d.name(), images);
    }
    Map<String, String> lr = new HashMap<>();
    settings.forEach(s -> lr.put(s.degradation().name(), s.degradation().spec()));
    return new Provenance(modelSha256, hr, lr);
  }

  /** Why {@code r} does not count in this run, or null when it does. */
  String staleReason(EvalResult r) {
    String sha = modelSha256.get(r.model());
    if (sha != null && !sha.equals(r.modelSha256())) {
      return r.modelSha256() == null ? MODEL_UNKNOWN : MODEL_CHANGED;
    }
    Map<String, String> images = hrSha256.get(r.dataset());
    if (images != null) {
      String hr = images.get(r.image());
      if (hr == null) {
        return HR_GONE;
      }
      if (!hr.equals(r.hrSha256())) {
        return HR_CHANGED;
      }
    }
    String spec = lrSpecs.get(Setting.degradationName(r.setting()));
    if (spec != null && !spec.equals(r.lrSpec())) {
      return LR_CHANGED;
    }
    return null;
  }
}
