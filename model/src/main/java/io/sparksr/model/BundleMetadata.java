package io.sparksr.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * metadata.json of a model bundle.
 *
 * @param format        always {@value ModelBundle#FORMAT}
 * @param formatVersion {@value ModelBundle#FORMAT_VERSION}
 * @param model         the architecture spec: {@code arch} plus its config keys
 * @param scales        scales served
 * @param radius        receptive-field radius in LR pixels (the halo tiling needs)
 * @param border        border policy whole-image inference is defined with
 * @param layout        tensor layout of the inference graph input/output ("NHWC")
 * @param channelOrder  "RGB"
 * @param valueRange    [0, 1]
 * @param parameters    trainable parameters
 * @param weights       "ema" or "raw": which weights the inference entries were instantiated from
 * @param created       ISO-8601 instant of writing
 * @param training      optimiser state summary; null for an inference-only bundle
 * @param provenance    where the weights come from
 * @param entries       zip entry name -> SHA-256 (hex) of its bytes; verified on load
 */
public record BundleMetadata(
    @JsonProperty("format") String format,
    @JsonProperty("format-version") int formatVersion,
    @JsonProperty("model") ObjectNode model,
    @JsonProperty("scales") List<Integer> scales,
    @JsonProperty("radius") int radius,
    @JsonProperty("border") String border,
    @JsonProperty("layout") String layout,
    @JsonProperty("channel-order") String channelOrder,
    @JsonProperty("value-range") List<Double> valueRange,
    @JsonProperty("parameters") long parameters,
    @JsonProperty("weights") String weights,
    @JsonProperty("created") String created,
    @JsonProperty("training") Training training,
    @JsonProperty("provenance") Provenance provenance,
    @JsonProperty("entries") Map<String, String> entries) {

  /**
   * @param iteration  optimiser steps taken
   * @param options    the training options (schedule, Adam, EMA)
   * @param emaUpdates EMA updates taken (0 without EMA)
   */
  public record Training(
      @JsonProperty("iteration") long iteration,
      @JsonProperty("options") TrainOptions options,
      @JsonProperty("ema-updates") long emaUpdates) {}
}
