package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real images from ../shared/datasets (not copied into the repo). */
class DatasetImagesTest {
  /** Sizes (width x height) from the data sets' README. */
  private static final Map<String, int[]> SET5 = Map.of(
      "baby.png", new int[] {512, 512}, "bird.png", new int[] {288, 288},
      "butterfly.png", new int[] {256, 256}, "head.png", new int[] {280, 280},
      "woman.png", new int[] {228, 344});

  @TempDir
  Path tmp;

  @Test
  void set5DecodesAndRoundTripsExactly() throws Exception {
    Path set5 = datasets().resolve("Set5");
    assumeTrue(Files.isDirectory(set5), "skipped: no ../shared/datasets");
    ImageStore store = new ImageStore(new Configuration());

    List<String> paths = store.expand(List.of(set5.toString()));

    assertThat(paths).hasSize(5);
    for (String path : paths) {
      String name = path.substring(path.lastIndexOf('/') + 1);
      int[] size = SET5.get(name);
      ImageInfo info = store.info(path);
      assertThat(info.width()).as(name).isEqualTo(size[0]);
      assertThat(info.height()).as(name).isEqualTo(size[1]);
      DecodedImage img = store.read(path);
      assertThat(img.format()).as(name).isEqualTo(PixelFormat.of("png", 3, 8));
      assertThat(info.format()).isEqualTo(img.format());
      assertThat(img.tensor().width()).isEqualTo(size[0]);
      for (String ext : List.of("png", "tif", "bmp")) {
        String out = tmp.resolve(name + "." + ext).toString();
        store.write(out, img.tensor(), img.format().withFormatName(ext));
        assertThat(store.read(out).tensor()).as(out).isEqualTo(img.tensor());
      }
    }
  }

  static Path datasets() {
    String root = System.getProperty("sparksr.repo.root", System.getProperty("user.dir") + "/..");
    return Path.of(root).resolve("../shared/datasets").normalize();
  }
}
