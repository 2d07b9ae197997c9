package io.sparksr.io;

/**
 * An image could not be written to {@link #path()}: no encoder for the format, a format that cannot
 * hold the pixels (alpha in JPEG), or a storage failure while writing or renaming. No file is left at
 * the path when this is thrown (see {@link ImageStore#write}).
 */
public final class ImageEncodeException extends ImageIoException {
  private static final long serialVersionUID = 1L;

  public ImageEncodeException(String path, String reason) {
    this(path, reason, null);
  }

  public ImageEncodeException(String path, String reason, Throwable cause) {
    super("encode", path, reason, cause);
  }
}
