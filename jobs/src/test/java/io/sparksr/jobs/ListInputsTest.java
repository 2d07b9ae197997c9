package io.sparksr.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.InputListing.Found;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The executor-side listing when inputs overlap: every path once, in the totals too. */
public class ListInputsTest extends SharedSpark {

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aPathReachedFromTwoInputsIsListedAndCountedOnce() throws Exception {
    Path a = tmp.newFolder("a").toPath();
    Path b = Files.createDirectories(a.resolve("b"));
    // the listing goes by names (the probe reads the bytes later), so empty files are enough
    for (Path f : List.of(a.resolve("top.png"), a.resolve("notes.txt"), b.resolve("one.jpg"),
        b.resolve("two.jpg"), b.resolve("readme.txt"))) {
      Files.createFile(f);
    }
    Configuration hadoop = new Configuration();
    ListInputs.Listed listed = ListInputs.list(jsc(), jsc().broadcast(new HadoopConf(hadoop)),
        hadoop, List.of(a.toString(), b.toString(), b.resolve("one.jpg").toString()), "test");
    try {
      List<Found> files = listed.files().collect();
      List<String> names = files.stream().map(f -> Path.of(java.net.URI.create(f.path()))
          .getFileName().toString()).collect(Collectors.toList());
      // sorted by path, each once: a/b/* before a/notes.txt, a/top.png
      assertThat(names).containsExactly("one.jpg", "readme.txt", "two.jpg", "notes.txt",
          "top.png");
      // counted as listed: 3 images and 2 ignored files (not 6 and 3, once per input reaching them)
      assertThat(listed.images()).isEqualTo(3);
      assertThat(listed.ignored()).isEqualTo(2);
      assertThat(files.stream().filter(Found::ignored).count()).isEqualTo(listed.ignored());
      // the first input that reaches a path gives its relative path (what the output mirrors)
      assertThat(files.get(0).relative()).isEqualTo("b/one.jpg");
    } finally {
      listed.release();
    }
  }
}
