package io.sparksr.jobs;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Paths;

/**
 * Checks between a job's input and output locations, made on the path names alone (no file system
 * is touched, so they run before Spark starts): an output folder inside an input folder would be
 * read as input by the next run (or overwrite the inputs), an input inside the output folder would
 * mix earlier outputs into the inputs. Paths without a scheme are resolved against the working
 * directory; paths of different schemes or authorities never overlap. A glob input counts from the
 * folder before its first wildcard.
 */
public final class PathRules {
  private PathRules() {}

  /**
   * Rejects {@code output} equal to, inside or containing {@code input}.
   *
   * @throws IllegalArgumentException naming both keys, both values and the rule
   */
  public static void checkDisjoint(String outputKey, String output, String inputKey,
      String input) {
    String out = normalize(output, false);
    String in = normalize(input, true);
    if (out == null || in == null) {
      return;
    }
    if (out.equals(in)) {
      throw new IllegalArgumentException("'" + outputKey + "' is '" + output + "' but must not be"
          + " the same location as '" + inputKey + "' '" + input + "' (outputs would be mixed"
          + " with the inputs)");
    }
    if (out.startsWith(in + "/")) {
      throw new IllegalArgumentException("'" + outputKey + "' is '" + output + "' but must not be"
          + " inside '" + inputKey + "' '" + input + "' (outputs would be read as inputs by the"
          + " next run)");
    }
    if (in.startsWith(out + "/")) {
      throw new IllegalArgumentException("'" + inputKey + "' has '" + input + "' but must not be"
          + " inside '" + outputKey + "' '" + output + "' (earlier outputs would be read as"
          + " inputs)");
    }
  }

  /**
   * {@code scheme://authority/normal/path} without a trailing slash; for a glob the folder before
   * its first wildcard; null when the name cannot be parsed (then nothing is checked).
   */
  static String normalize(String path, boolean glob) {
    String p = path.trim();
    if (glob) {
      int wild = firstWildcard(p);
      if (wild >= 0) {
        int slash = p.lastIndexOf('/', wild);
        p = slash < 0 ? "." : p.substring(0, Math.max(slash, 1));
      }
    }
    try {
      int colon = p.indexOf(':');
      int slash = p.indexOf('/');
      boolean hasScheme = colon > 1 && (slash < 0 || colon < slash);
      URI u;
      if (!hasScheme) {
        u = Paths.get(p).toAbsolutePath().normalize().toUri();
      } else {
        u = new URI(p).normalize();
      }
      String scheme = u.getScheme() == null ? "file" : u.getScheme();
      String authority = u.getAuthority() == null ? "" : u.getAuthority();
      String rest = u.getPath() == null ? "" : u.getPath();
      if (scheme.equals("file")) {
        rest = Paths.get(rest.isEmpty() ? "/" : rest).normalize().toString();
      }
      rest = rest.replaceAll("/+$", "");
      return scheme + "://" + authority + rest;
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  private static int firstWildcard(String p) {
    for (int i = 0; i < p.length(); i++) {
      if ("*?[{".indexOf(p.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
