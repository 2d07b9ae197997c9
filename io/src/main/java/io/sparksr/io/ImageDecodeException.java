package io.sparksr.io;

/**
 * The file at {@link #path()} is not an image this store can decode: missing, empty, truncated,
 * corrupt, not an image at all, or of an unsupported kind (CMYK, float samples, ...). Failures of
 * the storage itself (a datanode that does not answer) are plain {@link java.io.IOException}s, so a
 * job can tell a bad input (record it, go on) from a transient fault (let the task retry).
 */
public final class ImageDecodeException extends ImageIoException {
  private static final long serialVersionUID = 1L;

  public ImageDecodeException(String path, String reason) {
    this(path, reason, null);
  }

  public ImageDecodeException(String path, String reason, Throwable cause) {
    super("decode", path, reason, cause);
  }
}
