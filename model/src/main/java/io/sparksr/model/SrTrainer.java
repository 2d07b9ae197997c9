package io.sparksr.model;

import io.sparksr.model.arch.Architecture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an {@link Architecture} with SameDiff: L1 loss (plus {@link TrainOptions#fftL1Weight()}
 * times the {@link FftL1Loss} term when that weight is &gt; 0), Adam with a
 * {@link CosineWarmupSchedule}, optional EMA of the weights; saves and resumes through a
 * {@link ModelBundle} (Adam state and iteration included, so N steps straight equal N/2 +
 * save/load + N/2).
 *
 * <p>Use: {@link #create} or {@link #resume}, then {@link #fit} with an iterator of batches (each
 * batch one scale; many steps per call, because every {@code fit} call rebuilds SameDiff's training
 * session), then {@link #save}. Per-step loss comes from the loss op's output (SameDiff M2.1's own
 * loss reporting reads 0). Deterministic on the CPU for the same batches. Not thread-safe: one
 * trainer per thread.
 */
public final class SrTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(SrTrainer.class);

  /** Called after every optimiser step. */
  @FunctionalInterface
  public interface StepListener {
    /**
     * @param iteration    0-based index of the step just taken
     * @param scale        the batch's scale
     * @param loss         the batch's loss before the update (what the step minimised: L1, plus
     *                     the weighted FFT-L1 term when it is on)
     * @param fftL1        the batch's unweighted {@link FftL1Loss} term, NaN when it is off
     * @param learningRate the rate the step used
     */
    void onStep(long iteration, int scale, double loss, double fftL1, double learningRate);
  }

  /** What one {@link #fit} call did. */
  public record FitResult(long steps, double meanLoss, double lastLoss, double seconds) {}

  private final Architecture arch;
  private TrainOptions options;
  private final SameDiff sd;
  private final Map<String, INDArray> ema;
  private long emaUpdates;
  private double wallSeconds;
  private final Map<Integer, INDArray[]> scaleInputs = new HashMap<>();
  private final Map<Long, INDArray[]> dftMatrices = new HashMap<>();

  /** The total loss variable (L1 + w * FFT-L1) of a graph with the FFT-L1 term. */
  static final String TOTAL_LOSS = "loss_total";

  private SrTrainer(Architecture arch, TrainOptions options, SameDiff sd, Map<String, INDArray> ema,
      long emaUpdates, double wallSeconds) {
    this.arch = arch;
    this.options = options;
    this.sd = sd;
    this.ema = ema;
    this.emaUpdates = emaUpdates;
    this.wallSeconds = wallSeconds;
  }

  /** A fresh model, parameters initialised from {@code options.seed()}. */
  public static SrTrainer create(Architecture arch, TrainOptions options) {
    NativeBackend.configure();
    options.validate();
    SameDiff sd = lossGraph(arch, options);
    sd.setTrainingConfig(trainingConfig(arch, options));
    Map<String, INDArray> ema = null;
    if (options.emaDecay() > 0) {
      ema = new LinkedHashMap<>();
      for (SDVariable v : sd.variables()) {
        if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
          ema.put(v.name(), v.getArr().dup());
        }
      }
    }
    LOG.info("new {} model: {} parameters, radius {}, scales {}; {}", arch.name(),
        arch.parameterCount(), arch.radius(), arch.scales(), options);
    return new SrTrainer(arch, options, sd, ema, 0, 0);
  }

  /**
   * A new run that starts from a bundle's weights (fine-tuning): the bundle's architecture and its
   * inference weights (the EMA when it has one, else its training graph's), fresh Adam state,
   * step 0 and {@code options}' schedule. The EMA starts at those weights.
   */
  public static SrTrainer fineTune(ModelBundle bundle, String source, TrainOptions options)
      throws IOException {
    return fineTune(bundle, source, null, options);
  }

  /**
   * {@link #fineTune(ModelBundle, String, TrainOptions)} into {@code target}, a wider version of
   * the bundle's architecture ({@link Architecture#widen}: the same function at step 0, more
   * channels to learn with); null or the bundle's own configuration: the bundle's architecture.
   */
  public static SrTrainer fineTune(ModelBundle bundle, String source, Architecture target,
      TrainOptions options) throws IOException {
    NativeBackend.configure();
    options.validate();
    Architecture arch = bundle.architecture();
    Map<String, INDArray> init = bundle.ema();
    if (init == null) {
      if (!bundle.resumable()) {
        throw new IOException("model bundle " + source + " has neither EMA weights nor a "
            + "training graph: no weights to fine-tune from");
      }
      SameDiff old;
      try {
        old = SameDiff.load(new ByteArrayInputStream(bundle.trainingGraph()), false);
      } catch (RuntimeException e) {
        throw new IOException("model bundle " + source + ": cannot load the training graph: "
            + e.getMessage(), e);
      }
      init = new LinkedHashMap<>();
      for (SDVariable v : old.variables()) {
        if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
          init.put(v.name(), v.getArr());
        }
      }
    }
    if (target != null && !target.config().equals(arch.config())) {
      init = target.widen(arch, init, options.seed());
      LOG.info("widened the {} weights of {} ({} parameters) to {} ({} parameters)", arch.name(),
          source, arch.parameterCount(), target.config(), target.parameterCount());
      arch = target;
    }
    SameDiff sd = lossGraph(arch, options);
    Map<String, INDArray> ema = options.emaDecay() > 0 ? new LinkedHashMap<>() : null;
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() != org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
        continue;
      }
      INDArray w = init.get(v.name());
      if (w == null || !java.util.Arrays.equals(w.shape(), v.getArr().shape())) {
        throw new IOException("model bundle " + source + " has no weights of shape "
            + java.util.Arrays.toString(v.getArr().shape()) + " for variable '" + v.name()
            + "' of its own architecture: cannot fine-tune from it");
      }
      v.getArr().assign(w);
      if (ema != null) {
        ema.put(v.name(), v.getArr().dup());
      }
    }
    sd.setTrainingConfig(trainingConfig(arch, options));
    LOG.info("fine-tuning {} model from {}: {} parameters; {}", arch.name(), source,
        arch.parameterCount(), options);
    return new SrTrainer(arch, options, sd, ema, 0, 0);
  }

  /** Continues training from a bundle written by {@link #save} (any Hadoop file system). */
  public static SrTrainer resume(Configuration conf, String path) throws IOException {
    NativeBackend.configure();
    return resume(ModelBundle.read(conf, path), path);
  }

  /** Continues training from a parsed bundle. */
  public static SrTrainer resume(ModelBundle bundle, String source) throws IOException {
    NativeBackend.configure();
    if (!bundle.resumable()) {
      throw new IOException("model bundle " + source
          + " holds no training state (inference-only bundle): cannot resume");
    }
    BundleMetadata.Training t = bundle.metadata().training();
    if (t == null) {
      throw new IOException("model bundle " + source + " has no 'training' section");
    }
    Architecture arch = bundle.architecture();
    SameDiff sd;
    try {
      sd = SameDiff.load(new ByteArrayInputStream(bundle.trainingGraph()), true);
    } catch (RuntimeException e) {
      throw new IOException("model bundle " + source + ": cannot load the training graph: "
          + e.getMessage(), e);
    }
    Map<String, INDArray> ema = bundle.ema() == null ? null : new LinkedHashMap<>(bundle.ema());
    double wall = bundle.metadata().provenance() == null ? 0
        : bundle.metadata().provenance().wallTimeSeconds();
    SrTrainer tr = new SrTrainer(arch, t.options(), sd, ema, t.emaUpdates(), wall);
    if (tr.iteration() != t.iteration()) {
      throw new IOException("model bundle " + source + ": training graph is at iteration "
          + tr.iteration() + " but metadata says " + t.iteration());
    }
    LOG.info("resumed {} model from {} at iteration {}", arch.name(), source, t.iteration());
    return tr;
  }

  /**
   * The architecture's training graph; with an FFT-L1 weight w &gt; 0, plus the {@link FftL1Loss}
   * term on its output and label and the loss variable {@value #TOTAL_LOSS} = {@value
   * Architecture#LOSS} + w * term. With w = 0 the graph is the architecture's, unchanged.
   */
  static SameDiff lossGraph(Architecture arch, TrainOptions options) {
    SameDiff sd = arch.trainingGraph(options.seed());
    double w = options.fftL1Weight();
    if (w > 0) {
      SDVariable term = FftL1Loss.attach(sd, sd.getVariable(Architecture.SR),
          sd.getVariable(Architecture.HR));
      sd.getVariable(Architecture.LOSS).add(TOTAL_LOSS, term.mul(w));
      sd.setLossVariables(TOTAL_LOSS);
    }
    return sd;
  }

  private static boolean fftOn(TrainOptions o) {
    return o.fftL1Weight() > 0;
  }

  private static TrainingConfig trainingConfig(Architecture arch, TrainOptions o) {
    Adam adam = Adam.builder().learningRateSchedule(o.schedule()).beta1(o.beta1())
        .beta2(o.beta2()).epsilon(o.epsilon()).build();
    List<String> features = new ArrayList<>();
    features.add(Architecture.LR);
    features.addAll(arch.scaleInputNames());
    if (fftOn(o)) {
      features.addAll(FftL1Loss.PLACEHOLDERS);
    }
    return TrainingConfig.builder().updater(adam).dataSetFeatureMapping(features)
        .dataSetLabelMapping(Architecture.HR).build();
  }

  public Architecture architecture() {
    return arch;
  }

  public TrainOptions options() {
    return options;
  }

  /** Optimiser steps taken so far (the index of the next step). */
  public long iteration() {
    return sd.getTrainingConfig().getIterationCount();
  }

  /** The learning rate of the next step. */
  public double learningRate() {
    return options.schedule().at(iteration());
  }

  /** Total training wall time so far, across resumes. */
  public double wallSeconds() {
    return wallSeconds;
  }

  /**
   * Turns the FFT-L1 term on with weight {@code w} from the next step of a run trained so far
   * without it (a resumed run): the term and the total loss are added to the training graph; they
   * hold no parameters, so the optimiser state, the schedule and the step count go on unchanged
   * (and the gradient graph, built at the next step, includes the term). A bundle saved afterwards
   * resumes with the term. Only from a graph without the term: the weight of a graph with it is a
   * constant of that graph.
   *
   * @throws IllegalArgumentException if the term is already on with another weight, or {@code w}
   *     is not finite and &gt; 0
   */
  public void startFftL1(double w) {
    if (w == options.fftL1Weight()) {
      return;
    }
    if (fftOn(options)) {
      throw new IllegalArgumentException("'fft-l1-weight' is " + w + " but this run trains with "
          + options.fftL1Weight() + " since before step " + iteration() + ": a non-zero weight "
          + "cannot be changed on resume (start a new run from the bundle with --init)");
    }
    TrainOptions next = options.withFftL1Weight(w).validate();
    if (!fftOn(next)) {
      return;
    }
    SDVariable term = FftL1Loss.attach(sd, sd.getVariable(Architecture.SR),
        sd.getVariable(Architecture.HR));
    sd.getVariable(Architecture.LOSS).add(TOTAL_LOSS, term.mul(w));
    sd.setLossVariables(TOTAL_LOSS);
    List<String> features = new ArrayList<>(sd.getTrainingConfig().getDataSetFeatureMapping());
    features.addAll(FftL1Loss.PLACEHOLDERS);
    sd.getTrainingConfig().setDataSetFeatureMapping(features);
    options = next;
    LOG.info("FFT-L1 term on from step {} with weight {}", iteration(), w);
  }

  /** The training graph (for tests and diagnostics; do not modify). */
  SameDiff graph() {
    return sd;
  }

  /**
   * Takes one optimiser step per batch until {@code batches} is exhausted.
   *
   * @param listener called after each step, or null
   */
  public FitResult fit(Iterator<TrainBatch> source, StepListener listener) {
    // an answer of hasNext() holds until next(): a source that ends on a clock or a signal must
    // not say "more" to the check here and "no more" to SameDiff's (it fails on an empty fit) or
    // to next() (NoSuchElementException in the middle of a fit)
    Iterator<TrainBatch> batches = new Latched<>(source);
    if (!batches.hasNext()) {
      return new FitResult(0, Double.NaN, Double.NaN, 0);
    }
    for (int s : arch.scales()) {
      inputs(s);
    }
    long t0 = System.nanoTime();
    BatchIterator it = new BatchIterator(batches);
    StepRecorder rec = new StepRecorder(listener);
    sd.fit(it, 1, rec);
    double secs = (System.nanoTime() - t0) / 1e9;
    wallSeconds += secs;
    return new FitResult(rec.steps, rec.steps == 0 ? Double.NaN : rec.sum / rec.steps, rec.last,
        secs);
  }

  /** Sets the total training wall time so far (a job's own clock, across resumes). */
  public void wallSeconds(double total) {
    wallSeconds = total;
  }

  /** An iterator whose hasNext() answer is asked of its source once per element. */
  static final class Latched<T> implements Iterator<T> {
    private final Iterator<T> in;
    private Boolean more;

    Latched(Iterator<T> in) {
      this.in = in;
    }

    @Override
    public boolean hasNext() {
      if (more == null) {
        more = in.hasNext();
      }
      return more;
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      more = null;
      return in.next();
    }
  }

  /** {@link #fit(Iterator, StepListener)} without a listener. */
  public FitResult fit(Iterator<TrainBatch> batches) {
    return fit(batches, null);
  }

  /**
   * The loss of the current (raw) weights on {@code batch}, no update: L1, plus the weighted
   * FFT-L1 term when it is on.
   */
  public double loss(TrainBatch batch) {
    String name = fftOn(options) ? TOTAL_LOSS : Architecture.LOSS;
    return sd.output(placeholders(batch, true), name).get(name).getDouble(0);
  }

  /** The unweighted {@link FftL1Loss} term on {@code batch}; NaN when the term is off. */
  public double fftL1(TrainBatch batch) {
    if (!fftOn(options)) {
      return Double.NaN;
    }
    return sd.output(placeholders(batch, true), FftL1Loss.TERM).get(FftL1Loss.TERM).getDouble(0);
  }

  /** The training graph's output for {@code batch} (raw weights), NHWC. */
  public INDArray predict(TrainBatch batch) {
    return sd.output(placeholders(batch, false), Architecture.SR).get(Architecture.SR);
  }

  /** Gradients of the loss on {@code batch} for every trainable parameter, by name. */
  public Map<String, INDArray> gradients(TrainBatch batch) {
    List<String> names = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
        names.add(v.name());
      }
    }
    return sd.calculateGradients(placeholders(batch, true), names);
  }

  private Map<String, INDArray> placeholders(TrainBatch b, boolean withLabels) {
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(Architecture.LR, lrArray(b));
    INDArray[] in = inputs(b.scale());
    List<String> names = arch.scaleInputNames();
    for (int i = 0; i < names.size(); i++) {
      ph.put(names.get(i), in[i]);
    }
    if (withLabels) {
      ph.put(Architecture.HR, hrArray(b));
      if (fftOn(options)) {
        INDArray[] m = dft(b);
        for (int i = 0; i < m.length; i++) {
          ph.put(FftL1Loss.PLACEHOLDERS.get(i), m[i]);
        }
      }
    }
    return ph;
  }

  /** The DFT matrices of the batch's HR patch size (cached per size). */
  private INDArray[] dft(TrainBatch b) {
    long key = ((long) b.hrHeight() << 32) | b.hrWidth();
    return dftMatrices.computeIfAbsent(key, k -> FftL1Loss.matrices(b.hrHeight(), b.hrWidth()));
  }

  private INDArray[] inputs(int scale) {
    if (!arch.scales().contains(scale)) {
      throw new IllegalArgumentException("batch scale is " + scale + " but the model serves "
          + arch.scales());
    }
    return scaleInputs.computeIfAbsent(scale, arch::scaleInputs);
  }

  private static INDArray lrArray(TrainBatch b) {
    return Nd4j.create(b.lr(), new long[] {b.size(), b.lrHeight(), b.lrWidth(), 3}, 'c');
  }

  private static INDArray hrArray(TrainBatch b) {
    return Nd4j.create(b.hr(), new long[] {b.size(), b.hrHeight(), b.hrWidth(), 3}, 'c');
  }

  // ------------------------------------------------------------------ instantiation and saving

  /**
   * The inference weights of the current state (from the EMA weights when EMA is on), for every
   * served scale.
   */
  public Map<String, INDArray> instantiate() {
    if (ema == null || emaUpdates == 0) {
      return arch.instantiate(sd);
    }
    Map<String, INDArray> backup = new HashMap<>();
    for (Map.Entry<String, INDArray> e : ema.entrySet()) {
      INDArray p = sd.getVariable(e.getKey()).getArr();
      backup.put(e.getKey(), p.dup());
      p.assign(e.getValue());
    }
    try {
      return arch.instantiate(sd);
    } finally {
      backup.forEach((name, v) -> sd.getVariable(name).getArr().assign(v));
    }
  }

  /** An inference model of the current state (not cached). */
  public SrModel model() {
    return SrModel.fromBundle(toBundle(Provenance.none(), false), "trainer@" + iteration());
  }

  /**
   * The bundle of the current state.
   *
   * @param withTrainingState include the training graph with Adam state and the EMA (resumable)
   */
  public ModelBundle toBundle(Provenance provenance, boolean withTrainingState) {
    byte[] graph = null;
    if (withTrainingState) {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      sd.save(bos, true);
      graph = bos.toByteArray();
    }
    BundleMetadata meta = new BundleMetadata(ModelBundle.FORMAT, ModelBundle.FORMAT_VERSION,
        io.sparksr.model.arch.Architectures.toSpec(arch), arch.scales(), arch.radius(),
        arch.defaultBorder().name(), "NHWC", "RGB", ModelBundle.unitRange(),
        arch.parameterCount(), ema != null && emaUpdates > 0 ? "ema" : "raw",
        Instant.now().toString(),
        new BundleMetadata.Training(iteration(), options, emaUpdates), provenance, null);
    return ModelBundle.of(meta, instantiate(), graph,
        withTrainingState && ema != null ? ema : null);
  }

  /**
   * Saves a resumable bundle atomically to {@code path} (any Hadoop file system).
   *
   * @param data        the training data, for the provenance
   * @param codeVersion the code version, for the provenance
   * @return the bundle's checksum
   */
  public String save(Configuration conf, String path, String data, String codeVersion)
      throws IOException {
    Provenance p = new Provenance(data, iteration(), wallSeconds, codeVersion,
        "OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ", "
            + Runtime.getRuntime().availableProcessors() + " cores");
    String sum = toBundle(p, true).write(conf, path);
    LOG.info("saved model bundle {} at iteration {} (sha256 {})", path, iteration(), sum);
    return sum;
  }

  // ------------------------------------------------------------------ fit plumbing

  private void updateEma() {
    if (ema == null) {
      return;
    }
    emaUpdates++;
    // the usual bias-reducing warm-up of the decay
    double d = Math.min(options.emaDecay(), (1.0 + emaUpdates) / (10.0 + emaUpdates));
    for (Map.Entry<String, INDArray> e : ema.entrySet()) {
      INDArray p = sd.getVariable(e.getKey()).getArr();
      e.getValue().muli(d).addi(p.mul(1 - d));
    }
  }

  /** Records the loss op's output and reports each step. */
  private final class StepRecorder extends BaseListener {
    private final StepListener listener;
    private double current = Double.NaN;
    private double currentFft = Double.NaN;
    long steps;
    double sum;
    double last = Double.NaN;

    StepRecorder(StepListener listener) {
      this.listener = listener;
    }

    @Override
    public boolean isActive(Operation operation) {
      return operation == Operation.TRAINING;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op,
        OpContext opContext, INDArray[] outputs) {
      List<String> names = op.getOutputsOfOp();
      if (names != null) {
        int i = names.indexOf(Architecture.LOSS_MAP);
        if (i >= 0) {
          current = outputs[i].meanNumber().doubleValue();
        }
        int j = names.indexOf(FftL1Loss.MAP);
        if (j >= 0) {
          currentFft = outputs[j].meanNumber().doubleValue();
        }
      }
    }

    @Override
    public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
      long step = at.iteration();
      updateEma();
      double fft = fftOn(options) ? currentFft : Double.NaN;
      double total = fftOn(options) ? current + options.fftL1Weight() * currentFft : current;
      steps++;
      sum += total;
      last = total;
      if (listener != null) {
        int scale = (int) (dataSet.getLabels(0).size(1) / dataSet.getFeatures(0).size(1));
        listener.onStep(step, scale, total, fft, options.schedule().at(step));
      }
      current = Double.NaN;
      currentFft = Double.NaN;
    }
  }

  /** Adapts batches to SameDiff's iterator: features [lr, scale inputs...], labels [hr]. */
  private final class BatchIterator implements MultiDataSetIterator {
    private static final long serialVersionUID = 1L;
    private final transient Iterator<TrainBatch> batches;

    BatchIterator(Iterator<TrainBatch> batches) {
      this.batches = batches;
    }

    @Override
    public boolean hasNext() {
      return batches.hasNext();
    }

    @Override
    public MultiDataSet next() {
      if (!batches.hasNext()) {
        throw new NoSuchElementException();
      }
      TrainBatch b = batches.next();
      INDArray[] in = inputs(b.scale());
      INDArray[] m = fftOn(options) ? dft(b) : new INDArray[0];
      INDArray[] features = new INDArray[1 + in.length + m.length];
      features[0] = lrArray(b);
      System.arraycopy(in, 0, features, 1, in.length);
      System.arraycopy(m, 0, features, 1 + in.length, m.length);
      return new org.nd4j.linalg.dataset.MultiDataSet(features, new INDArray[] {hrArray(b)});
    }

    @Override
    public MultiDataSet next(int num) {
      return next();
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
      throw new UnsupportedOperationException("no pre-processor");
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
      return null;
    }

    @Override
    public boolean resetSupported() {
      return false;
    }

    @Override
    public boolean asyncSupported() {
      return false;
    }

    @Override
    public void reset() {
      throw new UnsupportedOperationException("a batch stream cannot be reset");
    }
  }
}
