package io.sparksr.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The file operations jobs need besides images, on any Hadoop FileSystem: small text files
 * (manifests, summaries, reports) written atomically, existence, sizes, qualified names.
 */
public final class HadoopFiles {
  private HadoopFiles() {}

  /** Writes {@code text} (UTF-8) atomically ({@link AtomicFiles}). */
  public static void writeText(Configuration conf, String path, String text)
      throws IOException {
    try {
      AtomicFiles.write(conf, path, (fs, tmp) -> {
        try (OutputStream out = AtomicFiles.create(fs, tmp)) {
          out.write(text.getBytes(StandardCharsets.UTF_8));
        }
      });
    } catch (IOException e) {
      throw new IOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Reads a whole UTF-8 text file. */
  public static String readText(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    try (var in = p.getFileSystem(conf).open(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code path} exists. */
  public static boolean exists(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).exists(p);
  }

  /**
   * Whether {@code path} is a folder: true for a folder, false for a file, null when it does not
   * exist.
   */
  public static Boolean isFolder(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    try {
      return AtomicFiles.fileSystem(conf, p).getFileStatus(p).isDirectory();
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /** {@code path} fully qualified (scheme and authority), as the rest of a run will name it. */
  public static String qualify(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).makeQualified(p).toString();
  }

  /** Total bytes of the files under {@code path} (a file or a folder, recursively). */
  public static long totalSize(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    try {
      return p.getFileSystem(conf).getContentSummary(p).getLength();
    } catch (IOException e) {
      throw new IOException("cannot measure " + path + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code bytes} atomically ({@link AtomicFiles}). */
  public static void writeBytes(Configuration conf, String path, byte[] bytes) throws IOException {
    try {
      AtomicFiles.write(conf, path, (fs, tmp) -> {
        try (OutputStream out = AtomicFiles.create(fs, tmp)) {
          out.write(bytes);
        }
      });
    } catch (IOException e) {
      throw new IOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Copies the whole file {@code path} to {@code out} (not closed); returns the bytes copied. */
  public static long copyTo(Configuration conf, String path, OutputStream out) throws IOException {
    Path p = new Path(path);
    try (InputStream in = AtomicFiles.fileSystem(conf, p).open(p)) {
      return in.transferTo(out);
    } catch (IOException e) {
      throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The hex SHA-256 of the bytes of file {@code path} (streamed; what identifies a file's content
   * wherever it lies).
   */
  public static String sha256(Configuration conf, String path) throws IOException {
    java.security.MessageDigest digest;
    try {
      digest = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    try (OutputStream sink = new java.security.DigestOutputStream(OutputStream.nullOutputStream(),
        digest)) {
      copyTo(conf, path, sink);
    }
    return java.util.HexFormat.of().formatHex(digest.digest());
  }

  /**
   * The files directly in folder {@code dir}: name to size in bytes; empty when the folder does not
   * exist. One listing call, however many files (the driver's way to see what a run already wrote).
   */
  public static Map<String, Long> list(Configuration conf, String dir) throws IOException {
    Path p = new Path(dir);
    Map<String, Long> out = new TreeMap<>();
    try {
      for (FileStatus st : AtomicFiles.fileSystem(conf, p).listStatus(p)) {
        if (st.isFile()) {
          out.put(st.getPath().getName(), st.getLen());
        }
      }
    } catch (FileNotFoundException e) {
      return out;
    } catch (IOException e) {
      throw new IOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * What a folder tree holds.
   *
   * @param files         every file below the folder, by its path below it ('/'-separated), with
   *                      its size; hidden folders (names starting with '.') are not entered
   * @param hiddenFolders the paths below the folder of its hidden folders (not entered)
   */
  public record Tree(Map<String, Long> files, java.util.Set<String> hiddenFolders) {}

  /** The tree below folder {@code dir}; empty when it does not exist. */
  public static Tree listTree(Configuration conf, String dir) throws IOException {
    Path p = new Path(dir);
    Map<String, Long> files = new TreeMap<>();
    java.util.Set<String> hidden = new java.util.TreeSet<>();
    try {
      listTree(AtomicFiles.fileSystem(conf, p), p, "", files, hidden);
    } catch (FileNotFoundException e) {
      return new Tree(files, hidden);
    } catch (IOException e) {
      throw new IOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return new Tree(files, hidden);
  }

  private static void listTree(FileSystem fs, Path dir, String rel, Map<String, Long> files,
      java.util.Set<String> hidden) throws IOException {
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      String childRel = rel.isEmpty() ? name : rel + "/" + name;
      if (st.isDirectory()) {
        if (name.startsWith(".")) {
          hidden.add(childRel);
        } else {
          listTree(fs, st.getPath(), childRel, files, hidden);
        }
      } else {
        files.put(childRel, st.getLen());
      }
    }
  }

  /**
   * Hands each file below folder {@code dir} to {@code visit} (its path below {@code dir},
   * '/'-separated), depth first and streaming (one open listing per level, nothing held), until
   * {@code visit} returns false. Folders whose name {@code enter} refuses, links to folders and
   * folders deeper than {@link InputListing#MAX_DEPTH} are not entered.
   *
   * @return false when {@code visit} stopped the walk
   * @throws IOException naming the folder that could not be listed
   */
  public static boolean visitFiles(Configuration conf, String dir,
      java.util.function.Predicate<String> enter, java.util.function.Predicate<String> visit)
      throws IOException {
    Path p = new Path(dir);
    return visitFiles(AtomicFiles.fileSystem(conf, p), p, "", 0, enter, visit);
  }

  private static boolean visitFiles(FileSystem fs, Path dir, String rel, int depth,
      java.util.function.Predicate<String> enter, java.util.function.Predicate<String> visit)
      throws IOException {
    InputListing.Entries entries;
    try {
      entries = InputListing.entries(fs, dir);
    } catch (IOException e) {
      throw new IOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    try (entries) {
      for (InputListing.Entry e = nextEntry(entries, dir); e != null;
          e = nextEntry(entries, dir)) {
        String childRel = rel.isEmpty() ? e.name() : rel + "/" + e.name();
        if (!e.dir()) {
          if (!visit.test(childRel)) {
            return false;
          }
        } else if (!e.link() && depth < InputListing.MAX_DEPTH && enter.test(e.name())
            && !visitFiles(fs, e.path(), childRel, depth + 1, enter, visit)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The next entry of a listing of {@code dir}, null at its end. */
  private static InputListing.Entry nextEntry(InputListing.Entries entries, Path dir)
      throws IOException {
    try {
      return entries.hasNext() ? entries.next() : null;
    } catch (java.io.UncheckedIOException e) {
      throw new IOException("cannot list " + dir + ": " + e.getCause().getMessage(),
          e.getCause());
    }
  }

  /**
   * The entries of folder {@code dir} whose names {@code wanted} accepts, streaming (a folder of
   * millions of entries is never held, only what is wanted): files by name with their size, and
   * hidden folders (names starting with '.') by name. Empty when the folder does not exist.
   * Files modified at or after {@code writtenSince} (ms, the file system's clock;
   * {@code Long.MAX_VALUE}: none) are left out: files the current run wrote are not "already
   * there" when a lost partition is planned again.
   */
  public static Tree listFolder(Configuration conf, String dir,
      java.util.function.Predicate<String> wanted, long writtenSince) throws IOException {
    Path p = new Path(dir);
    Map<String, Long> files = new TreeMap<>();
    java.util.Set<String> hidden = new java.util.TreeSet<>();
    FileSystem fs = AtomicFiles.fileSystem(conf, p);
    try (InputListing.Entries entries = InputListing.entries(fs, p)) {
      while (entries.hasNext()) {
        InputListing.Entry e = entries.next();
        if (!wanted.test(e.name())) {
          continue;
        }
        if (!e.dir()) {
          if (e.modified().getAsLong() < writtenSince) {
            files.put(e.name(), e.size().getAsLong());
          }
        } else if (e.name().startsWith(".")) {
          hidden.add(e.name());
        }
      }
    } catch (FileNotFoundException e) {
      return new Tree(files, hidden);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new IOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return new Tree(files, hidden);
  }

  /**
   * Which of {@code names} exist in folder {@code dir}, one stat each: files with their size,
   * hidden folders (names starting with '.') by name; what {@link #listFolder} finds for them
   * (files modified since {@code writtenSince} left out too), without listing a folder that holds
   * many other entries.
   */
  public static Tree stat(Configuration conf, String dir, java.util.Collection<String> names,
      long writtenSince) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    java.util.Set<String> hidden = new java.util.TreeSet<>();
    Path d = new Path(dir);
    FileSystem fs = AtomicFiles.fileSystem(conf, d);
    for (String n : names) {
      Path p = new Path(d, new Path(null, null, n));
      try {
        FileStatus st = fs.getFileStatus(p);
        if (!st.isDirectory()) {
          if (st.getModificationTime() < writtenSince) {
            files.put(n, st.getLen());
          }
        } else if (n.startsWith(".")) {
          hidden.add(n);
        }
      } catch (FileNotFoundException e) {
        // not there
      } catch (IOException e) {
        throw new IOException("cannot stat " + p + ": " + e.getMessage(), e);
      }
    }
    return new Tree(files, hidden);
  }

  /** The modification time of {@code path} (ms since the epoch, the file system's clock). */
  public static long modified(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    try {
      return AtomicFiles.fileSystem(conf, p).getFileStatus(p).getModificationTime();
    } catch (IOException e) {
      throw new IOException("cannot stat " + path + ": " + e.getMessage(), e);
    }
  }

  /** The size of file {@code path} in bytes. */
  public static long size(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    try {
      return AtomicFiles.fileSystem(conf, p).getFileStatus(p).getLen();
    } catch (IOException e) {
      throw new IOException("cannot stat " + path + ": " + e.getMessage(), e);
    }
  }

  /** Deletes {@code path} recursively if it exists. */
  public static void deleteRecursively(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = AtomicFiles.fileSystem(conf, p);
    if (fs.exists(p) && !fs.delete(p, true)) {
      throw new IOException("cannot delete " + path);
    }
  }
}
