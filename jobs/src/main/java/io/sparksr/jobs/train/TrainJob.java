package io.sparksr.jobs.train;

import io.sparksr.model.ModelRegistry;
import io.sparksr.io.HadoopFiles;
import io.sparksr.model.BatchSampler;
import io.sparksr.model.Provenance;
import io.sparksr.model.SrTrainer;
import io.sparksr.model.TrainBatch;
import io.sparksr.model.TrainOptions;
import io.sparksr.model.arch.Architecture;
import io.sparksr.model.arch.Architectures;
import io.sparksr.partitioning.metrics.MetricAccumulator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the multi-scale model. Spark reads the prepare dataset into memory; the optimiser runs in
 * this JVM. Batches are a pure function of (seed, step) (one scale per batch), built ahead on a
 * background thread; the trainer takes many steps per fit call; every few minutes the bundle
 * (weights, Adam state, step) is saved atomically, so --resume continues the same trajectory.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private TrainJob() {}

  public static TrainJobResult run(SparkSession spark, TrainJobConfig cfg) throws IOException {
    long t0 = System.nanoTime();
    LOG.info("train config: {}", cfg);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String output = HadoopFiles.qualify(conf, cfg.output());
    SrTrainer trainer = trainer(conf, cfg, output);
    Architecture arch = trainer.architecture();
    if (cfg.maxSteps() > trainer.options().totalSteps()) {
      throw new IllegalArgumentException("'max-steps' is " + cfg.maxSteps() + " but must be <= "
          + "the schedule's total steps (" + trainer.options().totalSteps() + ")");
    }
    for (int s : cfg.scales()) {
      if (!arch.scales().contains(s)) {
        throw new IllegalArgumentException(
            "'scales' has " + s + " but the model serves " + arch.scales());
      }
    }
    List<BatchSampler.Pool> pools = TrainData.load(spark, cfg.data(), cfg.scales());
    // the run's seed (a resumed run's is its bundle's: the batches go on where they were)
    BatchSampler sampler = new BatchSampler(pools, cfg.batchSize(), cfg.crop(),
        trainer.options().seed(), true);
    Validation val = cfg.val() == null ? null : Validation.load(conf, cfg.val(), cfg.scales());
    TrainingCurve curve = new TrainingCurve(conf, output + ".curve.csv", output + ".curve.png");
    long start = trainer.iteration();
    if (cfg.resume()) {
      curve.resume(start);
    }
    long stop = cfg.maxSteps() > 0 ? cfg.maxSteps() : trainer.options().totalSteps();
    long deadline = cfg.maxMinutes() > 0 ? t0 + (long) (cfg.maxMinutes() * 60e9) : Long.MAX_VALUE;
    long checkpointEvery = (long) Math.min(cfg.checkpointMinutes() * 60e9, Long.MAX_VALUE / 4);
    LOG.info("training {} ({} parameters) from step {} to {}, {} per batch of {}x{} LR crops",
        arch.name(), arch.parameterCount(), start, stop, cfg.batchSize(), cfg.crop(), cfg.crop());

    // one clock across resumes: the curve's minutes go on from its last row
    double before = Math.max(trainer.wallSeconds(), curve.lastMinutes() * 60);
    StepLog stepLog = new StepLog(cfg, curve, t0 - (long) (before * 1e9), arch, stop);
    Map<Integer, Double> lastVal = new TreeMap<>();
    // a resumed run's best validation so far is in its curve (else the first one replaces it)
    double best = curve.bestValidation();
    String reason = "reached step " + stop;
    long lastSave = System.nanoTime();
    if (val != null && start > 0 && (start % cfg.valEvery() == 0 || start >= stop)
        && !curve.validatedAt(start)) {
      // the checkpoint was saved at a validation step before validating (a signal): do it now
      lastVal = validate(trainer, val, curve, stepLog);
      best = keepBest(conf, trainer, cfg, output, lastVal, best);
    }
    try (GracefulStop signal = GracefulStop.install()) {
      while (trainer.iteration() < stop) {
        long from = trainer.iteration();
        long nextVal = val == null ? stop
            : Math.min(stop, (from / cfg.valEvery() + 1) * cfg.valEvery());
        long chunkDeadline = Math.min(deadline, lastSave + checkpointEvery);
        try (Prefetcher pre = new Prefetcher(sampler::batch, from, nextVal, 4)) {
          trainer.fit(new Until(pre, chunkDeadline, signal), stepLog);
        }
        long now = System.nanoTime();
        boolean timeUp = now >= deadline;
        if (signal.requested()) {
          trainer.wallSeconds(stepLog.minutes() * 60);
          save(conf, trainer, cfg, output, curve);
          reason = "stopped by a signal at step " + trainer.iteration() + " (checkpoint saved)";
          break;
        }
        if (val != null && (trainer.iteration() == nextVal || trainer.iteration() >= stop)) {
          lastVal = validate(trainer, val, curve, stepLog);
          best = keepBest(conf, trainer, cfg, output, lastVal, best);
        }
        if (now - lastSave >= checkpointEvery || timeUp || trainer.iteration() >= stop) {
          trainer.wallSeconds(stepLog.minutes() * 60);
          save(conf, trainer, cfg, output, curve);
          lastSave = System.nanoTime();
        }
        stepLog.outside(System.nanoTime() - now); // validation and saving are not step time
        if (timeUp) {
          reason = "--max-minutes " + cfg.maxMinutes();
          break;
        }
      }
    }
    if (trainer.iteration() > start && System.nanoTime() - lastSave > 0
        && !HadoopFiles.exists(conf, output)) {
      trainer.wallSeconds(stepLog.minutes() * 60);
      save(conf, trainer, cfg, output, curve);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    TrainJobResult r = new TrainJobResult(output, start, trainer.iteration(), secs,
        stepLog.patchesPerSecond(), stepLog.gflops(), lastVal, reason,
        trainer.options().fftL1Weight());
    LOG.info(r.summary());
    return r;
  }

  private static SrTrainer trainer(Configuration conf, TrainJobConfig cfg, String output)
      throws IOException {
    if (cfg.resume()) {
      if (!HadoopFiles.exists(conf, output)) {
        throw new IllegalArgumentException("'resume' is set but " + output + " does not exist");
      }
      SrTrainer t = SrTrainer.resume(conf, output);
      List<String> kept = resumeIgnores(t.options(), cfg);
      Architecture asked = modelConfig(cfg);
      if (asked != null && !(asked.name().equals(t.architecture().name())
          && asked.config().equals(t.architecture().config()))) {
        kept.add("its architecture, not --model-config " + cfg.modelConfig());
      }
      if (!kept.isEmpty()) {
        LOG.warn("resuming {} on its own trajectory: {} (a new run from its weights takes new "
            + "values: --init {} without --resume)", output, String.join("; ", kept), output);
      }
      if (t.options().fftL1Weight() != cfg.fftL1Weight()) {
        if (cfg.fftL1Weight() == 0) { // the option's default: keep the run's term
          LOG.info("resuming with the bundle's FFT-L1 weight {}", t.options().fftL1Weight());
        } else { // a run without the term turns it on from the next step (else: an error)
          t.startFftL1(cfg.fftL1Weight());
        }
      }
      return t;
    }
    if (HadoopFiles.exists(conf, output)) {
      throw new IllegalArgumentException("'output' " + output
          + " exists: pass --resume to continue it, or choose another output");
    }
    TrainOptions options = new TrainOptions(cfg.seed(), cfg.lr(), cfg.minLr(),
        (int) Math.max(1, cfg.warmupSteps()), (int) cfg.totalSteps(), 0.9, 0.99, 1e-8,
        cfg.emaDecay(), cfg.fftL1Weight());
    Architecture arch = modelConfig(cfg);
    if (cfg.init() != null && !cfg.init().isBlank()) {
      // with a model config too: the init bundle's model widened to it (same output at step 0)
      return SrTrainer.fineTune(ModelRegistry.bundle(cfg.init(), conf), cfg.init(), arch,
          options);
    }
    return SrTrainer.create(arch != null ? arch
        : Architectures.create(Architectures.defaultName(), null), options);
  }

  /** The architecture of --model-config, or null when unset. */
  private static Architecture modelConfig(TrainJobConfig cfg) throws IOException {
    if (cfg.modelConfig() == null) {
      return null;
    }
    try (InputStream in = Files.newInputStream(Path.of(cfg.modelConfig()))) {
      return Architectures.fromYaml(in, cfg.modelConfig());
    }
  }

  /** Writes {@code .best.srm} when the mean of {@code psnr} beats {@code best}; the new best. */
  private static double keepBest(Configuration conf, SrTrainer trainer, TrainJobConfig cfg,
      String output, Map<Integer, Double> psnr, double best) throws IOException {
    double mean = psnr.values().stream().mapToDouble(Double::doubleValue).average()
        .orElse(Double.NaN);
    if (!(mean > best)) {
      return best;
    }
    String path = output + ".best.srm";
    trainer.toBundle(provenance(trainer, cfg), false).write(conf, path);
    LOG.info("new best validation (mean {} dB over scales): {}",
        String.format(Locale.ROOT, "%.3f", mean), path);
    return mean;
  }

  /**
   * What a resume does not take from {@code cfg} because the bundle fixes it (its schedule, seed,
   * EMA, architecture), one phrase per option that differs.
   */
  static List<String> resumeIgnores(TrainOptions o, TrainJobConfig cfg) {
    List<String> kept = new java.util.ArrayList<>();
    if (o.seed() != cfg.seed()) {
      kept.add("seed " + o.seed() + ", not --seed " + cfg.seed());
    }
    if (o.learningRate() != cfg.lr()) {
      kept.add("lr " + o.learningRate() + ", not --lr " + cfg.lr());
    }
    if (o.minLearningRate() != cfg.minLr()) {
      kept.add("min-lr " + o.minLearningRate() + ", not --min-lr " + cfg.minLr());
    }
    if (o.warmupSteps() != Math.max(1, cfg.warmupSteps())) {
      kept.add("warmup-steps " + o.warmupSteps() + ", not --warmup-steps " + cfg.warmupSteps());
    }
    if (o.totalSteps() != cfg.totalSteps()) {
      kept.add("total-steps " + o.totalSteps() + ", not --total-steps " + cfg.totalSteps());
    }
    if (o.emaDecay() != cfg.emaDecay()) {
      kept.add("ema-decay " + o.emaDecay() + ", not --ema-decay " + cfg.emaDecay());
    }
    if (cfg.init() != null && !cfg.init().isBlank()) {
      kept.add("its weights, not --init " + cfg.init());
    }
    return kept;
  }

  private static Map<Integer, Double> validate(SrTrainer trainer, Validation val,
      TrainingCurve curve, StepLog stepLog) {
    long t = System.nanoTime();
    Map<Integer, MetricAccumulator.Result> r = val.evaluate(trainer.model());
    Map<Integer, Double> psnr = new TreeMap<>();
    r.forEach((s, m) -> psnr.put(s, m.psnr()));
    LOG.info("validation at step {}: {} ({} images, {} s)", trainer.iteration(),
        format(r), val.size(), String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t) / 1e9));
    curve.add(new TrainingCurve.Point(trainer.iteration(), stepLog.minutes(), Double.NaN,
        trainer.learningRate(), Double.NaN, psnr.getOrDefault(2, Double.NaN),
        psnr.getOrDefault(3, Double.NaN), psnr.getOrDefault(4, Double.NaN), Double.NaN));
    return psnr;
  }

  private static String format(Map<Integer, MetricAccumulator.Result> r) {
    StringBuilder sb = new StringBuilder();
    r.forEach((s, m) -> sb.append(String.format(Locale.ROOT, "x%d %.3f dB / %.4f  ", s, m.psnr(),
        m.ssim())));
    return sb.toString().trim();
  }

  private static void save(Configuration conf, SrTrainer trainer, TrainJobConfig cfg,
      String output, TrainingCurve curve) throws IOException {
    trainer.save(conf, output, cfg.data(), codeVersion());
    curve.write();
  }

  private static String codeVersion() {
    return System.getenv().getOrDefault("SPARKSR_GIT_COMMIT", "0.1.0-SNAPSHOT");
  }

  private static Provenance provenance(SrTrainer trainer, TrainJobConfig cfg) {
    return new Provenance(cfg.data(), trainer.iteration(), trainer.wallSeconds(), codeVersion(),
        "best Set5 validation so far (inference-only)");
  }

  /**
   * Ends an iterator at a wall-clock deadline (after one step at least, so a chunk always makes
   * progress) or when the JVM is asked to stop (the batches are a function of the step).
   */
  private static final class Until implements Iterator<TrainBatch> {
    private final Iterator<TrainBatch> in;
    private final long deadline;
    private final GracefulStop stop;
    private boolean started;

    Until(Iterator<TrainBatch> in, long deadline, GracefulStop stop) {
      this.in = in;
      this.deadline = deadline;
      this.stop = stop;
    }

    @Override
    public boolean hasNext() {
      return (!started || System.nanoTime() < deadline) && !stop.requested() && in.hasNext();
    }

    @Override
    public TrainBatch next() {
      started = true;
      return in.next();
    }
  }

  /**
   * Logs every log-every steps (mean loss and, with the FFT-L1 term, its unweighted mean; rate,
   * throughput, ETA) and records the curve.
   */
  private static final class StepLog implements SrTrainer.StepListener {
    private final TrainJobConfig cfg;
    private final TrainingCurve curve;
    private final long origin;
    private final Architecture arch;
    private double lossSum;
    private double fftSum;
    private int n;
    private long windowStart = System.nanoTime();
    private long windowPatches;
    private double windowFlops;
    private double rate;
    private double gflops;

    private final long stop;

    StepLog(TrainJobConfig cfg, TrainingCurve curve, long origin, Architecture arch, long stop) {
      this.cfg = cfg;
      this.curve = curve;
      this.origin = origin;
      this.arch = arch;
      this.stop = stop;
    }

    /** Leaves {@code nanos} spent outside the steps (validation, a save) out of the rates. */
    void outside(long nanos) {
      windowStart += nanos;
    }

    double minutes() {
      return (System.nanoTime() - origin) / 60e9;
    }

    double patchesPerSecond() {
      return rate;
    }

    double gflops() {
      return gflops;
    }

    @Override
    public void onStep(long iteration, int scale, double loss, double fftL1,
        double learningRate) {
      lossSum += loss;
      fftSum += fftL1;
      n++;
      windowPatches += cfg.batchSize();
      // forward + backward ~ 3x the forward FLOPs, per HR output pixel
      double hrPixels = (double) cfg.batchSize() * cfg.crop() * cfg.crop() * scale * scale;
      windowFlops += 3 * arch.flopsPerOutputPixel(scale) * hrPixels;
      long step = iteration + 1;
      if (step % cfg.logEvery() == 0) {
        double secs = (System.nanoTime() - windowStart) / 1e9;
        rate = windowPatches / secs;
        gflops = windowFlops / secs / 1e9;
        double eta = (stop - step) * (secs / n) / 60;
        String fft = Double.isNaN(fftSum) ? ""
            : String.format(Locale.ROOT, " (FFT-L1 %.5f)", fftSum / n);
        LOG.info(String.format(Locale.ROOT, "step %d  loss %.5f%s  lr %.2e  %.1f patches/s  "
            + "%.1f GFLOP/s  %.3f s/step  ETA %.0f min", step, lossSum / n, fft, learningRate,
            rate, gflops, secs / n, eta));
        curve.add(new TrainingCurve.Point(step, minutes(), lossSum / n, learningRate, rate,
            Double.NaN, Double.NaN, Double.NaN, fftSum / n));
        lossSum = 0;
        fftSum = 0;
        n = 0;
        windowStart = System.nanoTime();
        windowPatches = 0;
        windowFlops = 0;
      }
    }
  }
}
