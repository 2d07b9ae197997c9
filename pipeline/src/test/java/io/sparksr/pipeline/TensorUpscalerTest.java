package io.sparksr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.BicubicOperator;
import io.sparksr.partitioning.testing.Stencil;
import io.sparksr.partitioning.testing.TestTensors;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** In-memory tiled, batched inference gives the whole-image output by its independent definition. */
class TensorUpscalerTest {

  @Test
  void tiledBicubicEqualsMatlabImresizeOfTheWholeImage() {
    ImageTensor lr = TestTensors.randomImage(new Random(2), 3, 37, 53);
    BicubicOperator op = new BicubicOperator();
    for (int scale : new int[] {2, 3, 4}) {
      ImageTensor whole = Resize.imresize(lr, scale);
      for (int tile : new int[] {0, 8, 16, 20, 53, 500}) {
        TensorUpscaler.Output out = TensorUpscaler.upscale(op, lr, scale, tile, op.radius(),
            BorderPolicy.SYMMETRIC, 1L << 20);
        assertThat(out.image()).as("x%d tile %d", scale, tile).isEqualTo(whole);
        int expectedTiles = tile == 0 || tile >= 53 ? 1
            : ((53 + tile - 1) / tile) * ((37 + tile - 1) / tile);
        assertThat(out.tiles()).isEqualTo(expectedTiles);
      }
    }
  }

  @Test
  void batchedTilesEqualTheStencilOnTheWholeImageWhateverTheBudget() {
    Random rnd = new Random(5);
    for (int i = 0; i < 40; i++) {
      int scale = 2 + rnd.nextInt(3);
      int radius = 1 + rnd.nextInt(3);
      Stencil op = Stencil.random(rnd, radius, scale);
      ImageTensor img = TestTensors.randomImage(rnd, 1 + rnd.nextInt(3), 5 + rnd.nextInt(40),
          5 + rnd.nextInt(40));
      BorderPolicy border = BorderPolicy.values()[rnd.nextInt(BorderPolicy.values().length)];
      int tile = Math.max(2 * radius, 4 + rnd.nextInt(20));
      // from one tile per forward pass to everything in one batch
      long budget = rnd.nextBoolean() ? 1 : 1L << 30;
      TensorUpscaler.Output out = TensorUpscaler.upscale(op, img, scale, tile, radius, border,
          budget);
      assertThat(out.image()).as("case %d", i).isEqualTo(op.reference(img, border));
    }
  }

  @Test
  void aFailingTileFailsTheImageWithItsReason() {
    BicubicOperator bicubic = new BicubicOperator();
    List<Integer> calls = new ArrayList<>();
    var failing = new io.sparksr.partitioning.inference.TileOperator() {
      @Override
      public ImageTensor apply(ImageTensor t, int scale) {
        calls.add(t.width());
        throw new IllegalStateException("kaput");
      }

      @Override
      public int radius() {
        return bicubic.radius();
      }

      @Override
      public boolean supportsScale(int scale) {
        return true;
      }
    };
    ImageTensor img = TestTensors.randomImage(new Random(1), 3, 20, 20);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TensorUpscaler.upscale(failing, img,
        2, 8, 2, BorderPolicy.REPLICATE, 1L << 20)).hasMessageContaining("kaput");
    assertThat(calls).isNotEmpty();
  }
}
