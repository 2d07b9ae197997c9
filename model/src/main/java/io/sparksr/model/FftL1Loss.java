package io.sparksr.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
  /** |Re F| + |Im F| per element, {@code [W, H * B * 3]} (frequency v, then (u, b, c)). */
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

  /** The placeholder values for {@code height x width} patches, in {@link #PLACEHOLDERS} order. */
  public static INDArray[] matrices(int height, int width) {
    return matrices(height, width, DataType.FLOAT);
  }

  /** {@link #matrices(int, int)} in {@code type}. */
  public static INDArray[] matrices(int height, int width, DataType type) {
    INDArray[] h = dft(height, type);
    INDArray[] w = height == width ? h : dft(width, type);
    return new INDArray[] {h[0], h[1], w[0], w[1]};
  }
}
