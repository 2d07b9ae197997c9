package io.sparksr.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.security.AccessControlException;

/**
 * The local disk under the scheme {@value #SCHEME} ({@code fs.sparksrdeny.impl} = this class;
 * {@code spark.hadoop.fs.sparksrdeny.impl} for a Spark job), where folders cannot be listed as a
 * user without the permission could not: tests run as root, where {@code chmod 000} stops nothing.
 * Listing a folder named {@value #LOCKED} throws HDFS's {@link AccessControlException} when asked
 * (as HDFS does); one named {@value #LOCKED_LATER} lists lazily and throws from the iterator's
 * first {@code hasNext} (as S3A's paged listings do). Everything else is the local disk, through
 * Hadoop's own listing (not the local short-cut of {@link InputListing#entries}).
 */
public class DenyingFileSystem extends FilterFileSystem {
  public static final String SCHEME = "sparksrdeny";
  public static final String CONF_KEY = "fs." + SCHEME + ".impl";
  public static final String SPARK_KEY = "spark.hadoop." + CONF_KEY;
  public static final String LOCKED = "locked";
  public static final String LOCKED_LATER = "locked-later";

  public DenyingFileSystem() {
    super(new Disk());
  }

  /** {@code path} (a local absolute path) on this file system. */
  public static String path(java.nio.file.Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }

  /** The local disk named {@value #SCHEME}, as SchemeOnlyFileSystem in the jobs tests. */
  static final class Disk extends RawLocalFileSystem {
    @Override
    public String getScheme() {
      return SCHEME;
    }

    @Override
    public URI getUri() {
      return URI.create(SCHEME + ":///");
    }
  }

  private static AccessControlException denied(Path p) {
    return new AccessControlException("Permission denied: user=nobody, access=READ_EXECUTE, "
        + "inode=\"" + p.toUri().getPath() + "\":root:root:drwx------");
  }

  @Override
  public FileStatus[] listStatus(Path f) throws FileNotFoundException, IOException {
    if (f.getName().equals(LOCKED) || f.getName().equals(LOCKED_LATER)) {
      throw denied(f);
    }
    return super.listStatus(f);
  }

  @Override
  public RemoteIterator<FileStatus> listStatusIterator(Path f) throws IOException {
    if (f.getName().equals(LOCKED)) {
      throw denied(f);
    }
    if (f.getName().equals(LOCKED_LATER)) {
      return new RemoteIterator<>() {
        @Override
        public boolean hasNext() throws IOException {
          throw denied(f);
        }

        @Override
        public FileStatus next() throws IOException {
          throw denied(f);
        }
      };
    }
    return super.listStatusIterator(f);
  }
}
