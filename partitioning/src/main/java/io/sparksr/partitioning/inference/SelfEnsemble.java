package io.sparksr.partitioning.inference;

import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * The x8 self-ensemble (geometric test-time augmentation, as in EDSR's "+" results): the wrapped
 * operator runs on each of the 8 {@link Dihedral} transforms of the input, each output is
 * transformed back, and the 8 results are averaged (in double, per sample).
 *
 * <p>Tiling stays exact: the receptive-field radius and the border policy are those of the wrapped
 * operator, since a dihedral transform of a padded tile is the padded tile of the transformed
 * image. An operator that commutes with flips and transposes (MATLAB bicubic at an integer scale
 * with its symmetric border) gives the plain output back, up to float rounding. It costs 8 runs;
 * a batch stays a batch ({@link #applyBatch}: 8 batched runs of the wrapped operator).
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

  /** The operator that does the work: {@code op}'s wrapped operator if it is an ensemble. */
  public static TileOperator unwrap(TileOperator op) {
    return op instanceof SelfEnsemble e ? e.op : op;
  }

  @Override
  public ImageTensor apply(ImageTensor tile, int scale) {
    return applyBatch(List.of(tile), scale).get(0);
  }

  /**
   * The ensemble of each tile, the wrapped operator running each transform on the whole batch
   * (tiles of one shape stay one shape under a transform).
   */
  @Override
  public List<ImageTensor> applyBatch(List<ImageTensor> tiles, int scale) {
    int n = tiles.size();
    double[][] sum = new double[n][];
    ImageTensor[] shape = new ImageTensor[n];
    for (int d = 0; d < RUNS; d++) {
      List<ImageTensor> in = tiles;
      if (d > 0) {
        in = new ArrayList<>(n);
        for (ImageTensor t : tiles) {
          in.add(Dihedral.apply(t, d));
        }
      }
      List<ImageTensor> outs = op.applyBatch(in, scale);
      if (outs.size() != n) {
        throw new IllegalStateException("the operator gave " + outs.size() + " outputs for " + n
            + " tiles");
      }
      for (int k = 0; k < n; k++) {
        ImageTensor out = d == 0 ? outs.get(k) : Dihedral.apply(outs.get(k), Dihedral.inverse(d));
        if (sum[k] == null) {
          sum[k] = new double[out.data().length];
          shape[k] = out;
        } else if (!out.sameShape(shape[k])) {
          throw new IllegalStateException("transform " + d + " gave " + out + " but transform 0 "
              + "gave " + shape[k] + ": the operator is not shape-equivariant");
        }
        float[] o = out.data();
        double[] acc = sum[k];
        for (int i = 0; i < o.length; i++) {
          acc[i] += o[i];
        }
      }
    }
    List<ImageTensor> result = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      float[] mean = new float[sum[k].length];
      for (int i = 0; i < mean.length; i++) {
        mean[i] = (float) (sum[k][i] / RUNS);
      }
      sum[k] = null; // one tile's sum and mean alive at a time
      result.add(new ImageTensor(shape[k].channels(), shape[k].height(), shape[k].width(), mean));
    }
    return result;
  }

  /** The wrapped operator's, plus the tile's sum of outputs in double. */
  @Override
  public long workingBytes(int height, int width, int scale) {
    return op.workingBytes(height, width, scale)
        + (long) height * width * scale * scale * 4 * Double.BYTES;
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
