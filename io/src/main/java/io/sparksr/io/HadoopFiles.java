package io.sparksr.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
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
        try (OutputStream out = fs.create(tmp, false)) {
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

  /** Deletes {@code path} recursively if it exists. */
  public static void deleteRecursively(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = AtomicFiles.fileSystem(conf, p);
    if (fs.exists(p) && !fs.delete(p, true)) {
      throw new IOException("cannot delete " + path);
    }
  }
}
