package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpandTest {

  @TempDir
  Path dir;

  private final ImageStore store = new ImageStore(new Configuration());

  @BeforeEach
  void files() throws Exception {
    for (String name : List.of("b.png", "a.JPG", "c.tiff", "d.bmp", "e.jpeg", "f.TIF", "notes.txt",
        ".hidden.png", "_tmp.png", ".x.png.1234.tmp", "noext", "sub/g.png", "other/h.png")) {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, name);
    }
  }

  @Test
  void directoryGivesItsImagesRecursivelySortedAndQualified() throws Exception {
    assertThat(store.expand(List.of(dir.toString())))
        .containsExactly(uri("_tmp.png"), uri("a.JPG"), uri("b.png"), uri("c.tiff"), uri("d.bmp"),
            uri("e.jpeg"), uri("f.TIF"), uri("other/h.png"), uri("sub/g.png"));
  }

  @Test
  void globsFilesAndDuplicates() throws Exception {
    assertThat(store.expand(List.of(dir + "/*.png", dir + "/b.png", dir + "/{sub,other}", dir + "/notes.txt")))
        .containsExactly(uri("_tmp.png"), uri("b.png"), uri("notes.txt"), uri("other/h.png"),
            uri("sub/g.png"));
  }

  @Test
  void relativePathsAreQualified() throws Exception {
    Path cwd = Path.of(System.getProperty("user.dir"));
    Path rel = cwd.relativize(dir.resolve("b.png"));
    assertThat(store.expand(List.of(rel.toString()))).containsExactly(uri("b.png"));
  }

  @Test
  void inputThatMatchesNothingIsAnErrorNamingIt() {
    String missing = dir.resolve("nope").toString();
    assertThatThrownBy(() -> store.expand(List.of(dir.toString(), missing)))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessage("input '" + missing + "' does not exist");
    String glob = dir + "/*.webp";
    assertThatThrownBy(() -> store.expand(List.of(glob)))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageStartingWith("input '" + glob + "' matches no image file");
    String onlyText = dir + "/*.txt";
    assertThatThrownBy(() -> store.expand(List.of(onlyText)))
        .hasMessageStartingWith("input '" + onlyText + "' matches no image file");
  }

  @Test
  void emptyDirectoryIsAnError() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertThatThrownBy(() -> store.expand(List.of(empty.toString())))
        .hasMessageStartingWith("input '" + empty + "' matches no image file");
  }

  private String uri(String name) {
    return "file:" + dir.resolve(name);
  }
}
