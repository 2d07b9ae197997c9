package io.sparksr.partitioning.tiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.inference.BicubicOperator;
import io.sparksr.partitioning.inference.TileUpscaler;
import io.sparksr.partitioning.testing.TestTensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Stitching quantised cores gives the quantised float stitch, whatever the arrival order. */
class QuantizedStitcherTest {

  @Test
  void equalsTheFloatStitchQuantised() {
    Random rnd = new Random(3);
    for (int i = 0; i < 60; i++) {
      int w = 1 + rnd.nextInt(50);
      int h = 1 + rnd.nextInt(50);
      int c = 1 + rnd.nextInt(4);
      int bits = rnd.nextBoolean() ? 8 : 16;
      int scale = 1 + rnd.nextInt(4);
      ImageTensor img = TestTensors.randomImage(rnd, c, h, w);
      TilePlan plan = TilePlanner.plan(w, h, 1 + rnd.nextInt(20), 2, scale);
      BicubicOperator op = new BicubicOperator();
      Stitcher floats = new Stitcher(plan, c);
      QuantizedStitcher q = new QuantizedStitcher(plan, c, bits);
      List<TileSpec> order = new ArrayList<>(plan.tiles());
      Collections.shuffle(order, rnd);
      for (TileSpec t : order) {
        ImageTensor core = TileUpscaler.upscale(op, plan, t, img.crop(t.read()),
            op.defaultBorder());
        floats.place(t, core);
        q.place(t, Quantized.of(core, bits));
      }
      assertThat(q.result()).usingRecursiveComparison()
          .isEqualTo(Quantized.of(floats.result(), bits));
    }
  }

  @Test
  void refusesIncompleteDuplicateAndMismatchedTiles() {
    TilePlan plan = TilePlanner.plan(8, 8, 4, 0, 2);
    QuantizedStitcher st = new QuantizedStitcher(plan, 3, 8);
    TileSpec first = plan.tiles().get(0);
    st.place(first, Quantized.of(ImageTensor.zeros(3, 8, 8), 8));
    assertThatThrownBy(st::result).hasMessageContaining("1 of 4 tiles placed");
    assertThatThrownBy(() -> st.place(first, Quantized.of(ImageTensor.zeros(3, 8, 8), 8)))
        .hasMessageContaining("placed twice");
    assertThatThrownBy(() -> st.place(plan.tiles().get(1),
        Quantized.of(ImageTensor.zeros(3, 8, 8), 16)))
        .hasMessageContaining("3 channels at 16 bits but the output has 3 at 8");
    assertThatThrownBy(() -> st.place(plan.tiles().get(1),
        Quantized.of(ImageTensor.zeros(3, 4, 4), 8))).hasMessageContaining("output is 4x4");
  }
}
