package io.sparksr.pipeline;

import io.sparksr.io.WriteOptions;
import io.sparksr.io.metadata.Derivation;
import io.sparksr.io.metadata.SourceMetadata;
import java.io.Serializable;

/**
 * How outputs are written beyond their pixels: the run's provenance (every output's XMP names its
 * source, the software, the model and its SHA-256, scale, tile size, halo and run id) and the JPEG
 * quality override.
 *
 * @param software    e.g. "sparksr 0.1.0"
 * @param model       the model's name as given ({@code default}, {@code bicubic}, a bundle path)
 * @param modelSha256 the SHA-256 of the model's bundle ("" for built-in operators)
 * @param runId       the run's id
 * @param jpegQuality JPEG quality 1..100, or null: a JPEG source's own, else 95
 */
public record OutputSettings(String software, String model, String modelSha256, String runId,
    Integer jpegQuality) implements Serializable {

  /** The write options of one image's output: its source's metadata and its provenance. */
  WriteOptions writeOptions(ImageJob job, Tiling tiling, SourceMetadata source) {
    WriteOptions o = WriteOptions.DEFAULTS.withSource(source)
        .withDerivation(derivation(job, tiling));
    return jpegQuality == null ? o : o.withJpegQuality(jpegQuality / 100f);
  }

  Derivation derivation(ImageJob job, Tiling tiling) {
    return new Derivation(software, model, modelSha256, tiling.scale(), job.tileSize(),
        tiling.halo(), runId, job.input().path());
  }
}
