package io.sparksr.io;

import io.sparksr.io.metadata.Derivation;
import io.sparksr.io.metadata.SourceMetadata;
import java.io.Serializable;
import java.util.Objects;

/**
 * Encoder settings that are not part of the {@link PixelFormat}, and the metadata an output
 * carries. Immutable; derive variants with the {@code with...} methods:
 * {@code WriteOptions.DEFAULTS.withSource(meta).withDerivation(d)}.
 *
 * <ul>
 * <li>{@code jpegQuality}: JPEG quality in (0, 1], or null: the source JPEG's estimated quality
 *     and chroma subsampling when {@code source} is a JPEG, else 0.95. An explicit quality also
 *     means the JDK's default 4:2:0 subsampling.</li>
 * <li>{@code pngCompression}: the zlib level of PNG outputs, 0 (stored) to 9 (smallest), or null
 *     for {@link #DEFAULT_PNG_COMPRESSION}; levels 1-2 filter rows with Up, 3-9 with Paeth
 *     ({@link io.sparksr.io.png.PngRows#filterFor}), chosen by measurement
 *     (docs/BENCHMARKS.md).</li>
 * <li>{@code source}: the source's metadata to carry into the output (see
 *     {@link io.sparksr.io.metadata.OutputMetadata}), or null.</li>
 * <li>{@code derivation}: provenance written into the output's XMP, and the scale the
 *     resolution is multiplied by, or null.</li>
 * </ul>
 * With {@code source} and {@code derivation} both null an output is written exactly as before
 * metadata was carried.
 */
public final class WriteOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** No metadata, JPEG quality 0.95 (no source to estimate it from). */
  public static final WriteOptions DEFAULTS = new WriteOptions(null, null, null, null);

  /** Level 1 + Up: on an 8000x4800 photo 2.4x faster than the JDK encoder and 43 % smaller. */
  public static final int DEFAULT_PNG_COMPRESSION = 1;

  private final Float jpegQuality;
  private final Integer pngCompression;
  private final SourceMetadata source;
  private final Derivation derivation;

  /** Quality {@code jpegQuality}, no metadata. */
  public WriteOptions(float jpegQuality) {
    this(Float.valueOf(jpegQuality), null, null, null);
  }

  private WriteOptions(Float jpegQuality, Integer pngCompression, SourceMetadata source,
      Derivation derivation) {
    if (jpegQuality != null && !(jpegQuality > 0f && jpegQuality <= 1f)) {
      throw new IllegalArgumentException("'jpeg-quality' is " + jpegQuality + " but must be in (0, 1]");
    }
    if (pngCompression != null && (pngCompression < 0 || pngCompression > 9)) {
      throw new IllegalArgumentException("'png-compression' is " + pngCompression
          + " but must be in 0..9");
    }
    this.jpegQuality = jpegQuality;
    this.pngCompression = pngCompression;
    this.source = source;
    this.derivation = derivation;
  }

  /** The JPEG quality override, or null (see the class comment). */
  public Float jpegQuality() {
    return jpegQuality;
  }

  /** The PNG zlib level: the override, else {@link #DEFAULT_PNG_COMPRESSION}. */
  public int pngCompression() {
    return pngCompression == null ? DEFAULT_PNG_COMPRESSION : pngCompression;
  }

  public SourceMetadata source() {
    return source;
  }

  public Derivation derivation() {
    return derivation;
  }

  public WriteOptions withJpegQuality(Float quality) {
    return new WriteOptions(quality, pngCompression, source, derivation);
  }

  /** The PNG zlib level 0-9, or null for the default. */
  public WriteOptions withPngCompression(Integer level) {
    return new WriteOptions(jpegQuality, level, source, derivation);
  }

  public WriteOptions withSource(SourceMetadata metadata) {
    return new WriteOptions(jpegQuality, pngCompression, metadata, derivation);
  }

  public WriteOptions withDerivation(Derivation d) {
    return new WriteOptions(jpegQuality, pngCompression, source, d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WriteOptions w && Objects.equals(jpegQuality, w.jpegQuality)
        && Objects.equals(pngCompression, w.pngCompression)
        && source == w.source && Objects.equals(derivation, w.derivation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jpegQuality, pngCompression, System.identityHashCode(source), derivation);
  }

  @Override
  public String toString() {
    return "WriteOptions[jpegQuality=" + jpegQuality + ", pngCompression=" + pngCompression
        + ", source=" + source + ", derivation="
        + derivation + "]";
  }
}
