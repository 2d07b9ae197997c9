package io.sparksr.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Small text files (manifests, reports) on any Hadoop FileSystem, written atomically. */
public final class TextFiles {
  private TextFiles() {}

  /** Writes {@code text} (UTF-8) atomically ({@link AtomicFiles}). */
  public static void writeAtomically(Configuration conf, String path, String text)
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
  public static String read(Configuration conf, String path) throws IOException {
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
}
