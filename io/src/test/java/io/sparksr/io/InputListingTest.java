package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders are walked recursively, globs keep their root, every file found is accounted for. */
class InputListingTest {
  private final Configuration conf = new Configuration();
  @TempDir
  Path tmp;

  private Path touch(String rel) throws Exception {
    Path p = tmp.resolve(rel);
    Files.createDirectories(p.getParent());
    return Files.write(p, new byte[] {1});
  }

  private static List<String> relatives(List<InputListing.Found> found) {
    return found.stream().map(InputListing.Found::relative).toList();
  }

  @Test
  void aFolderIsWalkedRecursivelyAndHiddenNamesAreIgnoredEntries() throws Exception {
    touch("a/top.png");
    touch("a/2019/trip/IMG_0001.JPG");
    touch("a/2020/trip/IMG_0001.jpg");
    touch("a/2020/trip/IMG_0001.CR2");
    touch("a/.thumbs/x.png");
    touch("a/_work/y.png");
    touch("a/2020/.DS_Store");
    touch("a/2020/trip/._IMG_0001.jpg");
    touch("a/2020/_DSC0001.JPG");
    touch("a/README");
    InputListing.Listing l = InputListing.list(conf, List.of(tmp.resolve("a").toString()));
    // '_' is an ordinary first character (DCF: Adobe RGB photos are _DSC0001.JPG)
    assertThat(relatives(l.images())).containsExactly("2019/trip/IMG_0001.JPG",
        "2020/_DSC0001.JPG", "2020/trip/IMG_0001.jpg", "_work/y.png", "top.png");
    // hidden names are accounted for, not read; a hidden folder is one entry, not walked
    assertThat(relatives(l.ignored())).containsExactly(".thumbs", "2020/.DS_Store",
        "2020/trip/._IMG_0001.jpg", "2020/trip/IMG_0001.CR2", "README");
    Map<String, String> reasons = l.ignored().stream()
        .collect(Collectors.toMap(InputListing.Found::relative, InputListing.Found::reason));
    assertThat(reasons.get(".thumbs"))
        .isEqualTo("hidden folder (name starts with '.'): not walked");
    assertThat(reasons.get("2020/.DS_Store"))
        .isEqualTo("hidden file (name starts with '.'): not read");
    assertThat(reasons.get("2020/trip/._IMG_0001.jpg")).startsWith("hidden file");
    assertThat(reasons.get("2020/trip/IMG_0001.CR2")).contains("camera raw");
    assertThat(reasons.get("README")).contains("no file extension");
    assertThat(l.images()).allMatch(f -> f.root().equals(l.images().get(0).root())
        && f.path().equals(f.root() + "/" + f.relative()));
  }

  @Test
  void globsKeepThePathsBelowTheirLeadingPlainPart() throws Exception {
    touch("arch/2019/trip/a.png");
    touch("arch/2020/trip/b.png");
    touch("arch/2020/home/c.png");
    String base = tmp.resolve("arch").toString();
    assertThat(relatives(InputListing.list(conf, List.of(base + "/**")).images()))
        .containsExactly("2019/trip/a.png", "2020/home/c.png", "2020/trip/b.png");
    assertThat(relatives(InputListing.list(conf, List.of(base + "/*/trip")).images()))
        .containsExactly("2019/trip/a.png", "2020/trip/b.png");
    // the root is arch/2020, the plain part before the first glob element
    assertThat(relatives(InputListing.list(conf, List.of(base + "/2020/*/*.png")).images()))
        .containsExactly("home/c.png", "trip/b.png");
  }

  @Test
  void aFileGivenByNameIsReadWhateverItsExtensionAndCountsOnce() throws Exception {
    Path gif = touch("in/anim.gif");
    touch("in/p.png");
    InputListing.Listing l = InputListing.list(conf, List.of(gif.toString(),
        tmp.resolve("in").toString(), tmp.resolve("in/p.png").toString()));
    assertThat(relatives(l.images())).containsExactly("anim.gif", "p.png");
    assertThat(l.ignored()).as("found in the folder too (not an extension folders read), but "
        + "named as an input: read, and not also an ignored entry").isEmpty();
  }

  @Test
  void linksToFoldersAreNotFollowed() throws Exception {
    touch("t/a/p.png");
    Files.createSymbolicLink(tmp.resolve("t/a/loop"), tmp.resolve("t"));
    InputListing.Listing l = InputListing.list(conf, List.of(tmp.resolve("t").toString()));
    assertThat(relatives(l.images())).containsExactly("a/p.png");
    assertThat(l.ignored()).singleElement().satisfies(f -> {
      assertThat(f.relative()).isEqualTo("a/loop");
      assertThat(f.reason()).contains("link to a folder");
    });
  }

  /**
   * A folder that cannot be listed ({@code lost+found} to a user who is not root) is one ignored
   * entry, on the driver's expansion of the top levels and in the walk alike; the rest is listed.
   */
  @Test
  void aFolderThatCannotBeListedIsOneIgnoredEntryAndTheRestIsListed() throws Exception {
    touch("arch/top.png");
    touch("arch/locked/x.png");
    touch("arch/2020/ok.png");
    touch("arch/2020/locked-later/y.png");
    touch("arch/2020/trip/deeper/locked/z.png");
    Configuration deny = new Configuration();
    deny.set(DenyingFileSystem.CONF_KEY, DenyingFileSystem.class.getName());
    List<String> input = List.of(DenyingFileSystem.path(tmp.resolve("arch")));
    String reason = "cannot list folder: permission denied";
    // the walk (one machine)
    InputListing.Listing l = InputListing.list(deny, input);
    assertThat(relatives(l.images())).containsExactly("2020/ok.png", "top.png");
    assertThat(l.ignored()).extracting(InputListing.Found::relative, InputListing.Found::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("2020/locked-later", reason),
            org.assertj.core.groups.Tuple.tuple("2020/trip/deeper/locked", reason),
            org.assertj.core.groups.Tuple.tuple("locked", reason));
    // the driver expanding the top levels for a distributed walk: the folders it cannot list are
    // entries, not folders left to walk
    InputListing.Seeds seeds = InputListing.seeds(deny, input, 1000);
    assertThat(seeds.ignored()).extracting(InputListing.Found::relative, InputListing.Found::reason)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("locked", reason),
            org.assertj.core.groups.Tuple.tuple("2020/locked-later", reason));
    assertThat(seeds.units()).extracting(InputListing.Unit::rel)
        .doesNotContain("locked", "2020/locked-later").contains("2020/trip/deeper");
    // the input root itself: an error naming it
    assertThatThrownBy(() -> InputListing.list(deny,
        List.of(DenyingFileSystem.path(tmp.resolve("arch/locked")))))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("cannot list input folder")
        .hasMessageContaining("arch/locked").hasMessageContaining("Permission denied");
    assertThatThrownBy(() -> InputListing.seeds(deny,
        List.of(DenyingFileSystem.path(tmp.resolve("arch/locked"))), 1000))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("cannot list input folder")
        .hasMessageContaining("arch/locked");
  }

  @Test
  void anInputWithoutImagesSaysWhatItHolds() throws Exception {
    touch("docs/a.txt");
    assertThatThrownBy(() -> InputListing.list(conf, List.of(tmp.resolve("docs").toString())))
        .isInstanceOf(FileNotFoundException.class).hasMessageContaining("matches no image file")
        .hasMessageContaining("a.txt");
  }
}
