package io.sparksr.partitioning.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Dihedral transforms of tensors and the x8 self-ensemble built on them. */
class SelfEnsembleTest {

  private static ImageTensor random(Random rnd, int c, int h, int w) {
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    return new ImageTensor(c, h, w, d);
  }

  @Test
  void tensorTransformsMatchThePatchTransformsAndTheirInversesUndoThem() {
    Random rnd = new Random(7);
    ImageTensor square = random(rnd, 1, 5, 5);
    byte[] bytes = new byte[25];
    for (int i = 0; i < 25; i++) {
      bytes[i] = (byte) i;
      square.data()[i] = i;
    }
    ImageTensor rect = random(rnd, 3, 4, 7);
    for (int d = 0; d < 8; d++) {
      byte[] expected = Dihedral.apply(bytes, 5, 1, d);
      ImageTensor got = Dihedral.apply(square, d);
      for (int i = 0; i < 25; i++) {
        assertThat(got.data()[i]).as("d=%d i=%d", d, i).isEqualTo(expected[i]);
      }
      ImageTensor t = Dihedral.apply(rect, d);
      assertThat(t.width()).isEqualTo(d >= 4 ? 4 : 7);
      assertThat(Dihedral.apply(t, Dihedral.inverse(d))).isEqualTo(rect);
    }
    assertThatThrownBy(() -> Dihedral.inverse(8)).hasMessageContaining("transform is 8");
  }

  @Test
  void bicubicCommutesWithFlipsSoItsEnsembleIsThePlainOutput() {
    ImageTensor img = random(new Random(3), 3, 13, 19);
    BicubicOperator bicubic = new BicubicOperator();
    for (int scale : new int[] {2, 3, 4}) {
      ImageTensor plain = TileUpscaler.upscaleWhole(bicubic, img, scale, 2, BorderPolicy.SYMMETRIC);
      ImageTensor ens = TileUpscaler.upscaleWhole(new SelfEnsemble(bicubic), img, scale, 2,
          BorderPolicy.SYMMETRIC);
      assertThat(ens.sameShape(plain)).isTrue();
      for (int i = 0; i < plain.data().length; i++) {
        assertThat((double) ens.data()[i]).isCloseTo(plain.data()[i],
            org.assertj.core.api.Assertions.within(1e-6));
      }
    }
  }

  /** Nearest neighbour plus a ramp in x: not flip-invariant, shape-equivariant, radius 0. */
  private static TileOperator ramp() {
    return ramp(new ArrayList<>());
  }

  /** {@link #ramp()}, recording the size of every {@code applyBatch} call in {@code batchSizes}. */
  private static TileOperator ramp(List<Integer> batchSizes) {
    return new TileOperator() {
      @Override
      public List<ImageTensor> applyBatch(List<ImageTensor> tiles, int scale) {
        batchSizes.add(tiles.size());
        return TileOperator.super.applyBatch(tiles, scale);
      }

      @Override
      public ImageTensor apply(ImageTensor tile, int scale) {
        int h = tile.height() * scale;
        int w = tile.width() * scale;
        ImageTensor out = ImageTensor.zeros(tile.channels(), h, w);
        for (int c = 0; c < tile.channels(); c++) {
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              out.set(c, y, x, tile.get(c, y / scale, x / scale) + x);
            }
          }
        }
        return out;
      }

      @Override
      public int radius() {
        return 0;
      }

      @Override
      public boolean supportsScale(int scale) {
        return true;
      }
    };
  }

  /**
   * A batch of rectangular tiles: each tile's result is the definition (the mean over the 8
   * transforms of the inverse-transformed output of the transformed tile, computed here with the
   * wrapped operator's single-tile apply), and the wrapped operator sees 8 batch calls of the whole
   * batch, not 8 calls per tile.
   */
  @Test
  void aBatchIsEnsembledTileByTileInEightBatchedRuns() {
    TileOperator ramp = ramp();
    List<Integer> batchSizes = new ArrayList<>();
    TileOperator counting = ramp(batchSizes);
    Random rnd = new Random(11);
    List<ImageTensor> tiles = List.of(random(rnd, 3, 4, 6), random(rnd, 3, 4, 6),
        random(rnd, 3, 4, 6));
    List<ImageTensor> got = new SelfEnsemble(counting).applyBatch(tiles, 3);
    assertThat(batchSizes).containsExactly(3, 3, 3, 3, 3, 3, 3, 3);
    for (int k = 0; k < tiles.size(); k++) {
      double[] expected = new double[3 * 12 * 18];
      for (int d = 0; d < 8; d++) {
        ImageTensor o = Dihedral.apply(ramp.apply(Dihedral.apply(tiles.get(k), d), 3),
            Dihedral.inverse(d));
        for (int i = 0; i < expected.length; i++) {
          expected[i] += o.data()[i] / 8.0;
        }
      }
      ImageTensor g = got.get(k);
      assertThat(g.channels() + "x" + g.height() + "x" + g.width()).isEqualTo("3x12x18");
      for (int i = 0; i < expected.length; i++) {
        assertThat((double) g.data()[i]).as("tile %d sample %d", k, i)
            .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-5));
      }
    }
    assertThat(SelfEnsemble.unwrap(new SelfEnsemble(ramp))).isSameAs(ramp);
    assertThat(SelfEnsemble.unwrap(ramp)).isSameAs(ramp);
  }

  @Test
  void anOperatorThatIsNotFlipInvariantIsAveragedOverTheEightTransforms() {
    // "upscale" = nearest neighbour plus a ramp in x: the ramp is not flip-invariant, so the
    // ensemble averages it to its mean over the group, a constant (w*s - 1) / 2 per sample
    TileOperator ramp = ramp();
    ImageTensor img = ImageTensor.zeros(1, 3, 3); // square: x and y ramps average alike
    ImageTensor ens = new SelfEnsemble(ramp).apply(img, 2);
    for (float v : ens.data()) {
      assertThat((double) v).isCloseTo(2.5, org.assertj.core.api.Assertions.within(1e-6));
    }
    assertThat(new SelfEnsemble(ramp).radius()).isZero();
  }
}
