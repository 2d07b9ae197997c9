package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** bin/sparksr upscale with input and output on a real (mini) HDFS. */
class HdfsUpscaleIT {
  private static MiniHdfs hdfs;
  private static String base;

  @BeforeAll
  static void startHdfs() throws Exception {
    hdfs = new MiniHdfs();
    base = hdfs.base();
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  @Test
  void upscalesFromAndToHdfs() throws Exception {
    ImageStore store = new ImageStore(hdfs.conf());
    Random rnd = new Random(9);
    float[] d = new float[3 * 90 * 130];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    ImageTensor img = new ImageTensor(3, 90, 130, d);
    store.write(base + "/in/a.png", img, PixelFormat.of("png", 3, 8));
    store.writeTiledTiff(base + "/in/scan.tif", img, PixelFormat.of("tiff", 3, 8), 32);

    Launcher.Run run = Launcher.sparksr("upscale", "--input", base + "/in/*", "--output",
        base + "/out", "--scale", "2", "--model", "bicubic", "--tile-size", "48");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("2 image(s) written, 0 failed");

    for (String name : new String[] {"a_x2.png", "scan_x2.tif"}) {
      DecodedImage got = store.read(base + "/out/" + name);
      DecodedImage in = store.read(base + "/in/" + name.replace("_x2", ""));
      assertThat(got.tensor()).as(name)
          .isEqualTo(Quantized.of(Resize.imresize(in.tensor(), 2), 8).toTensor());
    }
  }
}
