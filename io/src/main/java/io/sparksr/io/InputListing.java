package io.sparksr.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
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
 *   <li>A folder is walked recursively; its root is the folder. Hidden names (starting with '.':
 *       {@code .DS_Store}, AppleDouble {@code ._IMG_0001.JPG}, {@code .thumbnails/}, a run's own
 *       work folders) are not read, at any depth: each is an ignored entry (a hidden folder one
 *       entry, not walked). Names starting with '_' are ordinary names (cameras name Adobe RGB
 *       photos {@code _DSC0001.JPG}). Links to folders are not followed (an ignored entry says
 *       so), so a link cannot make a walk loop or leave the tree. A folder that cannot be listed
 *       (no permission: {@code lost+found} to a user who is not root) is one ignored entry with
 *       the reason, and the rest of the tree is listed (entries of it listed before a listing
 *       failed midway stay); the input folder itself is an error naming it.</li>
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

  /**
   * Why a file found in a folder, by a glob or in an inventory is not read (a hidden name, or an
   * extension that is not an image's), or null when it is an image.
   */
  public static String ignoreReason(String name) {
    if (hidden(name)) {
      return HIDDEN_FILE;
    }
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
   * A folder to list; what {@link #seeds} leaves to list and {@link #walker} lists, on any machine
   * (executors of a distributed listing).
   *
   * @param input     index of the input (in the list given to {@link #seeds}) it was found under
   * @param dir       the folder (qualified)
   * @param root      the qualified input root
   * @param rel       the folder's path below the root ("" for the root)
   * @param depth     levels below the root
   * @param recursive walk the whole tree below; false: only the files directly in the folder
   *                  (its subfolders are units of their own)
   */
  public record Unit(int input, String dir, String root, String rel, int depth, boolean recursive)
      implements java.io.Serializable {}

  /**
   * Where a listing starts, as found on the driver: files named as inputs or matched by a glob
   * (with their input's index), entries ignored while expanding folders, and the folders left to
   * walk. The driver holds one entry per folder of the top levels it expanded, none per file found
   * in a folder.
   */
  public record Seeds(List<Found> files, List<Integer> fileInputs, List<Found> ignored,
      List<Integer> ignoredInputs, List<Unit> units) {}

  /**
   * Starts a listing of {@code inputs}: names and globs are resolved, and folders are expanded
   * level by level (their subfolders listed, not their files) until there are at least
   * {@code minUnits} folders to walk or {@value #SEED_LEVELS} levels are expanded, so the walk can
   * be spread.
   *
   * @throws FileNotFoundException naming an input that does not exist
   */
  public static Seeds seeds(Configuration conf, List<String> inputs, int minUnits)
      throws IOException {
    List<Found> files = new ArrayList<>();
    List<Integer> fileInputs = new ArrayList<>();
    List<Found> ignored = new ArrayList<>();
    List<Integer> ignoredInputs = new ArrayList<>();
    List<Unit> units = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      String input = inputs.get(i);
      Path p = new Path(input);
      FileSystem fs = AtomicFiles.fileSystem(conf, p);
      try {
        if (input.chars().anyMatch(ch -> "*?[{".indexOf(ch) >= 0)) {
          String root = fs.makeQualified(globRoot(p)).toString();
          FileStatus[] matches = fs.globStatus(p);
          for (FileStatus st : matches == null ? new FileStatus[0] : matches) {
            String rel = relative(root, st.getPath());
            if (st.isDirectory() && hidden(st.getPath().getName())) {
              ignored.add(new Found(st.getPath().toString(), root, rel, HIDDEN_FOLDER));
              ignoredInputs.add(i);
            } else if (st.isDirectory()) {
              units.add(new Unit(i, st.getPath().toString(), root, rel, 1, true));
            } else {
              Found f = found(root, st.getPath(), rel);
              (f.ignored() ? ignored : files).add(f);
              (f.ignored() ? ignoredInputs : fileInputs).add(i);
            }
          }
        } else {
          FileStatus st = fs.getFileStatus(p);
          if (st.isDirectory()) {
            units.add(new Unit(i, st.getPath().toString(), st.getPath().toString(), "", 0, true));
          } else {
            String path = st.getPath().toString();
            files.add(new Found(path, st.getPath().getParent().toString(), st.getPath().getName(),
                null));
            fileInputs.add(i);
          }
        }
      } catch (FileNotFoundException e) {
        throw new FileNotFoundException("input '" + input + "' does not exist");
      } catch (IOException e) {
        throw new IOException("cannot list input '" + input + "': " + e.getMessage(), e);
      }
    }
    for (int level = 0; level < SEED_LEVELS && units.size() < minUnits; level++) {
      List<Unit> next = new ArrayList<>();
      boolean expanded = false;
      for (Unit u : units) {
        if (!u.recursive() || u.depth() >= MAX_DEPTH) {
          next.add(u);
          continue;
        }
        expanded = true;
        Path dir = new Path(u.dir());
        FileSystem fs = AtomicFiles.fileSystem(conf, dir);
        List<Unit> below = new ArrayList<>();
        List<Found> links = new ArrayList<>();
        try (Entries entries = entries(fs, dir)) {
          while (entries.hasNext()) {
            Entry e = entries.next();
            if (!e.dir() || hidden(e.name())) {
              continue; // the folder's own walk (below) lists its files and hidden folders
            }
            String rel = u.rel().isEmpty() ? e.name() : u.rel() + "/" + e.name();
            if (e.link()) {
              links.add(new Found(e.path().toString(), u.root(), rel, LINK));
            } else {
              below.add(new Unit(u.input(), e.path().toString(), u.root(), rel, u.depth() + 1,
                  true));
            }
          }
        } catch (IOException | java.io.UncheckedIOException e) {
          // the folder is one entry, nothing of it is walked (the input folder: an error)
          ignored.add(unlisted(u.root(), dir, u.rel(), e));
          ignoredInputs.add(u.input());
          continue;
        }
        next.add(new Unit(u.input(), u.dir(), u.root(), u.rel(), u.depth(), false));
        next.addAll(below);
        for (Found link : links) {
          ignored.add(link);
          ignoredInputs.add(u.input());
        }
      }
      units = next;
      if (!expanded) {
        break;
      }
    }
    return new Seeds(files, fileInputs, ignored, ignoredInputs, units);
  }

  /** Folder levels {@link #seeds} expands on the driver at most. */
  public static final int SEED_LEVELS = 3;

  private static final String LINK = "link to a folder: not followed";
  private static final String HIDDEN_FILE = "hidden file (name starts with '.'): not read";
  private static final String HIDDEN_FOLDER = "hidden folder (name starts with '.'): not walked";

  /** Hidden names, not read: files and folders whose name starts with '.'. */
  static boolean hidden(String name) {
    return name.startsWith(".");
  }

  /**
   * The entry of folder {@code dir} (at {@code rel} below {@code root}) when listing it failed
   * ({@code failure}: an {@link IOException}, or one wrapped while iterating): an ignored entry
   * with the reason, so that the rest of the tree is listed. The input folder itself
   * ({@code rel} empty) cannot be listed: an error naming it.
   */
  private static Found unlisted(String root, Path dir, String rel, Exception failure)
      throws IOException {
    IOException e = failure instanceof java.io.UncheckedIOException u ? u.getCause()
        : (IOException) failure;
    if (rel.isEmpty()) {
      throw new IOException("cannot list input folder " + dir + ": " + e.getMessage(), e);
    }
    boolean denied = e instanceof java.nio.file.AccessDeniedException
        || e instanceof org.apache.hadoop.security.AccessControlException;
    return new Found(dir.toString(), root, rel,
        "cannot list folder: " + (denied ? "permission denied" : Failures.reason(e)));
  }

  /**
   * The files of one unit, streaming (a folder of millions of files is never held): images and
   * ignored files, in no particular order.
   */
  public static Iterator<Found> walker(Configuration conf, Unit unit) throws IOException {
    return new Walker(conf, unit);
  }

  /**
   * Lists {@code inputs} (files, folders or globs on any Hadoop file system) here, whole: images
   * and ignored files, each in path order (a run on one machine; a distributed run walks the
   * {@link #seeds} units on executors instead).
   *
   * @throws FileNotFoundException naming an input that does not exist or holds no image
   */
  public static Listing list(Configuration conf, List<String> inputs) throws IOException {
    Seeds seeds = seeds(conf, inputs, 0);
    List<Map<String, Found>> mine = new ArrayList<>();
    List<Map<String, Found>> mineIgnored = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      mine.add(new TreeMap<>());
      mineIgnored.add(new TreeMap<>());
    }
    for (int k = 0; k < seeds.files().size(); k++) {
      mine.get(seeds.fileInputs().get(k)).put(seeds.files().get(k).path(), seeds.files().get(k));
    }
    for (int k = 0; k < seeds.ignored().size(); k++) {
      mineIgnored.get(seeds.ignoredInputs().get(k)).put(seeds.ignored().get(k).path(),
          seeds.ignored().get(k));
    }
    for (Unit u : seeds.units()) {
      for (Iterator<Found> it = walker(conf, u); it.hasNext(); ) {
        Found f = it.next();
        (f.ignored() ? mineIgnored : mine).get(u.input()).put(f.path(), f);
      }
    }
    Map<String, Found> images = new TreeMap<>();
    Map<String, Found> ignored = new TreeMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      if (mine.get(i).isEmpty()) {
        Found example = mineIgnored.get(i).isEmpty() ? null
            : mineIgnored.get(i).values().iterator().next();
        throw new FileNotFoundException(noImage(inputs.get(i), mineIgnored.get(i).size(),
            example));
      }
      mine.get(i).forEach(images::putIfAbsent);
      mineIgnored.get(i).forEach(ignored::putIfAbsent);
    }
    // a file named as an input is read even where a folder walk ignores it: one entry per path
    ignored.keySet().removeAll(images.keySet());
    return new Listing(new ArrayList<>(images.values()), new ArrayList<>(ignored.values()));
  }

  /** The error of an input that holds no image: how many other files, and one of them. */
  public static String noImage(String input, long ignoredCount, Found example) {
    return "input '" + input + "' matches no image file (extensions "
        + new java.util.TreeSet<>(ImageStore.IMAGE_EXTENSIONS.keySet()) + ", names not "
        + "starting with '.'" + (ignoredCount == 0 || example == null ? ")"
        : "; " + ignoredCount + " other file(s) found, e.g. " + example.relative() + ": "
            + example.reason() + ")");
  }

  private static Found found(String root, Path file, String rel) {
    return new Found(file.toString(), root, rel, ignoreReason(file.getName()));
  }

  /**
   * One entry of a folder: a file, a folder, or a link to a folder ({@code dir} and
   * {@code link}); {@code size} and {@code modified} read a file's size and modification time
   * (ms; on the local file system, a stat each).
   */
  record Entry(Path path, String name, boolean dir, boolean link,
      java.util.function.LongSupplier size, java.util.function.LongSupplier modified) {}

  /** A folder's entries, streaming. */
  interface Entries extends Iterator<Entry>, java.io.Closeable {}

  /**
   * The entries of {@code dir}, streaming: on the local file system through a directory stream
   * (Hadoop's local listing builds an array of every entry, and silently drops entries it cannot
   * stat: a dangling link is listed here as a file, so reading it fails with a reason instead of it
   * vanishing), elsewhere through the file system's paged listing.
   */
  static Entries entries(FileSystem fs, Path dir) throws IOException {
    java.io.File local = fs instanceof RawLocalFileSystem raw ? raw.pathToFile(dir)
        : fs instanceof org.apache.hadoop.fs.LocalFileSystem lfs ? lfs.pathToFile(dir) : null;
    if (local != null) {
      java.nio.file.DirectoryStream<java.nio.file.Path> stream;
      try {
        stream = java.nio.file.Files.newDirectoryStream(local.toPath());
      } catch (java.nio.file.NoSuchFileException e) {
        throw new FileNotFoundException(dir + " does not exist");
      } catch (java.nio.file.NotDirectoryException e) {
        throw new IOException(dir + " is not a folder");
      }
      Iterator<java.nio.file.Path> it = stream.iterator();
      return new Entries() {
        @Override
        public boolean hasNext() {
          try {
            return it.hasNext();
          } catch (java.nio.file.DirectoryIteratorException e) {
            throw new java.io.UncheckedIOException(e.getCause());
          }
        }

        @Override
        public Entry next() {
          java.nio.file.Path e;
          try {
            e = it.next();
          } catch (java.nio.file.DirectoryIteratorException x) {
            throw new java.io.UncheckedIOException(x.getCause());
          }
          String name = e.getFileName().toString();
          boolean link = java.nio.file.Files.isSymbolicLink(e);
          boolean isDir = java.nio.file.Files.isDirectory(e);
          return new Entry(new Path(dir, new Path(null, null, name)), name, isDir,
              link && isDir, () -> {
                try {
                  return java.nio.file.Files.size(e);
                } catch (IOException x) {
                  return -1;
                }
              }, () -> {
                try {
                  return java.nio.file.Files.getLastModifiedTime(e).toMillis();
                } catch (IOException x) {
                  return -1;
                }
              });
        }

        @Override
        public void close() throws IOException {
          stream.close();
        }
      };
    }
    org.apache.hadoop.fs.RemoteIterator<FileStatus> it = fs.listStatusIterator(dir);
    return new Entries() {
      @Override
      public boolean hasNext() {
        try {
          return it.hasNext();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public Entry next() {
        try {
          FileStatus st = it.next();
          return new Entry(st.getPath(), st.getPath().getName(), st.isDirectory(), false,
              st::getLen, st::getModificationTime);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public void close() {}
    };
  }

  /** Walks one unit depth first with a stack of open listings: one entry in memory at a time. */
  private static final class Walker implements Iterator<Found> {
    private record Level(Entries entries, Path dir, String rel, int depth) {}

    private final FileSystem fs;
    private final Unit unit;
    private final java.util.ArrayDeque<Level> stack = new java.util.ArrayDeque<>();
    private Found next;

    Walker(Configuration conf, Unit unit) throws IOException {
      Path dir = new Path(unit.dir());
      this.fs = AtomicFiles.fileSystem(conf, dir);
      this.unit = unit;
      if (unit.depth() > MAX_DEPTH) {
        next = tooDeep(dir, unit.rel());
      } else {
        enter(dir, unit.rel(), unit.depth());
      }
    }

    /** Opens folder {@code dir} for the walk, or makes it an entry if it cannot be listed. */
    private void enter(Path dir, String rel, int depth) throws IOException {
      try {
        stack.push(new Level(entries(fs, dir), dir, rel, depth));
      } catch (IOException e) {
        next = unlisted(unit.root(), dir, rel, e);
      }
    }

    private Found tooDeep(Path dir, String rel) {
      return new Found(dir.toString(), unit.root(), rel, "folder more than " + MAX_DEPTH
          + " levels below its input root: not walked");
    }

    @Override
    public boolean hasNext() {
      try {
        while (next == null && !stack.isEmpty()) {
          Level top = stack.peek();
          Entry e;
          try {
            if (!top.entries().hasNext()) {
              stack.pop().entries().close();
              continue;
            }
            e = top.entries().next();
          } catch (java.io.UncheckedIOException failed) {
            // listing failed midway: what it gave stays, the folder becomes an entry
            stack.pop();
            try {
              top.entries().close();
            } catch (IOException c) {
              failed.addSuppressed(c);
            }
            next = unlisted(unit.root(), top.dir(), top.rel(), failed);
            continue;
          }
          String rel = top.rel().isEmpty() ? e.name() : top.rel() + "/" + e.name();
          if (e.dir() && hidden(e.name())) {
            next = new Found(e.path().toString(), unit.root(), rel, HIDDEN_FOLDER);
          } else if (e.link()) {
            next = new Found(e.path().toString(), unit.root(), rel, LINK);
          } else if (e.dir()) {
            if (!unit.recursive()) {
              continue; // a unit of its own
            }
            if (top.depth() + 1 > MAX_DEPTH) {
              next = tooDeep(e.path(), rel);
            } else {
              enter(e.path(), rel, top.depth() + 1);
            }
          } else {
            next = found(unit.root(), e.path(), rel);
          }
        }
        return next != null;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public Found next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      Found f = next;
      next = null;
      return f;
    }
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
