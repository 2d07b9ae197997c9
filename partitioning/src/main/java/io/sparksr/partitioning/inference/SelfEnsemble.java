package io.sparksr.partitioning.inference;

import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.BorderPolicy;

/**
 * The x8 self-ensemble (geometric test-time augmentation, as in EDSR's "+" results): the wrapped
 * operator runs on each of the 8 {@link Dihedral} transforms of the input, each output is
 * transformed back, and the 8 results are averaged (in double, per sample).
 *
 * <p>Tiling stays exact: the receptive-field radius and the border policy are those of the wrapped
 * operator, since a dihedral transform of a padded tile is the padded tile of the transformed
 * image. An operator that commutes with flips and transposes (MATLAB bicubic at an integer scale
 * with its symmetric border) gives the plain output back, up to float rounding. It costs 8 runs.
 */
public final class SelfEnsemble implements TileOperator {
  /** How many times the wrapped operator runs per tile. */
  public static final int RUNS = 8;

  private final TileOperator op;

  public SelfEnsemble(TileOperator op) {
    if (op == null) {
      throw new IllegalArgumentException("operator is null but must be given");
    }
    this.op = op;
  }

  /** The wrapped operator. */
  public TileOperator operator() {
    return op;
  }

  @Override
  public ImageTensor apply(ImageTensor tile, int scale) {
    double[] sum = null;
    ImageTensor shape = null;
    for (int d = 0; d < RUNS; d++) {
      ImageTensor out = Dihedral.apply(op.apply(Dihedral.apply(tile, d), scale),
          Dihedral.inverse(d));
      if (sum == null) {
        sum = new double[out.data().length];
        shape = out;
      } else if (!out.sameShape(shape)) {
        throw new IllegalStateException("transform " + d + " gave " + out + " but transform 0 gave "
            + shape + ": the operator is not shape-equivariant");
      }
      float[] o = out.data();
      for (int i = 0; i < o.length; i++) {
        sum[i] += o[i];
      }
    }
    float[] mean = new float[sum.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (float) (sum[i] / RUNS);
    }
    return new ImageTensor(shape.channels(), shape.height(), shape.width(), mean);
  }

  @Override
  public int radius() {
    return op.radius();
  }

  @Override
  public boolean supportsScale(int scale) {
    return op.supportsScale(scale);
  }

  @Override
  public BorderPolicy defaultBorder() {
    return op.defaultBorder();
  }
}
