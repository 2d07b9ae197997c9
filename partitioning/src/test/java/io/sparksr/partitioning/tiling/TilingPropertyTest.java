package io.sparksr.partitioning.tiling;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.BicubicOperator;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.inference.TileUpscaler;
import io.sparksr.partitioning.testing.Stencil;
import io.sparksr.partitioning.testing.TestTensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tiling contract over random cases: plan, pad each tile by the border policy, apply a local
 * operator of radius at most the halo, keep the core, stitch; the result must equal the operator
 * applied to the whole image, defined directly (with the border policy) rather than through tiles.
 */
class TilingPropertyTest {
  private static final Logger LOG = LoggerFactory.getLogger(TilingPropertyTest.class);
  private static final int CASES = 600;
  private static final int BICUBIC_CASES = 300;

  /** Tiles read only their read rectangle, as executors do. */
  static ImageTensor tiled(TileOperator op, ImageTensor img, TilePlan plan, BorderPolicy policy) {
    Stitcher st = new Stitcher(plan, img.channels());
    for (TileSpec t : plan.tiles()) {
      st.place(t, TileUpscaler.upscale(op, plan, t, img.crop(t.read()), policy));
    }
    return st.result();
  }

  @Test
  void tiledEqualsWholeImageForRandomLocalOperators() {
    Random rnd = new Random(20261122L);
    int tiles = 0;
    for (int i = 0; i < CASES; i++) {
      int w = 1 + rnd.nextInt(70);
      int h = 1 + rnd.nextInt(70);
      int radius = rnd.nextInt(4);
      int halo = radius + rnd.nextInt(3);
      int tileSize = 1 + rnd.nextInt(40);
      int scale = 1 + rnd.nextInt(4);
      int channels = 1 + rnd.nextInt(4);
      BorderPolicy policy = BorderPolicy.values()[rnd.nextInt(BorderPolicy.values().length)];
      ImageTensor img = TestTensors.randomImage(rnd, channels, h, w);
      Stencil op = Stencil.random(rnd, radius, scale);
      TilePlan plan = TilePlanner.plan(w, h, tileSize, halo, scale);
      tiles += plan.tiles().size();
      assertThat(tiled(op, img, plan, policy))
          .as("case %d: %dx%d tile %d halo %d radius %d x%d %s", i, w, h, tileSize, halo, radius,
              scale, policy)
          .isEqualTo(op.reference(img, policy));
    }
    LOG.info("tiling property: {} random cases, {} tiles, tiled == whole image", CASES, tiles);
  }

  @Test
  void tiledBicubicEqualsWholeImageImresizeExactly() {
    Random rnd = new Random(7L);
    BicubicOperator op = new BicubicOperator();
    for (int i = 0; i < BICUBIC_CASES; i++) {
      int w = 1 + rnd.nextInt(60);
      int h = 1 + rnd.nextInt(60);
      int scale = 2 + rnd.nextInt(3);
      int halo = op.radius() + rnd.nextInt(3);
      int tileSize = 1 + rnd.nextInt(30);
      ImageTensor img = TestTensors.randomImage(rnd, 1 + rnd.nextInt(3), h, w);
      TilePlan plan = TilePlanner.plan(w, h, tileSize, halo, scale);
      assertThat(tiled(op, img, plan, op.defaultBorder()))
          .as("case %d: %dx%d tile %d halo %d x%d", i, w, h, tileSize, halo, scale)
          .isEqualTo(Resize.imresize(img, scale));
    }
    LOG.info("bicubic tiling property: {} random cases, tiled == imresize", BICUBIC_CASES);
  }

  @Test
  void aHaloBelowTheRadiusIsDetectablyWrong() {
    // guards the property test itself: with too little context the comparison must fail
    Random rnd = new Random(3L);
    ImageTensor img = TestTensors.randomImage(rnd, 1, 30, 30);
    Stencil op = Stencil.random(rnd, 2, 2);
    TilePlan plan = TilePlanner.plan(30, 30, 10, 1, 2);
    assertThat(tiled(op, img, plan, BorderPolicy.REFLECT))
        .isNotEqualTo(op.reference(img, BorderPolicy.REFLECT));
  }
}
