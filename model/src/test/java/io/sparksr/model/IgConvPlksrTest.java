package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.model.arch.Architecture;
import io.sparksr.model.arch.Architectures;
import io.sparksr.model.arch.IgConvPlksr;
import io.sparksr.model.arch.IgConvPlksrConfig;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The igconv-plksr architecture: shapes, instantiation, gradients, skip, receptive field. */
class IgConvPlksrTest {

  @BeforeAll
  static void backend() {
    NativeBackend.configure();
  }

  /** A trainer moved a few steps away from its initial weights, so nothing is at its init value. */
  private static SrTrainer trained(IgConvPlksr arch) {
    SrTrainer t = SrTrainer.create(arch, TrainOptions.defaults(100).withEmaDecay(0));
    List<TrainBatch> batches = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      batches.add(TestModels.noiseBatch(arch.scales().get(i % 3), 2, 8, i));
    }
    t.fit(batches.iterator());
    return t;
  }

  @Test
  void outputShapesForEachScale() {
    SrModel m = trained(TestModels.tiny()).model();
    for (int s : List.of(2, 3, 4)) {
      List<ImageTensor> out = m.upscale(
          List.of(TestModels.noise(10, 12, 1), TestModels.noise(10, 12, 2)), s);
      assertThat(out).hasSize(2);
      for (ImageTensor t : out) {
        assertThat(t.channels()).isEqualTo(3);
        assertThat(t.height()).isEqualTo(10 * s);
        assertThat(t.width()).isEqualTo(12 * s);
      }
    }
    assertThat(m.apply(TestModels.noise(5, 7, 3).channels(0, 1), 2).channels()).isEqualTo(1);
    assertThat(m.supportsScale(5)).isFalse();
    assertThatThrownBy(() -> m.apply(TestModels.noise(5, 5, 1), 5))
        .hasMessageContaining("scale is 5").hasMessageContaining("[2, 3, 4]");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void instantiatedGraphEqualsTrainingGraph(boolean ensemble) {
    SrTrainer t = trained(new IgConvPlksr(TestModels.tinyConfig(ensemble)));
    SrModel m = t.model();
    for (int s : List.of(2, 3, 4)) {
      TrainBatch b = TestModels.noiseBatch(s, 2, 9, 100 + s);
      INDArray train = t.predict(b);
      INDArray inf = m.run(Nd4j.create(b.lr(), new long[] {2, 9, 9, 3}, 'c'), s);
      assertThat(inf.shape()).containsExactly(2, 9 * s, 9 * s, 3);
      assertThat(train.sub(inf).amaxNumber().doubleValue()).as("x%d", s).isLessThan(1e-4);
      // the batch path: DCR output shuffled and clamped on the Java side
      float[] lr = b.lr();
      List<ImageTensor> tiles = new java.util.ArrayList<>();
      for (int t0 = 0; t0 < 2; t0++) {
        float[] chw = new float[3 * 81];
        for (int i = 0; i < 81; i++) {
          for (int c = 0; c < 3; c++) {
            chw[c * 81 + i] = lr[(t0 * 81 + i) * 3 + c];
          }
        }
        tiles.add(new ImageTensor(3, 9, 9, chw));
      }
      List<ImageTensor> up = m.upscale(tiles, s);
      double worst = 0;
      for (int t0 = 0; t0 < 2; t0++) {
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < 9 * s; y++) {
            for (int x = 0; x < 9 * s; x++) {
              double want = Math.min(1, Math.max(0, train.getDouble(t0, y, x, c)));
              worst = Math.max(worst, Math.abs(up.get(t0).get(c, y, x) - want));
            }
          }
        }
      }
      assertThat(worst).as("upscale x%d", s).isLessThan(1e-4);
    }
  }

  @Test
  void gradientsReachEveryParameterGroup() {
    SrTrainer t = trained(TestModels.tiny());
    for (int s : List.of(2, 3, 4)) {
      Map<String, INDArray> g = t.gradients(TestModels.noiseBatch(s, 2, 8, 7));
      assertThat(g.keySet()).containsAll(List.of("gen.freq", "gen.phase", "gen.phase_cell",
          "gen.amp", "gen.mlp0.w", "gen.mlp1.w", "enc.head.w", "enc.b0.plk.w", "enc.b0.att.w"));
      for (Map.Entry<String, INDArray> e : g.entrySet()) {
        assertThat(e.getValue().norm2Number().doubleValue()).as("x%d %s", s, e.getKey())
            .isGreaterThan(0);
      }
      for (String group : IgConvPlksr.parameterGroups()) {
        assertThat(g.keySet()).as(group).anyMatch(k -> k.startsWith(group));
      }
    }
  }

  /** With K_r = 0 the network is its skip: MATLAB bicubic (or nearest), borders included. */
  @ParameterizedTest
  @ValueSource(strings = {"bicubic", "nearest"})
  void skipIsMatlabBicubicOrNearest(String skip) {
    IgConvPlksrConfig t = TestModels.tinyConfig(false);
    IgConvPlksr arch = new IgConvPlksr(new IgConvPlksrConfig(t.channels(), t.blocks(),
        t.kernelSize(), t.splitRatio(), t.attention(), t.fourierFeatures(), t.mlpDim(),
        t.mlpLayers(), t.scales(), skip, t.ensemble()));
    Map<String, INDArray> w = new LinkedHashMap<>(arch.instantiate(arch.trainingGraph(1)));
    for (int s : List.of(2, 3, 4)) {
      w.put("x" + s + ".kernel", Nd4j.zerosLike(w.get("x" + s + ".kernel")));
    }
    SameDiff g = arch.inferenceGraph(w);
    // 1 x 1 and 2 x 3: the 2-pixel mirror of the skip wraps around more than once
    for (int[] hw : new int[][] {{12, 13}, {2, 3}, {1, 1}}) {
      int lh = hw[0];
      int lw = hw[1];
      ImageTensor lr = TestModels.noise(lh, lw, 5);
      for (int s : List.of(2, 3, 4)) {
        String out = Architecture.outputName(s);
        float[] y = Nd4j.toFlattened('c', g.output(arch.inferenceInputs(TestModels.nhwc(lr), 1,
            lh, lw), out).get(out)).toFloatVector();
        ImageTensor want = skip.equals("bicubic") ? Resize.imresize(lr, s) : null;
        double worst = 0;
        for (int c = 0; c < 3; c++) {
          for (int oy = 0; oy < lh * s; oy++) {
            for (int ox = 0; ox < lw * s; ox++) {
              double v = want != null ? want.get(c, oy, ox) : lr.get(c, oy / s, ox / s);
              worst = Math.max(worst, Math.abs(y[(oy * lw * s + ox) * 3 + c] - v));
            }
          }
        }
        assertThat(worst).as("%dx%d x%d %s", lh, lw, s, skip).isLessThan(1e-5);
      }
    }
  }

  /**
   * The graph for even widths (the large-kernel conv in two output phases, stride 2) computes what
   * the general graph does, with and without the channel split, down to a width of 2.
   */
  @ParameterizedTest
  @ValueSource(doubles = {0.25, 1.0})
  void evenWidthGraphEqualsGeneralGraph(double split) {
    IgConvPlksrConfig t = TestModels.tinyConfig(false);
    SrModel m = trained(new IgConvPlksr(new IgConvPlksrConfig(t.channels(), t.blocks(),
        t.kernelSize(), split, t.attention(), t.fourierFeatures(), t.mlpDim(), t.mlpLayers(),
        t.scales(), t.skip(), t.ensemble()))).model();
    IgConvPlksr arch = (IgConvPlksr) m.architecture();
    assertThat(arch.graphVariant(23)).isZero();
    int variant = arch.graphVariant(24);
    assertThat(variant).isNotZero();
    assertThat(arch.graphVariant(2)).isEqualTo(variant);
    SameDiff general = arch.inferenceGraph(m.weights());
    SameDiff even = arch.inferenceGraph(m.weights(), variant);
    assertThat(even.hasVariable("enc.b0.plk.w2")).as("two-phase kernels").isTrue();
    assertThat(even.hasVariable("enc.b0.plk.w")).as("plain kernels replaced").isFalse();
    for (int[] hw : new int[][] {{17, 24}, {6, 2}, {1, 2}}) {
      ImageTensor a = TestModels.noise(hw[0], hw[1], 9);
      Map<String, INDArray> x = arch.inferenceInputs(TestModels.nhwc(a), 1, hw[0], hw[1]);
      for (int s : List.of(2, 3, 4)) {
        String name = Architecture.outputName(s);
        INDArray want = general.output(x, name).get(name);
        INDArray got = even.output(x, name).get(name);
        assertThat(got.shape()).isEqualTo(want.shape());
        assertThat(got.sub(want).amaxNumber().doubleValue())
            .as("%dx%d x%d", hw[0], hw[1], s).isLessThan(1e-5);
      }
    }
  }

  /** The NCHW graph (for the layout benchmark) computes what the NHWC one does. */
  @Test
  void nchwGraphEqualsNhwcGraph() {
    SrModel m = trained(TestModels.tiny()).model();
    IgConvPlksr arch = (IgConvPlksr) m.architecture();
    SameDiff nchw = arch.inferenceGraphNchw(m.weights());
    ImageTensor a = TestModels.noise(17, 23, 4);
    INDArray x = Nd4j.create(TestModels.nhwc(a), new long[] {1, 17, 23, 3}, 'c');
    for (int s : List.of(2, 3, 4)) {
      INDArray want = m.run(x, s);
      String name = Architecture.outputName(s);
      INDArray got = nchw.output(arch.inferenceInputsNchw(x.permute(0, 3, 1, 2)), name)
          .get(name).permute(0, 2, 3, 1);
      assertThat(got.shape()).isEqualTo(want.shape());
      assertThat(got.sub(want).amaxNumber().doubleValue()).as("x%d", s).isLessThan(1e-5);
    }
  }

  /**
   * Perturbing one LR pixel changes output cells no farther than radius() away, and the
   * architecture's radius is tight (the farthest change is at the radius).
   */
  @Test
  void measuredReceptiveFieldIsTheRadius() {
    SrModel m = trained(TestModels.tiny()).model();
    int r = m.radius();
    assertThat(r).isEqualTo(1 + (1 + 1 + 5 / 2 + 1) + 1);
    int side = 2 * r + 9;
    ImageTensor a = TestModels.noise(side, side, 9);
    ImageTensor b = a.copy();
    int cy = side / 2;
    int cx = side / 2;
    for (int c = 0; c < 3; c++) {
      b.set(c, cy, cx, 1 - a.get(c, cy, cx));
    }
    for (int s : List.of(2, 3, 4)) {
      INDArray ya = m.run(Nd4j.create(TestModels.nhwc(a), new long[] {1, side, side, 3}, 'c'), s);
      INDArray yb = m.run(Nd4j.create(TestModels.nhwc(b), new long[] {1, side, side, 3}, 'c'), s);
      float[] d = Nd4j.toFlattened('c', ya.sub(yb)).toFloatVector();
      int measured = -1;
      for (int oy = 0; oy < side * s; oy++) {
        for (int ox = 0; ox < side * s; ox++) {
          for (int c = 0; c < 3; c++) {
            if (Math.abs(d[(oy * side * s + ox) * 3 + c]) > 1e-6) {
              measured = Math.max(measured,
                  Math.max(Math.abs(oy / s - cy), Math.abs(ox / s - cx)));
            }
          }
        }
      }
      assertThat(measured).as("x%d", s).isEqualTo(r);
    }
  }

  @Test
  void radiusAndParameterCountFollowTheConfig() {
    IgConvPlksr def = new IgConvPlksr(IgConvPlksrConfig.defaults());
    // head 1 + 4 blocks x (3x3, 3x3, 13/2, attention 3x3) + K_r 3x3
    assertThat(def.radius()).isEqualTo(1 + 4 * (1 + 1 + 6 + 1) + 1);
    long c = 32;
    long c1 = 8;
    long block = 9 * c * 2 * c + 2 * c + 9 * 2 * c * c + c + 169 * c1 * c1 + c1
        + 9 * c * c + c + c * c + c;
    long gen = 9 * c * 8 * 5 + (16 * 64 + 64) + (64 * 64 + 64) + (64 * 3 + 3);
    assertThat(def.parameterCount()).isEqualTo(9 * 3 * c + c + 4 * block + gen);
    SameDiff g = def.trainingGraph(1);
    long n = g.variables().stream()
        .filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE)
        .mapToLong(v -> v.getArr().length()).sum();
    assertThat(n).isEqualTo(def.parameterCount());
  }

  @Test
  void defaultYamlIsTheDefaultConfig() throws Exception {
    Architecture a = repoYaml("conf/model/default.yaml");
    assertThat(a.name()).isEqualTo("igconv-plksr");
    assertThat(a.config()).isEqualTo(IgConvPlksrConfig.defaults());
    assertThat(Architectures.fromSpec(Architectures.toSpec(a)).config()).isEqualTo(a.config());
  }

  /** conf/model/c48.yaml is the default with 48 channels: a widening of it (Architecture#widen). */
  @Test
  void c48YamlIsTheDefaultWithMoreChannels() throws Exception {
    IgConvPlksrConfig d = IgConvPlksrConfig.defaults();
    assertThat(repoYaml("conf/model/c48.yaml").config())
        .isEqualTo(d.withWidth(48, d.splitRatio()));
  }

  /** The architecture a model YAML of the repository describes. */
  private static Architecture repoYaml(String file) throws Exception {
    Path yaml = Path.of(System.getProperty("sparksr.repo.root", "..")).resolve(file);
    try (InputStream in = Files.newInputStream(yaml)) {
      return Architectures.fromYaml(in, yaml.toString());
    }
  }

  @Test
  void badSpecsAreClearErrors() {
    assertThatThrownBy(() -> yaml("arch: igconv-plksr\nchannels: 32\ncolour: red\n"))
        .hasMessageContaining("colour").hasMessageContaining("spec.yaml");
    assertThatThrownBy(() -> yaml("arch: esrgan\n"))
        .hasMessageContaining("'arch' is 'esrgan'").hasMessageContaining("igconv-plksr");
    assertThatThrownBy(() -> yaml("channels: 32\n")).hasMessageContaining("'arch'");
    IgConvPlksrConfig d = IgConvPlksrConfig.defaults();
    assertThatThrownBy(() -> new IgConvPlksr(new IgConvPlksrConfig(32, 4, 12, 0.25, true, 8, 64, 3,
        d.scales(), "bicubic", false))).hasMessageContaining("'kernel-size' is 12");
    assertThatThrownBy(() -> new IgConvPlksr(new IgConvPlksrConfig(32, 4, 13, 0.25, true, 8, 64, 3,
        d.scales(), "lanczos", false))).hasMessageContaining("'skip' is 'lanczos'");
    assertThatThrownBy(() -> new IgConvPlksr(new IgConvPlksrConfig(32, 4, 13, 0.25, true, 8, 64, 3,
        List.of(2, 1), "bicubic", false))).hasMessageContaining("'scales' is [2, 1]");
  }

  private static Architecture yaml(String text) throws Exception {
    return Architectures.fromYaml(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "spec.yaml");
  }
}
