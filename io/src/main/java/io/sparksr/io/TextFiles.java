package io.sparksr.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small text files (manifests, reports) on any Hadoop FileSystem, written atomically. */
public final class TextFiles {
  private TextFiles() {}

  /** Writes {@code text} (UTF-8) to a temporary name beside {@code path}, then renames it over. */
  public static void writeAtomically(Configuration conf, String path, String text)
      throws IOException {
    Path dst = new Path(path);
    FileSystem fs = dst.getFileSystem(conf);
    Path tmp = new Path(dst.getParent(), "." + dst.getName() + "." + java.util.UUID.randomUUID()
        + ".tmp");
    try {
      fs.mkdirs(dst.getParent());
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(dst) && !fs.delete(dst, false)) {
        throw new IOException("cannot replace " + dst);
      }
      if (!fs.rename(tmp, dst)) {
        throw new IOException("cannot rename " + tmp + " to " + dst);
      }
    } catch (IOException e) {
      fs.delete(tmp, false);
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
}
