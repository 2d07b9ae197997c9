package io.sparksr.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * What a run's inputs hold: every file found under them, as an image to read or as a file that is
 * ignored with the reason, each with its path relative to the input root it was found under (the
 * output mirrors it).
 * <ul>
 *   <li>A folder is walked recursively; its root is the folder. Names starting with '.' or '_'
 *       (hidden files and folders, {@code _SUCCESS}, a run's own {@code _manifest.csv}) are not
 *       read, at any depth. Links to folders are not followed (an ignored entry says so), so a
 *       link cannot make a walk loop or leave the tree.</li>
 *   <li>A glob ({@code * ? [ {}) matches files and folders (folders are then walked); its root is
 *       the longest leading part without a glob character, so {@code archive/*}{@code /trip} and
 *       {@code archive/**} keep the paths below {@code archive/}.</li>
 *   <li>A file given by name is read whatever its extension (it then decodes or fails with a
 *       reason); its relative path is its name.</li>
 * </ul>
 * In folders, a file is an image when its extension is one of {@link ImageStore#IMAGE_EXTENSIONS};
 * any other file is ignored with a reason that says what it probably is (HEIC, WebP, camera raw,
 * sidecar, not an image), so that every file found is accounted for. The same path reached from two
 * inputs counts once (the first).
 */
public final class InputListing {
  /** Folders deeper than this below a root are not walked (an ignored entry says so). */
  public static final int MAX_DEPTH = 64;

  /**
   * A file found under an input.
   *
   * @param path     qualified path
   * @param root     the qualified input root it was found under
   * @param relative its path below {@code root} ('/'-separated, never empty, no '.' or '..')
   * @param reason   why it is ignored; null for an image to read
   */
  public record Found(String path, String root, String relative, String reason)
      implements java.io.Serializable {
    public boolean ignored() {
      return reason != null;
    }
  }

  /** Images to read and ignored files, each in path order. */
  public record Listing(List<Found> images, List<Found> ignored) {
    public Listing {
      images = List.copyOf(images);
      ignored = List.copyOf(ignored);
    }

    /** Ignored files counted by reason, most frequent first. */
    public Map<String, Long> ignoredByReason() {
      Map<String, Long> counts = new TreeMap<>();
      ignored.forEach(f -> counts.merge(f.reason(), 1L, Long::sum));
      Map<String, Long> out = new LinkedHashMap<>();
      counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    }
  }

  private static final Map<String, String> KNOWN = new TreeMap<>();

  static {
    for (String e : List.of("heic", "heif", "avif")) {
      KNOWN.put(e, "unsupported image format (HEIC/HEIF/AVIF)");
    }
    KNOWN.put("webp", "unsupported image format (WebP)");
    KNOWN.put("gif", "GIF is only read when named as an input (animation: first frame)");
    KNOWN.put("jp2", "unsupported image format (JPEG 2000)");
    KNOWN.put("jxl", "unsupported image format (JPEG XL)");
    for (String e : List.of("cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "dng", "orf",
        "rw2", "raf", "pef", "srw", "x3f", "erf", "kdc", "mrw", "3fr", "iiq")) {
      KNOWN.put(e, "camera raw file (not decoded: develop it to TIFF first)");
    }
    for (String e : List.of("xmp", "thm", "aae", "xml", "json", "txt", "md", "csv", "pdf", "doc",
        "docx", "db", "ini", "pp3", "dop", "on1", "sha256", "md5")) {
      KNOWN.put(e, "sidecar or document, not an image");
    }
    for (String e : List.of("mov", "mp4", "avi", "mts", "m4v", "3gp", "wav", "mp3")) {
      KNOWN.put(e, "video or audio, not an image");
    }
  }

  private InputListing() {}

  /** Why a file found in a folder is not read, or null when it is an image. */
  public static String ignoreReason(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (ImageStore.IMAGE_EXTENSIONS.containsKey(ext)) {
      return null;
    }
    String known = KNOWN.get(ext);
    if (known != null) {
      return known;
    }
    return ext.isEmpty() ? "no file extension: not read as an image"
        : "not a supported image (." + ext + ")";
  }

  /**
   * Lists {@code inputs} (files, folders or globs on any Hadoop file system).
   *
   * @throws FileNotFoundException naming an input that does not exist or holds no image
   */
  public static Listing list(Configuration conf, List<String> inputs) throws IOException {
    Map<String, Found> images = new TreeMap<>();
    Map<String, Found> ignored = new TreeMap<>();
    for (String input : inputs) {
      Path p = new Path(input);
      FileSystem fs = AtomicFiles.fileSystem(conf, p);
      Map<String, Found> mine = new TreeMap<>();
      Map<String, Found> mineIgnored = new TreeMap<>();
      try {
        if (input.chars().anyMatch(ch -> "*?[{".indexOf(ch) >= 0)) {
          String root = fs.makeQualified(globRoot(p)).toString();
          FileStatus[] matches = fs.globStatus(p);
          for (FileStatus st : matches == null ? new FileStatus[0] : matches) {
            String name = st.getPath().getName();
            if (name.startsWith(".") || name.startsWith("_")) {
              continue;
            }
            if (st.isDirectory()) {
              walk(fs, st.getPath(), root, relative(root, st.getPath()), 1, mine, mineIgnored);
            } else {
              add(root, st.getPath(), relative(root, st.getPath()), mine, mineIgnored);
            }
          }
        } else {
          FileStatus st = fs.getFileStatus(p);
          if (st.isDirectory()) {
            String root = st.getPath().toString();
            walk(fs, st.getPath(), root, "", 0, mine, mineIgnored);
          } else {
            String path = st.getPath().toString();
            mine.put(path, new Found(path, st.getPath().getParent().toString(),
                st.getPath().getName(), null));
          }
        }
      } catch (FileNotFoundException e) {
        throw new FileNotFoundException("input '" + input + "' does not exist");
      } catch (IOException e) {
        throw new IOException("cannot list input '" + input + "': " + e.getMessage(), e);
      }
      if (mine.isEmpty()) {
        throw new FileNotFoundException("input '" + input + "' matches no image file (extensions "
            + new java.util.TreeSet<>(ImageStore.IMAGE_EXTENSIONS.keySet()) + ", names not "
            + "starting with '.' or '_'" + (mineIgnored.isEmpty() ? ")"
            : "; " + mineIgnored.size() + " other file(s) found, e.g. "
                + mineIgnored.values().iterator().next().relative() + ": "
                + mineIgnored.values().iterator().next().reason() + ")"));
      }
      mine.forEach(images::putIfAbsent);
      mineIgnored.forEach(ignored::putIfAbsent);
    }
    return new Listing(new ArrayList<>(images.values()), new ArrayList<>(ignored.values()));
  }

  private static void walk(FileSystem fs, Path dir, String root, String rel, int depth,
      Map<String, Found> images, Map<String, Found> ignored) throws IOException {
    if (depth > MAX_DEPTH) {
      ignored.put(dir.toString(), new Found(dir.toString(), root, rel, "folder more than "
          + MAX_DEPTH + " levels below its input root: not walked"));
      return;
    }
    for (FileStatus child : fs.listStatus(dir)) {
      String name = child.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        continue;
      }
      String childRel = rel.isEmpty() ? name : rel + "/" + name;
      if (child.isDirectory()) {
        if (isLocalLink(fs, child.getPath())) {
          ignored.put(child.getPath().toString(), new Found(child.getPath().toString(), root,
              childRel, "link to a folder: not followed"));
        } else {
          walk(fs, child.getPath(), root, childRel, depth + 1, images, ignored);
        }
      } else {
        add(root, child.getPath(), childRel, images, ignored);
      }
    }
    if (fs instanceof RawLocalFileSystem local) {
      addUnstattable(local, dir, root, rel, images);
    }
  }

  private static void add(String root, Path file, String rel, Map<String, Found> images,
      Map<String, Found> ignored) {
    String path = file.toString();
    String why = ignoreReason(file.getName());
    if (why == null) {
      images.put(path, new Found(path, root, rel, null));
    } else {
      ignored.put(path, new Found(path, root, rel, why));
    }
  }

  /**
   * Hadoop's local listing silently drops entries it cannot stat (dangling or looping symbolic
   * links): image names among them are added, so that decoding them fails with a reason ("no such
   * file") instead of the input vanishing from the run without a trace.
   */
  private static void addUnstattable(RawLocalFileSystem fs, Path dir, String root, String rel,
      Map<String, Found> images) throws IOException {
    java.nio.file.Path d = fs.pathToFile(dir).toPath();
    try (java.nio.file.DirectoryStream<java.nio.file.Path> entries =
        java.nio.file.Files.newDirectoryStream(d)) {
      for (java.nio.file.Path e : entries) {
        String name = e.getFileName().toString();
        if (!name.startsWith(".") && !name.startsWith("_") && ignoreReason(name) == null
            && java.nio.file.Files.isSymbolicLink(e) && !java.nio.file.Files.exists(e)) {
          String path = new Path(dir, new Path(null, null, name)).toString();
          images.putIfAbsent(path, new Found(path, root, rel.isEmpty() ? name : rel + "/" + name,
              null));
        }
      }
    } catch (java.nio.file.DirectoryIteratorException e) {
      throw new IOException("cannot list " + dir + ": " + e.getCause().getMessage(), e);
    }
  }

  private static boolean isLocalLink(FileSystem fs, Path dir) {
    if (fs instanceof RawLocalFileSystem local) {
      return java.nio.file.Files.isSymbolicLink(local.pathToFile(dir).toPath());
    }
    if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
      return java.nio.file.Files.isSymbolicLink(local.pathToFile(dir).toPath());
    }
    return false;
  }

  /** The longest leading part of a glob path without a glob character. */
  static Path globRoot(Path glob) {
    Path p = glob;
    while (p.getParent() != null && p.toString().chars().anyMatch(ch -> "*?[{".indexOf(ch) >= 0)) {
      p = p.getParent();
    }
    return p;
  }

  /** {@code path} below {@code root} (qualified strings), '/'-separated. */
  private static String relative(String root, Path path) {
    String r = root.endsWith("/") ? root : root + "/";
    String s = path.toString();
    if (!s.startsWith(r)) {
      throw new IllegalStateException(s + " is not below " + root);
    }
    return s.substring(r.length());
  }
}
