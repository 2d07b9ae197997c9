package io.sparksr.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a bundle's weights come from, for the metadata (all free text except the numbers).
 *
 * @param data            the training data (e.g. the prepared data set's path and _SUMMARY digest)
 * @param steps           optimiser steps taken in total (across resumes)
 * @param wallTimeSeconds training wall time in total (across resumes)
 * @param codeVersion     version of the code that trained (e.g. git describe)
 * @param notes           anything else (machine, command line)
 */
public record Provenance(
    @JsonProperty("data") String data,
    @JsonProperty("steps") long steps,
    @JsonProperty("wall-time-seconds") double wallTimeSeconds,
    @JsonProperty("code-version") String codeVersion,
    @JsonProperty("notes") String notes) {

  public static Provenance none() {
    return new Provenance("none", 0, 0, "unknown", "");
  }
}
