package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparksr.model.arch.Architecture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The FFT-L1 term against a direct O(N^4) DFT written here in plain Java, its gradient against
 * finite differences, and its wiring into {@link SrTrainer} (weight 0 = the old graph and loss).
 */
class FftL1LossTest {

  @BeforeAll
  static void backend() {
    NativeBackend.configure();
  }

  /** Direct 2-D DFT of every (b, c) plane, orthonormal: {re, im}, each [b][c][u][v]. */
  private static double[][][][][] directDft(double[] d, int b, int h, int w) {
    double[][][][] re = new double[b][3][h][w];
    double[][][][] im = new double[b][3][h][w];
    double norm = 1 / Math.sqrt((double) h * w);
    for (int n = 0; n < b; n++) {
      for (int c = 0; c < 3; c++) {
        for (int u = 0; u < h; u++) {
          for (int v = 0; v < w; v++) {
            double sr = 0;
            double si = 0;
            for (int y = 0; y < h; y++) {
              for (int x = 0; x < w; x++) {
                double a = -2 * Math.PI * ((double) u * y / h + (double) v * x / w);
                double val = d[((n * h + y) * w + x) * 3 + c];
                sr += val * Math.cos(a);
                si += val * Math.sin(a);
              }
            }
            re[n][c][u][v] = sr * norm;
            im[n][c][u][v] = si * norm;
          }
        }
      }
    }
    return new double[][][][][] {re, im};
  }

  /** mean over (b, c, u, v) of |Re| + |Im| of the direct DFT of sr - hr (NHWC, c order). */
  static double directTerm(float[] sr, float[] hr, int b, int h, int w) {
    double[] d = new double[sr.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = (double) sr[i] - hr[i];
    }
    double[][][][][] f = directDft(d, b, h, w);
    double sum = 0;
    for (int n = 0; n < b; n++) {
      for (int c = 0; c < 3; c++) {
        for (int u = 0; u < h; u++) {
          for (int v = 0; v < w; v++) {
            sum += Math.abs(f[0][n][c][u][v]) + Math.abs(f[1][n][c][u][v]);
          }
        }
      }
    }
    return sum / ((double) b * 3 * h * w);
  }

  private static float[] random(int n, long seed) {
    Random rnd = new Random(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rnd.nextFloat();
    }
    return a;
  }

  /** A graph of the term alone: placeholders sr and hr. */
  private static SameDiff termGraph(DataType t) {
    SameDiff sd = SameDiff.create();
    SDVariable sr = sd.placeHolder("sr", t, -1, -1, -1, 3);
    SDVariable hr = sd.placeHolder("hr", t, -1, -1, -1, 3);
    FftL1Loss.attach(sd, sr, hr);
    return sd;
  }

  private static Map<String, INDArray> feed(INDArray sr, INDArray hr, int h, int w, DataType t) {
    Map<String, INDArray> ph = new HashMap<>();
    ph.put("sr", sr);
    ph.put("hr", hr);
    INDArray[] m = FftL1Loss.matrices(h, w, t);
    for (int i = 0; i < m.length; i++) {
      ph.put(FftL1Loss.PLACEHOLDERS.get(i), m[i]);
    }
    return ph;
  }

  @Test
  void termEqualsADirectDftElementByElementForEvenOddAndNonSquareSizes() {
    SameDiff sd = termGraph(DataType.FLOAT);
    int[][] sizes = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {8, 8}, {9, 9}, {3, 5}, {6, 4}};
    long seed = 1;
    for (int[] hw : sizes) {
      int b = 2;
      int h = hw[0];
      int w = hw[1];
      float[] sr = random(b * h * w * 3, seed++);
      float[] hr = random(b * h * w * 3, seed++);
      Map<String, INDArray> ph = feed(Nd4j.create(sr, new long[] {b, h, w, 3}, 'c'),
          Nd4j.create(hr, new long[] {b, h, w, 3}, 'c'), h, w, DataType.FLOAT);
      Map<String, INDArray> out = sd.output(ph, FftL1Loss.TERM, FftL1Loss.MAP);
      double expected = directTerm(sr, hr, b, h, w);
      assertThat(out.get(FftL1Loss.TERM).getDouble(0)).as("%dx%d", h, w)
          .isCloseTo(expected, within(1e-5 * expected + 1e-7));
      // the map, element by element: [v, (u * B + b) * 3 + c] = |Re| + |Im| for the columns
      // v = 0 .. w/2, scaled by the number of columns each stands for (1 or 2; the conjugate
      // pairs F[u, v], F[-u, -v] have equal |Re| + |Im|) and (w/2 + 1) / w
      int half = w / 2 + 1;
      double[] d = new double[sr.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = (double) sr[i] - hr[i];
      }
      double[][][][][] f = directDft(d, b, h, w);
      INDArray map = out.get(FftL1Loss.MAP);
      assertThat(map.shape()).containsExactly(half, (long) h * b * 3);
      for (int n = 0; n < b; n++) {
        for (int c = 0; c < 3; c++) {
          for (int u = 0; u < h; u++) {
            for (int v = 0; v < half; v++) {
              int copies = v == 0 || 2 * v == w ? 1 : 2;
              double e = (Math.abs(f[0][n][c][u][v]) + Math.abs(f[1][n][c][u][v])) * copies
                  * half / w;
              assertThat(map.getDouble(v, (u * b + n) * 3L + c))
                  .as("%dx%d b%d c%d u%d v%d", h, w, n, c, u, v).isCloseTo(e, within(2e-5));
            }
          }
        }
      }
    }
  }

  /**
   * The graph is the one built before the half spectrum (bundles saved with the term carry it):
   * fed the full W matrices it gives the same term as with the half ones.
   */
  @Test
  void fullAndHalfSpectrumMatricesGiveTheSameTerm() {
    SameDiff sd = termGraph(DataType.DOUBLE);
    for (int[] hw : new int[][] {{6, 6}, {7, 7}, {4, 9}, {96, 96}}) {
      int h = hw[0];
      int w = hw[1];
      INDArray sr = Nd4j.create(toDouble(random(2 * h * w * 3, h + w)), new long[] {2, h, w, 3});
      INDArray hr = Nd4j.create(toDouble(random(2 * h * w * 3, 7L * h)), new long[] {2, h, w, 3});
      Map<String, INDArray> half = feed(sr, hr, h, w, DataType.DOUBLE);
      assertThat(half.get(FftL1Loss.COS_W).shape()).containsExactly(w / 2 + 1, w);
      Map<String, INDArray> full = new HashMap<>(half);
      INDArray[] cs = FftL1Loss.dft(w, DataType.DOUBLE);
      full.put(FftL1Loss.COS_W, cs[0]);
      full.put(FftL1Loss.SIN_W, cs[1]);
      double a = sd.output(half, FftL1Loss.TERM).get(FftL1Loss.TERM).getDouble(0);
      double b = sd.output(full, FftL1Loss.TERM).get(FftL1Loss.TERM).getDouble(0);
      assertThat(a).as("%dx%d", h, w).isCloseTo(b, within(1e-12 * b));
    }
    assertThatThrownBy(() -> FftL1Loss.halfRowWeight(5, 8)).hasMessageContaining("outside 0..4");
  }

  /** Parseval: the orthonormal transform keeps sum |F|^2 = sum |D|^2 (so the weight is scale-free). */
  @Test
  void theMatricesAreTheOrthonormalDft() {
    for (int n : List.of(1, 2, 7, 96, 144, 192)) {
      INDArray[] cs = FftL1Loss.dft(n, DataType.DOUBLE);
      // C C^T + S S^T = I and C S^T - S C^T = 0 (F F^H = I with F = C - iS)
      INDArray eye = Nd4j.eye(n).castTo(DataType.DOUBLE);
      INDArray re = cs[0].mmul(cs[0].transpose()).add(cs[1].mmul(cs[1].transpose()));
      INDArray im = cs[0].mmul(cs[1].transpose()).sub(cs[1].mmul(cs[0].transpose()));
      assertThat(re.sub(eye).amaxNumber().doubleValue()).as("n=%d", n).isLessThan(1e-12);
      assertThat(im.amaxNumber().doubleValue()).as("n=%d", n).isLessThan(1e-12);
      double a = 2 * Math.PI * 1 * (n - 1) / n;
      assertThat(cs[1].getDouble(1, n - 1)).isCloseTo(Math.sin(a) / Math.sqrt(n), within(1e-12));
    }
    assertThatThrownBy(() -> FftL1Loss.dft(0)).hasMessageContaining("DFT size is 0");
  }

  /** Central differences of the term against SameDiff's gradient, in double, 5 x 4 and 3 x 3. */
  @Test
  void gradientMatchesFiniteDifferences() {
    for (int[] hw : new int[][] {{5, 4}, {3, 3}}) {
      int h = hw[0];
      int w = hw[1];
      SameDiff sd = SameDiff.create();
      float[] x0 = random(h * w * 3, 40 + h);
      float[] y0 = random(h * w * 3, 50 + h);
      INDArray x = Nd4j.create(x0, new long[] {1, h, w, 3}, 'c').castTo(DataType.DOUBLE);
      INDArray y = Nd4j.create(y0, new long[] {1, h, w, 3}, 'c').castTo(DataType.DOUBLE);
      SDVariable sr = sd.var("sr", x.dup());
      SDVariable hr = sd.placeHolder("hr", DataType.DOUBLE, -1, -1, -1, 3);
      FftL1Loss.attach(sd, sr, hr);
      sd.setLossVariables(FftL1Loss.TERM);
      Map<String, INDArray> ph = new HashMap<>();
      ph.put("hr", y);
      INDArray[] m = FftL1Loss.matrices(h, w, DataType.DOUBLE);
      for (int i = 0; i < m.length; i++) {
        ph.put(FftL1Loss.PLACEHOLDERS.get(i), m[i]);
      }
      INDArray grad = sd.calculateGradients(ph, "sr").get("sr");
      assertThat(grad.amaxNumber().doubleValue()).isGreaterThan(1e-3);
      double eps = 1e-6;
      double worst = 0;
      for (int i = 0; i < x0.length; i++) {
        double[] xp = toDouble(x0);
        xp[i] += eps;
        double[] xm = toDouble(x0);
        xm[i] -= eps;
        sr.getArr().assign(Nd4j.create(xp, new long[] {1, h, w, 3}, 'c'));
        double lp = sd.output(ph, FftL1Loss.TERM).get(FftL1Loss.TERM).getDouble(0);
        sr.getArr().assign(Nd4j.create(xm, new long[] {1, h, w, 3}, 'c'));
        double lm = sd.output(ph, FftL1Loss.TERM).get(FftL1Loss.TERM).getDouble(0);
        double fd = (lp - lm) / (2 * eps);
        double g = grad.getDouble(i);
        worst = Math.max(worst, Math.abs(fd - g));
        assertThat(g).as("%dx%d element %d", h, w, i).isCloseTo(fd, within(1e-6));
      }
      sr.getArr().assign(x);
      assertThat(worst).isLessThan(1e-6);
    }
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /** Weight 0: the graph is the architecture's own (same ops, same variables), the same loss. */
  @Test
  void weightZeroIsTheOldGraphAndLossExactly() {
    Architecture arch = TestModels.tiny();
    TrainOptions o = TrainOptions.defaults(20);
    assertThat(o.fftL1Weight()).isZero();
    SameDiff plain = arch.trainingGraph(o.seed());
    SrTrainer t = SrTrainer.create(arch, o);
    SameDiff g = t.graph();
    assertThat(new TreeSet<>(g.getOps().keySet())).isEqualTo(new TreeSet<>(plain.getOps()
        .keySet()));
    assertThat(new TreeSet<>(g.getVariables().keySet()))
        .isEqualTo(new TreeSet<>(plain.getVariables().keySet()));
    assertThat(g.getLossVariables()).containsExactly(Architecture.LOSS);
    TrainBatch batch = TestModels.noiseBatch(3, 2, 8, 5);
    // the architecture's own graph, fed by hand, gives the trainer's loss bit for bit
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(Architecture.LR, Nd4j.create(batch.lr(), new long[] {2, 8, 8, 3}, 'c'));
    ph.put(Architecture.HR, Nd4j.create(batch.hr(), new long[] {2, 24, 24, 3}, 'c'));
    INDArray[] in = arch.scaleInputs(3);
    for (int i = 0; i < in.length; i++) {
      ph.put(arch.scaleInputNames().get(i), in[i]);
    }
    double old = plain.output(ph, Architecture.LOSS).get(Architecture.LOSS).getDouble(0);
    assertThat(t.loss(batch)).isEqualTo(old);
    assertThat(t.fftL1(batch)).isNaN();
  }

  /**
   * Weight w: the trainer's loss is L1 + w * the direct-DFT term of its own prediction, the step
   * listener reports the same values for the batch it trains on, the term changes the update, and
   * the weight is stored in the bundle.
   */
  @Test
  void weightedTermIsAddedReportedAndTrained() throws Exception {
    Architecture arch = TestModels.tiny();
    double w = 0.5;
    TrainOptions o = TrainOptions.defaults(20).withEmaDecay(0).withFftL1Weight(w);
    SrTrainer t = SrTrainer.create(arch, o);
    assertThat(t.graph().getLossVariables()).containsExactly(SrTrainer.TOTAL_LOSS);
    List<TrainBatch> batches = List.of(TestModels.noiseBatch(2, 2, 7, 1),
        TestModels.noiseBatch(3, 2, 7, 2), TestModels.noiseBatch(4, 1, 5, 3));
    // independent values for the first batch (the only one seen before an update)
    TrainBatch b = batches.get(0);
    float[] sr = t.predict(b).dup('c').data().asFloat();
    double l1 = 0;
    for (int i = 0; i < sr.length; i++) {
      l1 += Math.abs((double) sr[i] - b.hr()[i]);
    }
    l1 /= sr.length;
    double fft = directTerm(sr, b.hr(), b.size(), b.hrHeight(), b.hrWidth());
    double total = l1 + w * fft;
    assertThat(t.fftL1(b)).isCloseTo(fft, within(1e-5 * fft));
    assertThat(t.loss(b)).isCloseTo(total, within(1e-5 * total));
    List<double[]> steps = new ArrayList<>();
    t.fit(batches.iterator(), (it, scale, loss, f, lr) -> steps.add(new double[] {loss, f}));
    assertThat(steps).hasSize(3);
    assertThat(steps.get(0)[0]).isCloseTo(total, within(1e-5 * total));
    assertThat(steps.get(0)[1]).isCloseTo(fft, within(1e-5 * fft));
    for (double[] s : steps) {
      assertThat(s[1]).isPositive();
      assertThat(s[0]).isGreaterThan(w * s[1]);
    }

    // the same step without the term lands elsewhere
    SrTrainer plain = SrTrainer.create(arch, o.withFftL1Weight(0));
    plain.fit(batches.subList(0, 1).iterator());
    SrTrainer withTerm = SrTrainer.create(arch, o);
    withTerm.fit(batches.subList(0, 1).iterator());
    TrainBatch check = TestModels.noiseBatch(2, 1, 6, 9);
    assertThat(plain.predict(check).sub(withTerm.predict(check)).amaxNumber().doubleValue())
        .isGreaterThan(1e-6);

    ModelBundle bundle = ModelBundle.parse(t.toBundle(Provenance.none(), true).toBytes(), "t");
    assertThat(bundle.metadata().training().options().fftL1Weight()).isEqualTo(w);
  }

  /** A bundle written before the option existed reads as weight 0. */
  @Test
  void metadataWithoutTheKeyReadsAsWeightZero() throws Exception {
    String json = "{\"seed\":1,\"learning-rate\":0.001,\"min-learning-rate\":1e-6,"
        + "\"warmup-steps\":10,\"total-steps\":100,\"beta1\":0.9,\"beta2\":0.99,"
        + "\"epsilon\":1e-8,\"ema-decay\":0.999}";
    TrainOptions o = ModelBundle.JSON.readValue(json, TrainOptions.class);
    assertThat(o.fftL1Weight()).isZero();
    assertThat(o.totalSteps()).isEqualTo(100);
    assertThatThrownBy(() -> o.withFftL1Weight(-0.1).validate())
        .hasMessageContaining("'fft-l1-weight' is -0.1");
    assertThatThrownBy(() -> o.withFftL1Weight(Double.NaN).validate())
        .hasMessageContaining("'fft-l1-weight' is NaN");
  }
}
