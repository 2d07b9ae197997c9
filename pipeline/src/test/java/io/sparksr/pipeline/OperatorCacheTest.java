package io.sparksr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.model.SrModel;
import io.sparksr.partitioning.inference.TileOperator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle path is loaded once per JVM, and again when its file changes. */
class OperatorCacheTest {
  @TempDir
  Path tmp;

  private static void copyShipped(String name, Path to) throws Exception {
    try (InputStream in = OperatorCacheTest.class.getClassLoader()
        .getResourceAsStream("io/sparksr/model/" + name + ".srm")) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String sha(TileOperator op) {
    return ((SrModel) op).checksum();
  }

  /**
   * A checkpoint rewritten while a driver or executor lives (a training run saving its bundle):
   * the cache kept the first weights for ever, so a later run in that JVM computed with them while
   * its provenance named the file's new ones.
   */
  @Test
  void aBundleFileIsLoadedOnceAndAgainWhenItChanges() throws Exception {
    Configuration conf = new Configuration();
    Path bundle = tmp.resolve("ckpt.srm");
    copyShipped("default", bundle);
    String path = bundle.toUri().toString();
    TileOperator first = OperatorCache.get(path, conf);
    assertThat(OperatorCache.get(path, conf)).isSameAs(first);

    copyShipped("archive", bundle);
    Files.setLastModifiedTime(bundle, FileTime.fromMillis(
        Files.getLastModifiedTime(bundle).toMillis() + 10_000));
    TileOperator second = OperatorCache.get(path, conf);
    assertThat(second).isNotSameAs(first);
    assertThat(sha(second)).isNotEqualTo(sha(first))
        .isEqualTo(sha(OperatorCache.get("archive", conf)));
    assertThat(OperatorCache.get(path, conf)).isSameAs(second);
  }
}
