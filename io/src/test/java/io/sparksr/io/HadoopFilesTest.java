package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a partition's plan sees of its output folders: by listing or by stat, only the wanted
 * names, and without the files written since a given time (the run's own outputs, when a lost
 * partition is planned again).
 */
class HadoopFilesTest {
  @TempDir
  Path dir;

  private final Configuration conf = new Configuration();

  @Test
  void listingAndStatFindTheSameWantedNamesWrittenBeforeATime() throws Exception {
    Files.writeString(dir.resolve("old.png"), "12345");
    Files.setLastModifiedTime(dir.resolve("old.png"), FileTime.fromMillis(1_000_000L));
    Files.writeString(dir.resolve("new.png"), "123");
    Files.setLastModifiedTime(dir.resolve("new.png"), FileTime.fromMillis(3_000_000L));
    Files.writeString(dir.resolve("other.png"), "1");
    Files.createDirectories(dir.resolve(".big.tif.abc.parts"));
    String d = dir.toUri().toString();
    Set<String> wanted = Set.of("old.png", "new.png", "missing.png", ".big.tif.abc.parts");

    HadoopFiles.Tree listed = HadoopFiles.listFolder(conf, d, wanted::contains, Long.MAX_VALUE);
    HadoopFiles.Tree statted = HadoopFiles.stat(conf, d, wanted, Long.MAX_VALUE);
    for (HadoopFiles.Tree t : List.of(listed, statted)) {
      assertThat(t.files()).containsOnlyKeys("old.png", "new.png").containsEntry("old.png", 5L);
      assertThat(t.hiddenFolders()).containsExactly(".big.tif.abc.parts");
    }
    // files modified at or after 2,000,000 ms were written by the current run: not there yet
    for (HadoopFiles.Tree t : List.of(HadoopFiles.listFolder(conf, d, wanted::contains,
        2_000_000L), HadoopFiles.stat(conf, d, wanted, 2_000_000L))) {
      assertThat(t.files()).containsOnlyKeys("old.png");
    }
    assertThat(HadoopFiles.modified(conf, dir.resolve("new.png").toUri().toString()))
        .isEqualTo(3_000_000L);
    assertThat(HadoopFiles.listFolder(conf, d + "/nope", n -> true, Long.MAX_VALUE).files()).isEmpty();
  }
}
