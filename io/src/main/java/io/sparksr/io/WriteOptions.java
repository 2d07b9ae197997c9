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
  public static final WriteOptions DEFAULTS = new WriteOptions(null, null, null);

  private final Float jpegQuality;
  private final SourceMetadata source;
  private final Derivation derivation;

  /** Quality {@code jpegQuality}, no metadata. */
  public WriteOptions(float jpegQuality) {
    this(Float.valueOf(jpegQuality), null, null);
  }

  private WriteOptions(Float jpegQuality, SourceMetadata source, Derivation derivation) {
    if (jpegQuality != null && !(jpegQuality > 0f && jpegQuality <= 1f)) {
      throw new IllegalArgumentException("'jpeg-quality' is " + jpegQuality + " but must be in (0, 1]");
    }
    this.jpegQuality = jpegQuality;
    this.source = source;
    this.derivation = derivation;
  }

  /** The JPEG quality override, or null (see the class comment). */
  public Float jpegQuality() {
    return jpegQuality;
  }

  public SourceMetadata source() {
    return source;
  }

  public Derivation derivation() {
    return derivation;
  }

  public WriteOptions withJpegQuality(Float quality) {
    return new WriteOptions(quality, source, derivation);
  }

  public WriteOptions withSource(SourceMetadata metadata) {
    return new WriteOptions(jpegQuality, metadata, derivation);
  }

  public WriteOptions withDerivation(Derivation d) {
    return new WriteOptions(jpegQuality, source, d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WriteOptions w && Objects.equals(jpegQuality, w.jpegQuality)
        && source == w.source && Objects.equals(derivation, w.derivation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jpegQuality, System.identityHashCode(source), derivation);
  }

  @Override
  public String toString() {
    return "WriteOptions[jpegQuality=" + jpegQuality + ", source=" + source + ", derivation="
        + derivation + "]";
  }
}
