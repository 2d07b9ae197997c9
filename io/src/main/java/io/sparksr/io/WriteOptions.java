package io.sparksr.io;

import java.io.Serializable;

/**
 * Encoder settings that are not part of the {@link PixelFormat}.
 *
 * @param jpegQuality JPEG quality in (0, 1]; {@link #DEFAULTS} uses 0.95
 */
public record WriteOptions(float jpegQuality) implements Serializable {

  public static final WriteOptions DEFAULTS = new WriteOptions(0.95f);

  public WriteOptions {
    if (!(jpegQuality > 0f && jpegQuality <= 1f)) {
      throw new IllegalArgumentException("'jpeg-quality' is " + jpegQuality + " but must be in (0, 1]");
    }
  }
}
