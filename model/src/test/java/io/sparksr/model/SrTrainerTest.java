package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Training, saving, loading and resuming. */
class SrTrainerTest {
  private static final Logger LOG = LoggerFactory.getLogger(SrTrainerTest.class);
  private static final Configuration CONF = new Configuration();

  @TempDir
  Path dir;

  @BeforeAll
  static void backend() {
    NativeBackend.configure();
  }

  private static List<TrainBatch> noiseBatches(int n, long seed) {
    List<TrainBatch> b = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      b.add(TestModels.noiseBatch(2 + i % 3, 2, 8, seed + i));
    }
    return b;
  }

  @Test
  void scheduleWarmsUpThenFollowsACosine() {
    CosineWarmupSchedule s = new CosineWarmupSchedule(1e-3, 1e-5, 10, 110);
    assertThat(s.at(0)).isCloseTo(1e-4, within(1e-12));
    assertThat(s.at(9)).isCloseTo(1e-3, within(1e-12));
    assertThat(s.at(10)).isCloseTo(1e-3, within(1e-12));
    assertThat(s.at(60)).isCloseTo((1e-3 + 1e-5) / 2, within(1e-12));
    assertThat(s.at(110)).isCloseTo(1e-5, within(1e-12));
    assertThat(s.at(500)).isCloseTo(1e-5, within(1e-12));
  }

  @Test
  void fitReportsEveryStepWithTheLossBeforeTheUpdate() {
    SrTrainer t = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(50));
    List<TrainBatch> batches = noiseBatches(4, 1);
    double before = t.loss(batches.get(0));
    List<double[]> steps = new ArrayList<>();
    SrTrainer.FitResult r = t.fit(batches.iterator(),
        (it, scale, loss, fft, lr) -> steps.add(new double[] {it, scale, loss, lr, fft}));
    assertThat(r.steps()).isEqualTo(4);
    assertThat(t.iteration()).isEqualTo(4);
    assertThat(steps).hasSize(4);
    assertThat(steps.get(0)[0]).isEqualTo(0);
    assertThat(steps.get(3)[0]).isEqualTo(3);
    assertThat(steps.get(1)[1]).isEqualTo(3);
    assertThat(steps.get(0)[2]).isCloseTo(before, within(1e-5));
    assertThat(steps.get(0)[3]).isEqualTo(t.options().schedule().at(0));
    assertThat(steps.get(0)[4]).isNaN();
    assertThat(r.meanLoss()).isGreaterThan(0);
  }

  /**
   * A source whose hasNext() answer changes between two calls (a deadline passing, a signal) ends
   * the fit after the steps it promised: none, or the batches before it said no, without an
   * exception (SameDiff's fit fails on zero iterations; next() after a "no" throws).
   */
  @Test
  void aSourceThatChangesItsAnswerBetweenCallsEndsTheFitCleanly() {
    SrTrainer t = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(50));
    List<TrainBatch> batches = noiseBatches(3, 1);
    for (int promised : new int[] {1, 2}) {
      Iterator<TrainBatch> inner = batches.iterator();
      long before = t.iteration();
      // answers "yes" to the first call after each batch, "no" to any further call, and stops
      // answering yes after 'promised' batches
      Iterator<TrainBatch> flaky = new Iterator<>() {
        private int calls;
        private int taken;

        @Override
        public boolean hasNext() {
          return taken < promised && calls++ == taken && inner.hasNext();
        }

        @Override
        public TrainBatch next() {
          if (calls != taken + 1) {
            throw new NoSuchElementException("next() after hasNext() said no");
          }
          taken++;
          return inner.next();
        }
      };
      SrTrainer.FitResult r = t.fit(flaky, null);
      assertThat(r.steps()).isEqualTo(promised);
      assertThat(t.iteration()).isEqualTo(before + promised);
    }
  }

  /**
   * The whole training path learns: a few hundred steps on one image pair per scale beat MATLAB
   * bicubic's PSNR on that pair at x2, x3 and x4.
   */
  @Test
  void overfittingOneImagePairBeatsBicubicAtEveryScale() {
    ImageTensor hr = TestModels.shapes(60, 60);
    SrTrainer t = SrTrainer.create(TestModels.tiny(),
        new TrainOptions(3, 4e-3, 1e-4, 20, 450, 0.9, 0.99, 1e-8, 0));
    List<TrainBatch> batches = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      int s = 2 + i % 3;
      batches.add(TestModels.pair(TestModels.downscale(hr, s), hr, s));
    }
    SrTrainer.FitResult fr = t.fit(batches.iterator());
    LOG.info("overfit: {}", fr);
    SrModel m = t.model();
    for (int s : List.of(2, 3, 4)) {
      ImageTensor lr = TestModels.downscale(hr, s);
      double bicubic = Metrics.psnrY(Resize.imresize(lr, s), hr, s);
      double model = Metrics.psnrY(m.apply(lr, s), hr, s);
      LOG.info("x{}: bicubic {} dB, model {} dB", s, bicubic, model);
      assertThat(model).as("x%d PSNR model vs bicubic %.2f", s, bicubic).isGreaterThan(bicubic);
    }
  }

  @Test
  void saveLoadGivesIdenticalOutputsAndOneFileServesEveryScale() throws Exception {
    SrTrainer t = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(50));
    t.fit(noiseBatches(6, 3).iterator());
    SrModel mem = t.model();
    String path = dir.resolve("m.srm").toUri().toString();
    String sum = t.save(CONF, path, "noise", "test");
    SrModel loaded = SrModel.load(CONF, path);
    assertThat(loaded.checksum()).isEqualTo(sum);
    assertThat(SrModel.load(CONF, path)).isSameAs(loaded);
    assertThat(loaded.metadata().weights()).isEqualTo("ema");
    assertThat(loaded.metadata().training().iteration()).isEqualTo(6);
    assertThat(loaded.metadata().provenance().data()).isEqualTo("noise");
    assertThat(loaded.radius()).isEqualTo(TestModels.tiny().radius());
    assertThat(Files.list(dir).toList()).hasSize(1);
    ImageTensor lr = TestModels.noise(11, 9, 4);
    for (int s : List.of(2, 3, 4)) {
      assertThat(loaded.apply(lr, s)).as("x%d", s).isEqualTo(mem.apply(lr, s));
    }
  }

  /**
   * N steps straight == N/2 steps, save, load, N/2 steps (Adam state, schedule, EMA restored),
   * without and with the FFT-L1 term (its placeholders are fed again after loading).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(doubles = {0, 0.5})
  void resumeContinuesExactly(double fftL1Weight) throws Exception {
    List<TrainBatch> batches = noiseBatches(8, 11);
    TrainOptions o = TrainOptions.defaults(8).withEmaDecay(0.9).withFftL1Weight(fftL1Weight);
    SrTrainer straight = SrTrainer.create(TestModels.tiny(), o);
    straight.fit(batches.iterator());

    SrTrainer first = SrTrainer.create(TestModels.tiny(), o);
    first.fit(batches.subList(0, 4).iterator());
    String path = dir.resolve("half.srm").toString();
    first.save(CONF, path, "noise", "test");
    SrTrainer second = SrTrainer.resume(CONF, path);
    assertThat(second.iteration()).isEqualTo(4);
    assertThat(second.options().fftL1Weight()).isEqualTo(fftL1Weight);
    assertThat(second.learningRate()).isEqualTo(first.learningRate());
    second.fit(batches.subList(4, 8).iterator());
    assertThat(second.iteration()).isEqualTo(8);

    TrainBatch probe = TestModels.noiseBatch(3, 1, 8, 99);
    INDArray a = straight.predict(probe);
    INDArray b = second.predict(probe);
    assertThat(a.sub(b).amaxNumber().doubleValue()).isLessThan(1e-5);
    Map<String, INDArray> wa = straight.instantiate();
    Map<String, INDArray> wb = second.instantiate();
    for (String k : wa.keySet()) {
      assertThat(wa.get(k).sub(wb.get(k)).amaxNumber().doubleValue()).as(k).isLessThan(1e-5);
    }
  }

  /** Adam's first moment ("M") of one parameter, as the optimiser holds it. */
  @SuppressWarnings("unchecked")
  private static INDArray adamFirstMoment(SrTrainer t, String name) {
    return ((Map<String, INDArray>) t.graph().getUpdaterMap().get(name).getState()).get("M");
  }

  /**
   * The FFT-L1 term turned on in a resumed run ({@link SrTrainer#startFftL1}): the loss is the
   * pixel L1 plus w times the term of its definition (a direct DFT), the gradients are those of a
   * graph built with the term from the start at the same weights, Adam's moments go on from the
   * resumed ones (after one step, m = beta1 m_before + (1 - beta1) g, not the (1 - beta1) g of a
   * fresh optimiser), the step count and schedule are kept, a bundle saved afterwards resumes
   * with the term, and a non-zero weight cannot be changed.
   */
  @Test
  void theFftL1TermCanBeTurnedOnInAResumedRun() throws Exception {
    List<TrainBatch> batches = noiseBatches(6, 21);
    TrainOptions o = TrainOptions.defaults(12).withEmaDecay(0.9);
    SrTrainer first = SrTrainer.create(TestModels.tiny(), o);
    first.fit(batches.subList(0, 4).iterator());
    String path = dir.resolve("plain.srm").toString();
    first.save(CONF, path, "noise", "test");
    SrTrainer plain = SrTrainer.resume(CONF, path);
    SrTrainer on = SrTrainer.resume(CONF, path);
    double w = 0.5;
    on.startFftL1(w);
    assertThat(on.options().fftL1Weight()).isEqualTo(w);
    assertThat(on.iteration()).isEqualTo(4);
    assertThat(on.learningRate()).isEqualTo(plain.learningRate());

    TrainBatch probe = batches.get(4);
    float[] sr = on.predict(probe).dup('c').data().asFloat();
    double term = FftL1LossTest.directTerm(sr, probe.hr(), probe.size(), probe.hrHeight(),
        probe.hrWidth());
    assertThat(on.fftL1(probe)).isCloseTo(term, within(1e-5 * term));
    double total = plain.loss(probe) + w * term;
    assertThat(on.loss(probe)).isCloseTo(total, within(1e-5 * total));

    // gradients: those of a graph with the term from the start, at the same weights
    SrTrainer fresh = SrTrainer.create(TestModels.tiny(), o.withFftL1Weight(w));
    for (SDVariable v : on.graph().variables()) {
      if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
        fresh.graph().getVariable(v.name()).getArr().assign(v.getArr());
      }
    }
    Map<String, INDArray> g = on.gradients(probe);
    Map<String, INDArray> gFresh = fresh.gradients(probe);
    Map<String, INDArray> gPlain = plain.gradients(probe);
    double termEffect = 0;
    for (String k : g.keySet()) {
      double scale = gFresh.get(k).amaxNumber().doubleValue() + 1e-12;
      assertThat(g.get(k).sub(gFresh.get(k)).amaxNumber().doubleValue() / scale).as(k)
          .isLessThan(1e-4);
      termEffect = Math.max(termEffect, g.get(k).sub(gPlain.get(k)).amaxNumber().doubleValue()
          / scale);
    }
    assertThat(termEffect).as("the term changes the gradients").isGreaterThan(1e-3);

    // Adam's first moment continues from the resumed one
    String name = g.keySet().iterator().next();
    INDArray mBefore = adamFirstMoment(on, name).dup();
    double beta1 = o.beta1();
    on.fit(List.of(probe).iterator());
    INDArray mAfter = adamFirstMoment(on, name);
    INDArray expected = mBefore.mul(beta1).addi(g.get(name).reshape(mBefore.shape())
        .mul(1 - beta1));
    double mScale = expected.amaxNumber().doubleValue();
    assertThat(mAfter.sub(expected).amaxNumber().doubleValue() / mScale).isLessThan(1e-4);
    assertThat(mBefore.amaxNumber().doubleValue()).as("resumed moments are not zero")
        .isGreaterThan(0.1 * mScale);
    assertThat(on.iteration()).isEqualTo(5);

    String after = dir.resolve("on.srm").toString();
    on.save(CONF, after, "noise", "test");
    SrTrainer again = SrTrainer.resume(CONF, after);
    assertThat(again.options().fftL1Weight()).isEqualTo(w);
    assertThat(again.loss(probe)).isCloseTo(on.loss(probe), within(1e-6));
    assertThatThrownBy(() -> again.startFftL1(0.25)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be changed on resume");
    again.startFftL1(w); // the same weight: nothing to do
  }

  /**
   * Fine-tuning starts at the bundle's inference weights (its EMA) with a fresh schedule: the new
   * run predicts what the bundle's model predicts, at step 0, and then trains.
   */
  @Test
  void fineTuningStartsFromTheBundlesWeightsAtStepZero() throws Exception {
    ModelBundle bundle = tinyBundle(2, 3, 2);
    SrTrainer tuned = SrTrainer.fineTune(bundle, "b", TrainOptions.defaults(50));
    assertThat(tuned.iteration()).isZero();
    Map<String, INDArray> expected = bundle.ema();
    Map<String, INDArray> got = tuned.instantiate();
    Map<String, INDArray> baseWeights = bundle.inferenceWeights();
    for (String k : got.keySet()) {
      assertThat(got.get(k).sub(baseWeights.get(k)).amaxNumber().doubleValue()).as(k)
          .isLessThan(1e-6);
    }
    assertThat(expected).isNotEmpty();
    long before = tuned.iteration();
    tuned.fit(java.util.List.of(TestModels.noiseBatch(2, 2, 8, 4)).iterator());
    assertThat(tuned.iteration()).isEqualTo(before + 1);
  }

  /**
   * Widening (C = 8 -> 12, large-kernel channels 2 -> 3): the wider model predicts what the
   * bundle's model predicts at every scale (same function, by construction), its new channels get
   * gradients and move in training, and anything but a widening is refused with the difference
   * named.
   */
  @Test
  void aWiderModelStartsAsTheBundlesFunctionAndLearnsWithItsNewChannels() throws Exception {
    ModelBundle bundle = tinyBundle(2, 3, 4);
    io.sparksr.model.arch.IgConvPlksrConfig t = TestModels.tinyConfig(false);
    io.sparksr.model.arch.IgConvPlksr wide = new io.sparksr.model.arch.IgConvPlksr(
        t.withWidth(12, t.splitRatio()));
    assertThat(wide.config().splitChannels()).isGreaterThan(t.splitChannels());
    SrTrainer same = SrTrainer.fineTune(bundle, "b", TrainOptions.defaults(50));
    SrTrainer widened = SrTrainer.fineTune(bundle, "b", wide, TrainOptions.defaults(50));
    assertThat(widened.architecture().parameterCount())
        .isGreaterThan(same.architecture().parameterCount());
    for (int s : List.of(2, 3, 4)) {
      TrainBatch b = TestModels.noiseBatch(s, 2, 10, 40 + s);
      INDArray want = same.predict(b);
      assertThat(want.amaxNumber().doubleValue()).isGreaterThan(0.1);
      assertThat(widened.predict(b).sub(want).amaxNumber().doubleValue()).as("x%d", s)
          .isLessThan(1e-5);
    }
    // the new channels learn: gradients reach the K_r weights of the new feature channels (rows
    // of channels 8..11 of gen.amp) and the projections that write those channels
    Map<String, INDArray> g = widened.gradients(TestModels.noiseBatch(2, 2, 10, 7));
    INDArray proj = g.get("enc.b0.proj.w");
    assertThat(proj.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 12)).norm2Number().doubleValue())
        .isGreaterThan(0);
    widened.fit(java.util.List.of(TestModels.noiseBatch(2, 2, 10, 8),
        TestModels.noiseBatch(3, 2, 10, 9)).iterator());
    INDArray head = widened.instantiate().get("enc.head.w");
    assertThat(head.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 12)).amaxNumber().doubleValue())
        .as("the new channels' head weights moved off zero").isGreaterThan(0);
    // not a widening: fewer channels, or another key changed
    io.sparksr.model.arch.IgConvPlksr narrower = new io.sparksr.model.arch.IgConvPlksr(
        t.withWidth(4, 0.5));
    assertThatThrownBy(() -> SrTrainer.fineTune(bundle, "b", narrower, TrainOptions.defaults(5)))
        .hasMessageContaining("can only be widened");
    io.sparksr.model.arch.IgConvPlksr deeper = new io.sparksr.model.arch.IgConvPlksr(
        new io.sparksr.model.arch.IgConvPlksrConfig(12, t.blocks() + 1, t.kernelSize(),
            t.splitRatio(), t.attention(), t.fourierFeatures(), t.mlpDim(), t.mlpLayers(),
            t.scales(), t.skip(), t.ensemble()));
    assertThatThrownBy(() -> SrTrainer.fineTune(bundle, "b", deeper, TrainOptions.defaults(5)))
        .hasMessageContaining("can only be widened").hasMessageContaining("blocks=2");
  }

  /** A bundle of the tiny model after one step at each of {@code scales} (noise batches). */
  private static ModelBundle tinyBundle(int... scales) throws Exception {
    SrTrainer base = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(20));
    List<TrainBatch> batches = new ArrayList<>();
    for (int i = 0; i < scales.length; i++) {
      batches.add(TestModels.noiseBatch(scales[i], 2, 8, i + 1));
    }
    base.fit(batches.iterator());
    return ModelBundle.parse(base.toBundle(Provenance.none(), true).toBytes(), "b");
  }

  @Test
  void truncatedOrForeignFilesAreClearErrors() throws Exception {
    SrTrainer t = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(10));
    byte[] bytes = t.toBundle(Provenance.none(), true).toBytes();
    Path cut = dir.resolve("cut.srm");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3));
    assertThatThrownBy(() -> SrModel.load(CONF, cut.toString()))
        .hasMessageContaining(cut.toString());
    Path foreign = dir.resolve("foreign.srm");
    Files.writeString(foreign, "hello, not a model");
    assertThatThrownBy(() -> SrModel.load(CONF, foreign.toString()))
        .hasMessageContaining(foreign.toString()).hasMessageContaining("not a sparksr model bundle");
    Path flipped = dir.resolve("flipped.srm");
    byte[] f = bytes.clone();
    f[f.length / 2] ^= 1;
    Files.write(flipped, f);
    assertThatThrownBy(() -> SrModel.load(CONF, flipped.toString()))
        .hasMessageContaining(flipped.toString());
    assertThatThrownBy(() -> SrModel.load(CONF, dir.resolve("missing.srm").toString()))
        .hasMessageContaining("missing.srm");
    Path inferenceOnly = dir.resolve("inf.srm");
    t.toBundle(Provenance.none(), false).write(CONF, inferenceOnly.toString());
    assertThatThrownBy(() -> SrTrainer.resume(CONF, inferenceOnly.toString()))
        .hasMessageContaining("inf.srm").hasMessageContaining("cannot resume");
  }
}
