package io.sparksr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.testing.TestTensors;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A conversion is reused across runs only while its input is unchanged. */
class InputConverterTest {
  private final Configuration conf = new Configuration();
  private final ImageStore store = new ImageStore(conf);
  @TempDir
  Path tmp;

  private static ImageJob job(String input, String converted, ImageTensor img) {
    return new ImageJob(0, new ImageJob.Input(input, "in.bmp", img.width(), img.height(),
        new File(input).length(), 1), new ImageJob.Source(converted, ImageJob.Access.CONVERT),
        converted + ".out.png", PixelFormat.of("png", 3, 8), 16, null);
  }

  /**
   * A BMP edited in place keeps its size, so the converted file keeps its name (path and size):
   * it was reused and the old pixels upscaled; now a conversion older than its input is redone.
   */
  @Test
  void anInputEditedAfterItsConversionIsConvertedAgainAndAnUnchangedOneIsReused()
      throws Exception {
    Random rnd = new Random(8);
    String input = tmp.resolve("in.bmp").toString();
    String converted = tmp.resolve("work/0-abc.tif").toString();
    ImageTensor first = TestTensors.randomImage(rnd, 3, 40, 48);
    store.write(input, first, PixelFormat.of("bmp", 3, 8));
    Files.setLastModifiedTime(Path.of(input), FileTime.fromMillis(1_000_000_000_000L));
    InputConverter.convert(conf, job(input, converted, first));
    ImageTensor firstDecoded = store.read(input).tensor();
    assertThat(store.read(converted).tensor()).isEqualTo(firstDecoded);

    // unchanged: reused (the file is not rewritten)
    FileTime written = Files.getLastModifiedTime(Path.of(converted));
    Files.setLastModifiedTime(Path.of(converted), FileTime.fromMillis(written.toMillis() - 5000));
    FileTime before = Files.getLastModifiedTime(Path.of(converted));
    InputConverter.convert(conf, job(input, converted, first));
    assertThat(Files.getLastModifiedTime(Path.of(converted))).isEqualTo(before);

    // edited in place, same size, later: converted again
    long size = Files.size(Path.of(input));
    ImageTensor second = TestTensors.randomImage(rnd, 3, 40, 48);
    store.write(input, second, PixelFormat.of("bmp", 3, 8));
    assertThat(Files.size(Path.of(input))).isEqualTo(size);
    InputConverter.convert(conf, job(input, converted, second));
    ImageTensor now = store.read(converted).tensor();
    assertThat(now).isEqualTo(store.read(input).tensor());
    assertThat(now).isNotEqualTo(firstDecoded);
  }
}
