package io.sparksr.pipeline;

import io.sparksr.io.WriteOptions;
import io.sparksr.io.metadata.Derivation;
import io.sparksr.io.metadata.SourceMetadata;
import java.io.Serializable;

/**
 * How outputs are written beyond their pixels: the run's provenance (every output's XMP names its
 * source, the software, the model and its SHA-256, scale, tile size, halo and run id), the JPEG
 * quality override and the PNG compression level.
 *
 * @param software    e.g. "sparksr 0.1.0"
 * @param model       the model's name as given ({@code default}, {@code bicubic}, a bundle path)
 * @param modelSha256 the SHA-256 of the model's bundle ("" for built-in operators)
 * @param selfEnsemble whether the model runs as the x8 self-ensemble ({@code --self-ensemble})
 * @param runId       the run's id
 * @param jpegQuality JPEG quality 1..100, or null: a JPEG source's own, else 95
 * @param pngCompression PNG zlib level 0..9, or null for {@link WriteOptions#DEFAULT_PNG_COMPRESSION}
 */
public record OutputSettings(String software, String model, String modelSha256,
    boolean selfEnsemble, String runId, Integer jpegQuality, Integer pngCompression) implements Serializable {

  /** The PNG zlib level bands are deflated at. */
  int pngLevel() {
    return pngCompression == null ? WriteOptions.DEFAULT_PNG_COMPRESSION : pngCompression;
  }

  /** The write options of one image's output: its source's metadata and its provenance. */
  WriteOptions writeOptions(ImageJob job, Tiling tiling, SourceMetadata source) {
    WriteOptions o = WriteOptions.DEFAULTS.withSource(source)
        .withDerivation(derivation(job, tiling)).withPngCompression(pngCompression);
    return jpegQuality == null ? o : o.withJpegQuality(jpegQuality / 100f);
  }

  Derivation derivation(ImageJob job, Tiling tiling) {
    return new Derivation(software, model, modelSha256, selfEnsemble, tiling.scale(), job.tileSize(),
        tiling.halo(), runId, job.input().path());
  }
}
