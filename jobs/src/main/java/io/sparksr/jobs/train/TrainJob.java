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
    for (int s : cfg.scales()) {
      if (!arch.scales().contains(s)) {
        throw new IllegalArgumentException(
            "'scales' has " + s + " but the model serves " + arch.scales());
      }
    }
    List<BatchSampler.Pool> pools = TrainData.load(spark, cfg.data(), cfg.scales());
    BatchSampler sampler = new BatchSampler(pools, cfg.batchSize(), cfg.crop(), cfg.seed(), true);
    Validation val = cfg.val() == null ? null : Validation.load(conf, cfg.val(), cfg.scales());
    TrainingCurve curve = new TrainingCurve(conf, output + ".curve.csv", output + ".curve.png");
    long start = trainer.iteration();
    if (cfg.resume()) {
      curve.resume(start);
    }
    long stop = cfg.maxSteps() > 0 ? cfg.maxSteps() : trainer.options().totalSteps();
    long deadline = cfg.maxMinutes() > 0 ? t0 + (long) (cfg.maxMinutes() * 60e9) : Long.MAX_VALUE;
    long checkpointEvery = (long) (cfg.checkpointMinutes() * 60e9);
    LOG.info("training {} ({} parameters) from step {} to {}, {} per batch of {}x{} LR crops",
        arch.name(), arch.parameterCount(), start, stop, cfg.batchSize(), cfg.crop(), cfg.crop());

    StepLog stepLog = new StepLog(cfg, curve, t0 - (long) (trainer.wallSeconds() * 1e9), arch);
    Map<Integer, Double> lastVal = new TreeMap<>();
    double best = Double.NEGATIVE_INFINITY;
    String reason = "reached step " + stop;
    long lastSave = System.nanoTime();
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
          save(conf, trainer, cfg, output, curve);
          reason = "stopped by a signal at step " + trainer.iteration() + " (checkpoint saved)";
          break;
        }
        if (val != null && (trainer.iteration() == nextVal || trainer.iteration() >= stop)) {
          lastVal = validate(trainer, val, curve, stepLog);
          double mean = lastVal.values().stream().mapToDouble(Double::doubleValue).average()
              .orElse(Double.NaN);
          if (mean > best) {
            best = mean;
            String path = output + ".best.srm";
            trainer.toBundle(provenance(trainer, cfg), false).write(conf, path);
            LOG.info("new best validation (mean {} dB over scales): {}",
                String.format(Locale.ROOT, "%.3f", mean), path);
          }
        }
        if (now - lastSave >= checkpointEvery || timeUp || trainer.iteration() >= stop) {
          save(conf, trainer, cfg, output, curve);
          lastSave = System.nanoTime();
        }
        if (timeUp) {
          reason = "--max-minutes " + cfg.maxMinutes();
          break;
        }
      }
    }
    if (trainer.iteration() > start && System.nanoTime() - lastSave > 0
        && !HadoopFiles.exists(conf, output)) {
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
      if (t.options().totalSteps() != cfg.totalSteps()) {
        LOG.warn("resuming with the bundle's schedule ({} total steps), not --total-steps {}",
            t.options().totalSteps(), cfg.totalSteps());
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
    Architecture arch;
    if (cfg.modelConfig() == null) {
      arch = null;
    } else {
      try (InputStream in = Files.newInputStream(Path.of(cfg.modelConfig()))) {
        arch = Architectures.fromYaml(in, cfg.modelConfig());
      }
    }
    if (cfg.init() != null && !cfg.init().isBlank()) {
      // with a model config too: the init bundle's model widened to it (same output at step 0)
      return SrTrainer.fineTune(ModelRegistry.bundle(cfg.init(), conf), cfg.init(), arch,
          options);
    }
    return SrTrainer.create(arch != null ? arch
        : Architectures.create(Architectures.defaultName(), null), options);
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
   * Ends an iterator at a wall-clock deadline or when the JVM is asked to stop (the batches are a
   * function of the step).
   */
  private record Until(Iterator<TrainBatch> in, long deadline, GracefulStop stop)
      implements Iterator<TrainBatch> {
    @Override
    public boolean hasNext() {
      return System.nanoTime() < deadline && !stop.requested() && in.hasNext();
    }

    @Override
    public TrainBatch next() {
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

    StepLog(TrainJobConfig cfg, TrainingCurve curve, long origin, Architecture arch) {
      this.cfg = cfg;
      this.curve = curve;
      this.origin = origin;
      this.arch = arch;
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
        long total = cfg.maxSteps() > 0 ? cfg.maxSteps() : cfg.totalSteps();
        double eta = (total - step) * (secs / n) / 60;
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
