package io.sparksr.io;

import java.io.IOException;

/**
 * An image that cannot be decoded or encoded. The message is {@code "cannot <verb> <path>: <reason>"};
 * {@link #path()} and {@link #reason()} give the two parts separately (for a job's manifest row).
 */
public abstract class ImageIoException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  ImageIoException(String verb, String path, String reason, Throwable cause) {
    super("cannot " + verb + " " + path + ": " + reason, cause);
    this.path = path;
    this.reason = reason;
  }

  /** The path as the caller gave it. */
  public String path() {
    return path;
  }

  /** Why the image could not be handled, without the path. */
  public String reason() {
    return reason;
  }
}
