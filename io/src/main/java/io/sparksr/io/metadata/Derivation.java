package io.sparksr.io.metadata;

import java.io.Serializable;
import java.util.Objects;

/**
 * Provenance of a derivative, written into every output's XMP (see {@link XmpProvenance}).
 *
 * @param software    the tool, {@code "sparksr <version>"} (xmp:CreatorTool, stEvt:softwareAgent)
 * @param model       the model's registered name
 * @param modelSha256 hex SHA-256 of the model bundle
 * @param selfEnsemble whether the x8 self-ensemble (flips and rotations averaged) was used
 * @param scale       upscaling factor (output pixels per source pixel along each axis)
 * @param tileSize    tile size in source pixels
 * @param halo        halo in source pixels
 * @param runId       the run that wrote the output
 * @param source      the source image's path
 */
public record Derivation(String software, String model, String modelSha256,
    boolean selfEnsemble, int scale, int tileSize, int halo, String runId, String source)
    implements Serializable {

  public Derivation {
    Objects.requireNonNull(software, "software");
    if (scale < 1) {
      throw new IllegalArgumentException("'scale' is " + scale + " but must be >= 1");
    }
  }

  /** The one-line parameters of the xmpMM:History event. */
  public String parameters() {
    return "model " + model + " sha256 " + modelSha256 + (selfEnsemble ? " self-ensemble x8" : "")
        + " scale x" + scale + " tile " + tileSize + " halo " + halo + " run " + runId;
  }
}
