package io.sparksr.partitioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

  /**
   * An upscaling stencil: output (X, Y) = sum over |dx|,|dy| <= r of k[phase][dy][dx] times the
   * input at (X / s + dx, Y / s + dy), reading zero outside the array it is given (as a CNN's zero
   * padding does), so it is only right on a tile's core if the halo covers the radius.
   */
  record Stencil(int radius, int scale, float[][] kernels) implements TileOperator {
    static Stencil random(Random rnd, int radius, int scale) {
      int side = 2 * radius + 1;
      float[][] k = new float[scale * scale][side * side];
      for (float[] phase : k) {
        for (int i = 0; i < phase.length; i++) {
          phase[i] = rnd.nextFloat() - 0.3f;
        }
      }
      return new Stencil(radius, scale, k);
    }

    /** The value read at (x, y) of the source, under the given lookup. */
    interface Source {
      float at(int c, int x, int y);
    }

    float value(Source src, int c, int ox, int oy) {
      int x = ox / scale;
      int y = oy / scale;
      float[] k = kernels[(oy % scale) * scale + (ox % scale)];
      int side = 2 * radius + 1;
      float acc = 0;
      for (int dy = -radius; dy <= radius; dy++) {
        for (int dx = -radius; dx <= radius; dx++) {
          acc += k[(dy + radius) * side + dx + radius] * src.at(c, x + dx, y + dy);
        }
      }
      return acc + 0.01f * c;
    }

    @Override
    public ImageTensor apply(ImageTensor tile, int s) {
      assertThat(s).isEqualTo(scale);
      ImageTensor out = ImageTensor.zeros(tile.channels(), tile.height() * s, tile.width() * s);
      Source zeroPadded = (c, x, y) -> x < 0 || y < 0 || x >= tile.width() || y >= tile.height()
          ? 0f : tile.get(c, y, x);
      for (int c = 0; c < tile.channels(); c++) {
        for (int y = 0; y < out.height(); y++) {
          for (int x = 0; x < out.width(); x++) {
            out.set(c, y, x, value(zeroPadded, c, x, y));
          }
        }
      }
      return out;
    }

    /** The independent definition: the operator on the whole image, borders by the policy. */
    ImageTensor reference(ImageTensor img, BorderPolicy policy) {
      ImageTensor out = ImageTensor.zeros(img.channels(), img.height() * scale, img.width() * scale);
      Source bordered = (c, x, y) -> {
        int mx = policy.map(x, img.width());
        int my = policy.map(y, img.height());
        return mx < 0 || my < 0 ? 0f : img.get(c, my, mx);
      };
      for (int c = 0; c < img.channels(); c++) {
        for (int y = 0; y < out.height(); y++) {
          for (int x = 0; x < out.width(); x++) {
            out.set(c, y, x, value(bordered, c, x, y));
          }
        }
      }
      return out;
    }

    @Override
    public boolean supportsScale(int s) {
      return s == scale;
    }
  }

  static ImageTensor randomImage(Random rnd, int c, int h, int w) {
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    return new ImageTensor(c, h, w, d);
  }

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
      ImageTensor img = randomImage(rnd, channels, h, w);
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
      ImageTensor img = randomImage(rnd, 1 + rnd.nextInt(3), h, w);
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
    ImageTensor img = randomImage(rnd, 1, 30, 30);
    Stencil op = Stencil.random(rnd, 2, 2);
    TilePlan plan = TilePlanner.plan(30, 30, 10, 1, 2);
    assertThat(tiled(op, img, plan, BorderPolicy.REFLECT))
        .isNotEqualTo(op.reference(img, BorderPolicy.REFLECT));
  }

  @Test
  void streamingStitcherEmitsBandsInOrderWhateverTheArrivalOrder() throws Exception {
    Random rnd = new Random(11L);
    for (int i = 0; i < 100; i++) {
      int w = 1 + rnd.nextInt(50);
      int h = 1 + rnd.nextInt(50);
      int scale = 1 + rnd.nextInt(4);
      ImageTensor img = randomImage(rnd, 1 + rnd.nextInt(3), h, w);
      TilePlan plan = TilePlanner.plan(w, h, 1 + rnd.nextInt(20), 2, scale);
      BicubicOperator op = new BicubicOperator();
      ImageTensor expected = tiled(op, img, plan, op.defaultBorder());

      ImageTensor assembled = ImageTensor.zeros(img.channels(), h * scale, w * scale);
      List<Integer> bandStarts = new ArrayList<>();
      int[] nextRow = {0};
      StreamingStitcher st = new StreamingStitcher(plan, img.channels(), (y, rows) -> {
        assertThat(y).as("bands are contiguous and in order").isEqualTo(nextRow[0]);
        nextRow[0] += rows.height();
        bandStarts.add(y);
        assembled.paste(rows, 0, y);
      });
      List<TileSpec> order = new ArrayList<>(plan.tiles());
      Collections.shuffle(order, rnd);
      int maxPending = 0;
      for (TileSpec t : order) {
        st.place(t, TileUpscaler.upscale(op, plan, t, img.crop(t.read()), op.defaultBorder()));
        maxPending = Math.max(maxPending, st.pendingBands());
      }
      assertThat(st.isComplete()).isTrue();
      assertThat(st.pendingBands()).isZero();
      assertThat(bandStarts).hasSize(plan.rows());
      assertThat(maxPending).isLessThanOrEqualTo(plan.rows());
      assertThat(assembled).isEqualTo(expected);
    }
  }

  @Test
  void streamingStitcherHoldsOneBandWhenTilesArriveInOrder() throws Exception {
    TilePlan plan = TilePlanner.plan(100, 100, 10, 0, 1);
    List<Integer> emitted = new ArrayList<>();
    StreamingStitcher st = new StreamingStitcher(plan, 1, (y, rows) -> emitted.add(y));
    for (TileSpec t : plan.tiles()) {
      st.place(t, ImageTensor.zeros(1, t.output().height(), t.output().width()));
      assertThat(st.pendingBands()).isLessThanOrEqualTo(1);
    }
    assertThat(emitted).containsExactly(0, 10, 20, 30, 40, 50, 60, 70, 80, 90);
  }
}
