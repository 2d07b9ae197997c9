package io.sparksr.partitioning.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.testing.Stencil;
import io.sparksr.partitioning.testing.TestTensors;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Stitcher;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TilePlanner;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.partitioning.tiling.Tiles;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Batched inference gives the same cores as the plain per-tile path and as the operator applied
 * to the whole image (defined directly, with the border policy), including edge tiles grown to the
 * standard shape; batch sizes follow the budget; out-of-memory batches are halved; permits bound
 * concurrent forward passes.
 */
class TileBatcherTest {

  /** An operator wrapper that records the size and shape of every batch it is given. */
  static final class Recording implements TileOperator {
    final TileOperator inner;
    final List<String> batches = Collections.synchronizedList(new ArrayList<>());
    final int failAbove;

    Recording(TileOperator inner, int failAbove) {
      this.inner = inner;
      this.failAbove = failAbove;
    }

    @Override
    public ImageTensor apply(ImageTensor tile, int scale) {
      return applyBatch(List.of(tile), scale).get(0);
    }

    @Override
    public List<ImageTensor> applyBatch(List<ImageTensor> tiles, int scale) {
      if (tiles.size() > failAbove) {
        throw new OutOfMemoryError("Cannot allocate new FloatPointer (fake device)");
      }
      ImageTensor first = tiles.get(0);
      for (ImageTensor t : tiles) {
        assertThat(t.sameShape(first)).as("one shape per batch").isTrue();
        if (Float.isNaN(t.get(0, 0, 0))) {
          throw new IllegalArgumentException("poisoned tile");
        }
      }
      batches.add(tiles.size() + "@" + first.width() + "x" + first.height());
      List<ImageTensor> out = new ArrayList<>();
      for (ImageTensor t : tiles) {
        out.add(inner.apply(t, scale));
      }
      return out;
    }

    @Override
    public int radius() {
      return inner.radius();
    }

    @Override
    public boolean supportsScale(int scale) {
      return inner.supportsScale(scale);
    }

    @Override
    public long workingBytes(int height, int width, int scale) {
      return (long) height * width; // budget in "pixels" keeps the arithmetic readable
    }
  }

  /** Runs a plan through a batcher; returns the stitched image and any failures by tile index. */
  static ImageTensor batched(TileOperator op, ImageTensor img, TilePlan plan, BorderPolicy policy,
      long budget, Map<Integer, Throwable> failures) {
    Stitcher st = new Stitcher(plan, img.channels());
    int standard = plan.tileSize() + 2 * plan.halo();
    TileBatcher<Integer> b = new TileBatcher<>(op, plan.scale(), standard, budget,
        new TileBatcher.Sink<>() {
          @Override
          public void done(Integer key, TileSpec tile, ImageTensor core, double seconds) {
            assertThat(key).isEqualTo(tile.index());
            assertThat(seconds).isGreaterThanOrEqualTo(0);
            st.place(tile, core);
          }

          @Override
          public void failed(Integer key, TileSpec tile, Throwable error) {
            failures.put(key, error);
          }
        });
    for (TileSpec t : plan.tiles()) {
      ImageTensor padded = Tiles.pad(img.crop(t.read()), t.read(), t.padded(), plan.width(),
          plan.height(), policy);
      b.add(t.index(), t, padded);
    }
    b.flush();
    return failures.isEmpty() ? st.result() : null;
  }

  @Test
  void batchedEqualsWholeImageForRandomLocalOperatorsIncludingGrownEdgeTiles() {
    Random rnd = new Random(61L);
    for (int i = 0; i < 150; i++) {
      int w = 1 + rnd.nextInt(90);
      int h = 1 + rnd.nextInt(90);
      int radius = rnd.nextInt(4);
      int halo = radius + rnd.nextInt(2);
      int tileSize = 4 + rnd.nextInt(30);
      int scale = 1 + rnd.nextInt(4);
      BorderPolicy policy = BorderPolicy.values()[rnd.nextInt(BorderPolicy.values().length)];
      ImageTensor img = TestTensors.randomImage(rnd, 1 + rnd.nextInt(4), h, w);
      Stencil stencil = Stencil.random(rnd, radius, scale);
      Recording op = new Recording(stencil, Integer.MAX_VALUE);
      TilePlan plan = TilePlanner.plan(w, h, tileSize, halo, scale);
      int standard = tileSize + 2 * halo;
      long budget = (long) standard * standard * (1 + rnd.nextInt(5));
      Map<Integer, Throwable> failures = new TreeMap<>();
      ImageTensor got = batched(op, img, plan, policy, budget, failures);
      assertThat(failures).isEmpty();
      assertThat(got).as("case %d: %dx%d tile %d halo %d x%d %s", i, w, h, tileSize, halo, scale,
          policy).isEqualTo(stencil.reference(img, policy));
    }
  }

  @Test
  void edgeTilesBatchWithFullTilesAndTheLastPartialBatchRuns() {
    // 100x70, tile 32, halo 2: standard side 36. Columns are 36 wide padded except the last
    // (core 4 -> padded 8 -> 16); rows likewise (core 6 -> padded 10 -> 16).
    Random rnd = new Random(5L);
    ImageTensor img = TestTensors.randomImage(rnd, 3, 70, 100);
    TilePlan plan = TilePlanner.plan(100, 70, 32, 2, 2);
    Recording op = new Recording(new BicubicOperator(), Integer.MAX_VALUE);
    Map<Integer, Throwable> failures = new TreeMap<>();
    ImageTensor got = batched(op, img, plan, BorderPolicy.SYMMETRIC, 4L * 36 * 36,
        failures);
    assertThat(got).isEqualTo(Resize.imresize(img, 2));
    // batch sizes: 4 of 36x36 (the budget), 9 of 16x36 or 36x16. Six full tiles -> 4, then 2
    // at flush; two 16x36 (last column), three 36x16 (last row) and the 16x16 corner at flush.
    assertThat(op.batches).containsExactlyInAnyOrder("4@36x36", "2@36x36", "2@16x36", "3@36x16",
        "1@16x16");
  }

  @Test
  void aSideOfAtLeastThreeQuartersOfTheStandardIsGrownToItOthersToSixteens() {
    assertThat(TileBatcher.inferenceExtent(36, 36)).isEqualTo(36);
    assertThat(TileBatcher.inferenceExtent(27, 36)).isEqualTo(36);
    assertThat(TileBatcher.inferenceExtent(26, 36)).isEqualTo(32);
    assertThat(TileBatcher.inferenceExtent(18, 36)).isEqualTo(32);
    assertThat(TileBatcher.inferenceExtent(1, 36)).isEqualTo(16);
    assertThat(TileBatcher.inferenceExtent(77, 332)).isEqualTo(80);
    assertThat(TileBatcher.inferenceExtent(249, 332)).isEqualTo(332);
    assertThat(TileBatcher.inferenceExtent(248, 332)).isEqualTo(256);
    assertThat(TileBatcher.inferenceExtent(204, 332)).isEqualTo(208);
  }

  @Test
  void batchSizeIsTheBudgetOverTheWorkingBytesOfOneTile() {
    Recording op = new Recording(new BicubicOperator(), Integer.MAX_VALUE);
    assertThat(TileBatcher.batchSize(op, 10, 10, 2, 1000)).isEqualTo(10);
    assertThat(TileBatcher.batchSize(op, 10, 10, 2, 99)).isEqualTo(1);
    assertThat(TileBatcher.batchSize(op, 1, 1, 2, 1L << 40)).isEqualTo(TileBatcher.MAX_BATCH);
    BicubicOperator plain = new BicubicOperator();
    // the default estimate: input + output float32 RGBA, twice
    assertThat(plain.workingBytes(100, 100, 4)).isEqualTo(2L * 4 * (100 * 100 * 4 + 1600 * 100 * 4));
  }

  @Test
  void anOutOfMemoryBatchIsHalvedAndRetriedAndLaterBatchesStaySmall() {
    Random rnd = new Random(8L);
    ImageTensor img = TestTensors.randomImage(rnd, 3, 64, 64);
    TilePlan plan = TilePlanner.plan(64, 64, 8, 2, 2); // 64 tiles of 12x12
    Recording op = new Recording(new BicubicOperator(), 3);
    Map<Integer, Throwable> failures = new TreeMap<>();
    Stitcher st = new Stitcher(plan, 3);
    List<Integer> sizes = new ArrayList<>();
    TileBatcher<Integer> b = new TileBatcher<>(op, 2, 12, 16L * 144,
        new TileBatcher.Sink<>() {
          @Override
          public void done(Integer key, TileSpec tile, ImageTensor core, double seconds) {
            st.place(tile, core);
          }

          @Override
          public void failed(Integer key, TileSpec tile, Throwable error) {
            failures.put(key, error);
          }
        });
    assertThat(b.batchSizeOfFullTiles(3)).isEqualTo(16);
    for (TileSpec t : plan.tiles()) {
      b.add(t.index(), t, Tiles.pad(img, t, BorderPolicy.SYMMETRIC));
      sizes.add(b.batchSizeOfFullTiles(3));
    }
    b.flush();
    assertThat(failures).isEmpty();
    assertThat(st.result()).isEqualTo(Resize.imresize(img, 2));
    assertThat(b.halvings()).isGreaterThanOrEqualTo(2); // 16 -> 8 -> 4 -> 2
    assertThat(b.batchSizeOfFullTiles(3)).isEqualTo(2);
    assertThat(op.batches).allMatch(s -> Integer.parseInt(s.substring(0, s.indexOf('@'))) <= 3);
    assertThat(sizes.get(sizes.size() - 1)).isEqualTo(2);
  }

  @Test
  void aSingleTileThatDoesNotFitFailsWithAClearReason() {
    Random rnd = new Random(9L);
    ImageTensor img = TestTensors.randomImage(rnd, 1, 20, 20);
    TilePlan plan = TilePlanner.plan(20, 20, 10, 2, 2);
    Recording op = new Recording(new BicubicOperator(), 0);
    Map<Integer, Throwable> failures = new TreeMap<>();
    batched(op, img, plan, BorderPolicy.SYMMETRIC, 1L << 20, failures);
    assertThat(failures).hasSize(4);
    assertThat(failures.get(0)).hasMessageContaining("out of memory for one 14x14 tile at x2")
        .hasMessageContaining("'tile-size'");
  }

  @Test
  void aFailingTileFailsAloneAndItsBatchMatesAreDone() {
    Random rnd = new Random(10L);
    ImageTensor img = TestTensors.randomImage(rnd, 1, 20, 20);
    TilePlan plan = TilePlanner.plan(20, 20, 10, 0, 2);
    Recording op = new Recording(new BicubicOperator(), Integer.MAX_VALUE);
    List<TileSpec> done = new ArrayList<>();
    Map<Integer, Throwable> failures = new TreeMap<>();
    TileBatcher<Integer> b = new TileBatcher<>(op, 2, 10, 1L << 20,
        new TileBatcher.Sink<>() {
          @Override
          public void done(Integer key, TileSpec tile, ImageTensor core, double seconds) {
            done.add(tile);
          }

          @Override
          public void failed(Integer key, TileSpec tile, Throwable error) {
            failures.put(key, error);
          }
        });
    for (TileSpec t : plan.tiles()) {
      ImageTensor in = img.crop(t.read());
      if (t.index() == 2) {
        in.set(0, 0, 0, Float.NaN);
      }
      b.add(t.index(), t, in);
    }
    b.flush();
    assertThat(done).extracting(TileSpec::index).containsExactlyInAnyOrder(0, 1, 3);
    assertThat(failures).containsOnlyKeys(2);
    assertThat(failures.get(2)).hasMessageContaining("poisoned tile");
  }
}
