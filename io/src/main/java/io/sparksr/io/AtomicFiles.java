package io.sparksr.io;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way files are written: into a hidden {@code .<name>.<uuid>.tmp} next to the target,
 * then renamed over it (HDFS: one atomic rename with overwrite; elsewhere rename, or delete then
 * rename, which never leaves a partial file at the target). On failure the temporary file is
 * deleted. A Spark task retried or run speculatively writes the same bytes to the same name, so
 * the last rename wins harmlessly.
 */
public final class AtomicFiles {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

  private AtomicFiles() {}

  /** Writes the complete content of the temporary file {@code tmp} on {@code fs}. */
  @FunctionalInterface
  public interface TempWriter {
    void write(FileSystem fs, Path tmp) throws IOException;
  }

  /**
   * The file system of {@code p}; for {@code file:} the raw local one, which renames over existing
   * files and writes no {@code .crc} side files.
   */
  public static FileSystem fileSystem(Configuration conf, Path p) throws IOException {
    try {
      FileSystem fs = p.getFileSystem(conf);
      return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    } catch (IOException e) {
      throw new IOException("cannot access the file system of " + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates file {@code p} (it must not exist) for writing. On the local file system through
   * java.nio: Hadoop's local {@code create} sets the default permission after opening the file,
   * which without Hadoop's native library (not in Spark's distribution) forks a {@code chmod}
   * process per file, about 5 ms: most of the time of writing a small image (measured:
   * 10,000 16x16 PNGs). The operating system applies the umask the same way.
   */
  public static java.io.OutputStream create(FileSystem fs, Path p) throws IOException {
    java.io.File local = fs instanceof org.apache.hadoop.fs.RawLocalFileSystem raw
        ? raw.pathToFile(p) : fs instanceof LocalFileSystem lfs ? lfs.pathToFile(p) : null;
    if (local != null) {
      return java.nio.file.Files.newOutputStream(local.toPath(),
          java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
    }
    return fs.create(p, false);
  }

  /**
   * Writes {@code path} atomically through {@code writer}.
   *
   * @throws IOException naming {@code path}; the target is then unchanged and no temporary remains
   */
  public static void write(Configuration conf, String path, TempWriter writer)
      throws IOException {
    Path target = new Path(path);
    FileSystem fs = fileSystem(conf, target);
    Path dir = target.getParent();
    // Path(scheme, authority, path): a name holding ':' is not parsed as a scheme
    Path tmp = new Path(dir, new Path(null, null, tempName(target.getName())));
    boolean renamed = false;
    try {
      if (dir != null && !fs.mkdirs(dir)) {
        throw new IOException("cannot create folder " + dir);
      }
      writer.write(fs, tmp);
      rename(fs, tmp, target);
      renamed = true;
    } finally {
      if (!renamed) {
        deleteQuietly(fs, tmp, path);
      }
    }
  }

  /** File systems' longest file name in bytes (ext4, XFS, NTFS in UTF-16 units, HDFS default). */
  static final int MAX_NAME_BYTES = 255;

  /**
   * The hidden temporary name of a write to {@code name}: {@code .<name>.<uuid>.tmp}, with the
   * name cut (at a character) so that the whole stays within {@link #MAX_NAME_BYTES} UTF-8 bytes:
   * a target name that fits never fails for its temporary's length (a 220-byte Cyrillic name
   * would, after all the work of making it).
   */
  static String tempName(String name) {
    String suffix = "." + UUID.randomUUID() + ".tmp";
    int budget = MAX_NAME_BYTES - 1 - suffix.length();
    StringBuilder kept = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      int n = new String(Character.toChars(cp)).getBytes(
          java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes + n > budget) {
        break;
      }
      kept.appendCodePoint(cp);
      bytes += n;
      i += Character.charCount(cp);
    }
    return "." + kept + suffix;
  }

  private static void rename(FileSystem fs, Path tmp, Path target) throws IOException {
    if (fs instanceof DistributedFileSystem dfs) {
      dfs.rename(tmp, target, Options.Rename.OVERWRITE);
      return;
    }
    if (fs.rename(tmp, target)) {
      return;
    }
    if (fs.exists(target) && fs.delete(target, false) && fs.rename(tmp, target)) {
      return;
    }
    throw new IOException("rename of " + tmp + " to " + target + " failed");
  }

  private static void deleteQuietly(FileSystem fs, Path tmp, String path) {
    try {
      if (fs.exists(tmp) && !fs.delete(tmp, false)) {
        LOG.warn("could not delete temporary file {} of failed write to {}", tmp, path);
      }
    } catch (IOException e) {
      LOG.warn("could not delete temporary file {} of failed write to {}: {}", tmp, path,
          e.toString());
    }
  }
}
