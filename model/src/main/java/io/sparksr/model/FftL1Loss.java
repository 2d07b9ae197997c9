package io.sparksr.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The FFT-L1 loss term (MIMO-UNet, Cho et al. ICCV 2021; SAFMN and other SR recipes): the L1 norm
 * of the 2-D discrete Fourier transform of the error, added to the pixel L1 loss with a weight.
 *
 * <p>Definition, for {@code SR} and {@code HR} of {@code [B, H, W, 3]} (NHWC) and
 * {@code D = SR - HR}: for each patch b and colour c the orthonormal 2-D DFT
 * <pre>
 *   F[u, v] = 1/sqrt(H W) * sum_{h, w} D[b, h, w, c] * exp(-2 pi i (u h / H + v w / W)),
 * </pre>
 * and the term is {@code mean over (b, u, v, c) of |Re F| + |Im F|}, a mean over B·H·W·3
 * elements of the full (two-sided) spectrum. Orthonormal, so the term does not grow with the patch
 * side (Parseval: sum |F|^2 = sum |D|^2): one weight means the same at x2, x3 and x4, whose HR
 * patches differ in side within one run. In PyTorch terms it equals
 * {@code 2 * l1_loss(view_as_real(fft2(sr, norm="ortho")), view_as_real(fft2(hr, norm="ortho")))};
 * the unnormalised form of SAFMN / BasicSR ({@code norm="backward"}, weight w') is this term
 * with weight {@code w' * sqrt(H W) / 2}. F is linear, so F(SR) - F(HR) = F(D).
 *
 * <p>SameDiff (M2.1) has no FFT op, so the DFT is written as matrix products with constant cosine
 * and sine matrices {@code C[u, h] = cos(2 pi u h / N) / sqrt(N)}, {@code S[u, h] =
 * sin(2 pi u h / N) / sqrt(N)}: {@code Re F = C_H D C_W^T - S_H D S_W^T},
 * {@code -Im F = C_H D S_W^T + S_H D C_W^T} (the sign does not matter under |.|). The four
 * matrices are placeholders ({@link #PLACEHOLDERS}, fed with {@link #matrices(int, int)}), so one
 * graph serves every patch size; O(N^3) per channel, small next to the network.
 *
 * <p>Half spectrum along W. D is real, so {@code F[u, v] = conj F[-u mod H, -v mod W]}: both
 * elements of a pair have the same {@code |Re| + |Im|}, and the sum over the full spectrum equals
 * the sum over the columns {@code v = 0 .. floor(W/2)} with each column weighted by how many
 * columns it stands for (1 for v = 0 and, W even, v = W/2; 2 otherwise). |.| is positively
 * homogeneous, so the weights go into the rows of the W matrices, together with the factor
 * {@code (floor(W/2) + 1) / W} that turns the mean over the half map into the mean over the full
 * spectrum: the W placeholders are {@code [floor(W/2) + 1, W]} and the term is exactly the
 * definition above, at two thirds of the DFT products (the W transform, the one on complex input,
 * computes half the rows). The graph is the same as with the full matrices, so bundles saved with
 * the term before this change take the half matrices unchanged.
 */
public final class FftL1Loss {
  /** Cosine matrix along H, {@code [H, H]}. */
  public static final String COS_H = "fft_cos_h";
  /** Sine matrix along H, {@code [H, H]}. */
  public static final String SIN_H = "fft_sin_h";
  /** Cosine matrix along W, {@code [W, W]}. */
  public static final String COS_W = "fft_cos_w";
  /** Sine matrix along W, {@code [W, W]}. */
  public static final String SIN_W = "fft_sin_w";
  /** The placeholder names, in the order of {@link #matrices(int, int)}. */
  public static final java.util.List<String> PLACEHOLDERS = java.util.List.of(COS_H, SIN_H, COS_W,
      SIN_W);
  /**
   * {@code |Re F| + |Im F|} per element of the half spectrum, {@code [floor(W/2) + 1, H * B * 3]}
   * (frequency v, then (u, b, c)), row v scaled by {@link #halfRowWeight(int, int)}.
   */
  public static final String MAP = "fft_l1_map";
  /** The (unweighted) term: the mean of {@link #MAP}. */
  public static final String TERM = "fft_l1";

  private FftL1Loss() {}

  /**
   * Adds the term to {@code sd}: the placeholders, {@link #MAP} and {@link #TERM} (a scalar).
   *
   * @param sr the network output {@code [B, H, W, 3]}
   * @param hr the target, same shape and data type
   * @return the {@link #TERM} variable
   */
  public static SDVariable attach(SameDiff sd, SDVariable sr, SDVariable hr) {
    DataType t = sr.dataType();
    SDVariable cosH = sd.placeHolder(COS_H, t, -1, -1);
    SDVariable sinH = sd.placeHolder(SIN_H, t, -1, -1);
    SDVariable cosW = sd.placeHolder(COS_W, t, -1, -1);
    SDVariable sinW = sd.placeHolder(SIN_W, t, -1, -1);
    SDVariable minusOne = sd.constant(Nd4j.createFromArray(-1L));
    // transform along H: [B, H, W, 3] -> [H, B, W, 3] -> [H, B*W*3]
    SDVariable dh = sr.sub(hr).permute(1, 0, 2, 3);
    SDVariable dhShape = sd.shape(dh).castTo(DataType.INT64);
    SDVariable d2 = sd.reshape(dh, sd.concat(0, dhShape.get(
        org.nd4j.autodiff.samediff.SDIndex.interval(0, 1)), minusOne));
    SDVariable ac = toW(sd, sd.mmul(cosH, d2), dhShape, minusOne);
    SDVariable as = toW(sd, sd.mmul(sinH, d2), dhShape, minusOne);
    // transform along W: rows are now v
    SDVariable re = sd.mmul(cosW, ac).sub(sd.mmul(sinW, as));
    SDVariable negIm = sd.mmul(sinW, ac).add(sd.mmul(cosW, as));
    SDVariable map = sd.math().abs(re).add(MAP, sd.math().abs(negIm));
    return map.mean(TERM);
  }

  /** {@code [H, B*W*3]} (c order of [H, B, W, 3]) -> {@code [W, H*B*3]}. */
  private static SDVariable toW(SameDiff sd, SDVariable x, SDVariable hbw3, SDVariable minusOne) {
    SDVariable x4 = sd.reshape(x, hbw3).permute(2, 0, 1, 3);
    SDVariable w = hbw3.get(org.nd4j.autodiff.samediff.SDIndex.interval(2, 3));
    return sd.reshape(x4, sd.concat(0, w, minusOne));
  }

  /** The cosine and sine matrices of the orthonormal DFT of size {@code n}: {C, S}, float32. */
  public static INDArray[] dft(int n) {
    return dft(n, DataType.FLOAT);
  }

  /** {@link #dft(int)} in {@code type}. */
  public static INDArray[] dft(int n, DataType type) {
    if (n < 1) {
      throw new IllegalArgumentException("DFT size is " + n + " but must be >= 1");
    }
    double[] c = new double[n * n];
    double[] s = new double[n * n];
    double norm = 1 / Math.sqrt(n);
    for (int u = 0; u < n; u++) {
      for (int h = 0; h < n; h++) {
        // (u h) mod n keeps the angle small, so large n loses no precision
        double a = 2 * Math.PI * (((long) u * h) % n) / n;
        c[u * n + h] = Math.cos(a) * norm;
        s[u * n + h] = Math.sin(a) * norm;
      }
    }
    return new INDArray[] {
      Nd4j.create(c, new long[] {n, n}, 'c').castTo(type),
      Nd4j.create(s, new long[] {n, n}, 'c').castTo(type)
    };
  }

  /**
   * The placeholder values for {@code height x width} patches, in {@link #PLACEHOLDERS} order: the
   * full H matrices and the weighted half-spectrum W matrices (see the class comment).
   */
  public static INDArray[] matrices(int height, int width) {
    return matrices(height, width, DataType.FLOAT);
  }

  /** {@link #matrices(int, int)} in {@code type}. */
  public static INDArray[] matrices(int height, int width, DataType type) {
    INDArray[] h = dft(height, type);
    INDArray[] w = dft(width, DataType.DOUBLE);
    int rows = width / 2 + 1;
    INDArray weights = Nd4j.create(DataType.DOUBLE, rows, 1);
    for (int v = 0; v < rows; v++) {
      weights.putScalar(v, 0, halfRowWeight(v, width));
    }
    INDArray cw = w[0].get(NDArrayIndex.interval(0, rows), NDArrayIndex.all())
        .mulColumnVector(weights);
    INDArray sw = w[1].get(NDArrayIndex.interval(0, rows), NDArrayIndex.all())
        .mulColumnVector(weights);
    return new INDArray[] {h[0], h[1], cw.castTo(type), sw.castTo(type)};
  }

  /**
   * The factor of row {@code v} ({@code 0 <= v <= width / 2}) of the half-spectrum W matrices:
   * the number of full-spectrum columns it stands for (1 or 2) times
   * {@code (width / 2 + 1) / width}.
   */
  public static double halfRowWeight(int v, int width) {
    if (v < 0 || v > width / 2) {
      throw new IllegalArgumentException("row " + v + " is outside 0.." + width / 2);
    }
    int copies = v == 0 || 2 * v == width ? 1 : 2;
    return copies * (width / 2 + 1) / (double) width;
  }
}
