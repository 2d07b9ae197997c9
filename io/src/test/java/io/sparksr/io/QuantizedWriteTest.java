package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing quantised samples gives the same file as writing the same samples as floats. */
class QuantizedWriteTest {

  @TempDir
  Path dir;

  private final ImageStore store = new ImageStore(new Configuration());

  @Test
  void sameBytesAsTheFloatPathForEveryWritableKind() throws Exception {
    String[][] kinds = {{"png", "3", "8"}, {"png", "1", "16"}, {"png", "4", "16"},
        {"tiff", "3", "16"}, {"tiff", "2", "8"}, {"jpeg", "3", "16"}, {"bmp", "3", "8"}};
    for (String[] k : kinds) {
      int c = Integer.parseInt(k[1]);
      int bits = Integer.parseInt(k[2]);
      ImageTensor t = TestImages.random(c, 23, 31, c * bits);
      Quantized q = Quantized.of(t, bits);
      PixelFormat f = PixelFormat.of(k[0], c, bits);
      String ext = k[0].equals("jpeg") ? "jpg" : k[0].equals("tiff") ? "tif" : k[0];
      Path viaFloat = dir.resolve("f" + c + bits + "." + ext);
      Path viaSamples = dir.resolve("q" + c + bits + "." + ext);
      store.write(viaFloat.toString(), q.toTensor(), f);
      store.write(viaSamples.toString(), q, f);
      assertThat(Files.readAllBytes(viaSamples)).as(String.join(" ", k))
          .isEqualTo(Files.readAllBytes(viaFloat));
    }
    assertThatThrownBy(() -> store.write(dir.resolve("x.png").toString(),
        Quantized.of(TestImages.random(3, 2, 2, 1), 8), PixelFormat.of("png", 1, 8)))
        .hasMessageContaining("have 3 channels but 'format'");
  }
}
