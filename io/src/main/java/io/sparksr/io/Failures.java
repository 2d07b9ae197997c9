package io.sparksr.io;

import java.io.IOException;

/** The one rule for turning an exception into the reason a manifest or summary row gives. */
public final class Failures {
  private Failures() {}

  /**
   * One line: the message (prefixed by the exception's simple name unless it is an
   * {@link IOException}, whose messages name the file), or the class name if there is no message;
   * line breaks become spaces, so the reason stays one CSV/log line.
   */
  public static String reason(Throwable e) {
    String m = e.getMessage();
    String s = m == null || m.isBlank() ? e.getClass().getName()
        : (e instanceof IOException ? m : e.getClass().getSimpleName() + ": " + m);
    return s.replace('\n', ' ').replace('\r', ' ');
  }
}
