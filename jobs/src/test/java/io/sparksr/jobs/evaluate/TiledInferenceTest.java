package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.BicubicOperator;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Rect;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** In-memory tiled inference gives whole-image output; crops pick the detailed region. */
class TiledInferenceTest {

  static ImageTensor random(Random rnd, int c, int h, int w) {
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    return new ImageTensor(c, h, w, d);
  }

  @Test
  void tiledBicubicEqualsMatlabImresizeOfTheWholeImage() {
    ImageTensor lr = random(new Random(2), 3, 37, 53);
    BicubicOperator op = new BicubicOperator();
    for (int scale : new int[] {2, 3, 4}) {
      ImageTensor whole = Resize.imresize(lr, scale);
      for (int tile : new int[] {0, 8, 16, 20, 53, 500}) {
        TiledInference.Output out = TiledInference.upscale(op, lr, scale, tile, op.radius(),
            BorderPolicy.SYMMETRIC);
        assertThat(out.image()).as("x%d tile %d", scale, tile).isEqualTo(whole);
        int expectedTiles = tile == 0 || tile >= 53 ? 1
            : ((53 + tile - 1) / tile) * ((37 + tile - 1) / tile);
        assertThat(out.tiles()).isEqualTo(expectedTiles);
      }
    }
  }

  @Test
  void theCropIsTheMostDetailedWindow() {
    // flat grey with a noisy square at (120..160, 40..80): the crop must contain it
    ImageTensor img = ImageTensor.zeros(3, 200, 240);
    java.util.Arrays.fill(img.data(), 0.5f);
    Random rnd = new Random(1);
    for (int c = 0; c < 3; c++) {
      for (int y = 40; y < 80; y++) {
        for (int x = 120; x < 160; x++) {
          img.set(c, y, x, rnd.nextFloat());
        }
      }
    }
    Rect r = CropPanels.pick(img);
    assertThat(r.width()).isEqualTo(CropPanels.SIZE);
    assertThat(r.contains(new Rect(120, 40, 40, 40))).as("crop %s", r).isTrue();
    assertThat(CropPanels.pick(ImageTensor.zeros(1, 30, 50))).isEqualTo(new Rect(0, 0, 50, 30));
  }
}
