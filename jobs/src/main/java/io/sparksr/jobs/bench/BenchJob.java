package io.sparksr.jobs.bench;

import io.sparksr.io.ImageStore;
import io.sparksr.jobs.upscale.UpscaleJob;
import io.sparksr.jobs.upscale.UpscaleJobConfig;
import io.sparksr.jobs.upscale.UpscaleJobResult;
import io.sparksr.jobs.upscale.UpscaleLoop;
import io.sparksr.model.ForwardLanes;
import io.sparksr.model.NativeBackend;
import io.sparksr.model.SrModel;
import io.sparksr.model.Throughput;
import io.sparksr.partitioning.inference.TileBatcher;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.pipeline.OperatorCache;
import io.sparksr.pipeline.Tiling;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code sparksr bench}: prints Markdown tables.
 * <ul>
 *   <li>peak: sgemm 2048³ and a 3×3 conv 64→64 on 256² (NHWC and NCHW) through ND4J;</li>
 *   <li>model: FLOPs per output pixel and the forward pass over tile batches per scale, with as
 *       many concurrent callers as the JVM has forward lanes (the task-threads × OMP-threads
 *       split is the JVM's: run it with OMP_NUM_THREADS=1 and =2, see docs/BENCHMARKS.md);</li>
 *   <li>job: the upscale job (this Spark session) against a plain single-JVM loop doing the same
 *       decode, tiling, batched inference, stitching and PNG encoding on the same images;</li>
 *   <li>bicubic: the same two at x4 with MATLAB bicubic, and {@code vips resize --kernel cubic}
 *       (libvips) when {@code vips} is on the PATH;</li>
 *   <li>scaling: the upscale job (bicubic x4) on four image sizes: seconds against output
 *       pixels (least-squares line, R²) and the JVM's peak RSS after each.</li>
 * </ul>
 */
public final class BenchJob {
  private static final int[] SCALING_SIDES = {512, 1024, 1536, 2048};

  private BenchJob() {}

  public static void run(SparkSession spark, BenchConfig cfg, PrintWriter console)
      throws Exception {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text) {
      @Override
      public void println(String s) {
        super.println(s);
        console.println(s);
        console.flush();
      }
    };
    Path work = cfg.work() != null ? Files.createDirectories(cfg.work())
        : Files.createTempDirectory("sparksr-bench");
    try {
      NativeBackend.configure();
      out.println("# sparksr bench");
      out.println("");
      out.println(String.format(Locale.ROOT, "%s; OMP_NUM_THREADS=%s; forward lanes %d; %d "
          + "processors; load average before: %s", NativeBackend.describe(),
          System.getenv("OMP_NUM_THREADS"), ForwardLanes.shared().lanes(),
          Runtime.getRuntime().availableProcessors(), loadAverage()));
      out.println(String.format(Locale.ROOT, "Medians of %d runs after %d warm-up run(s).",
          cfg.reps(), cfg.warmup()));
      double convPeak = Double.NaN;
      if (cfg.has("peak")) {
        convPeak = peak(cfg, out);
      }
      TileOperator op = OperatorCache.get(cfg.model(), spark.sparkContext().hadoopConfiguration());
      if (cfg.has("model")) {
        model(cfg, op, convPeak, out);
      }
      String images = cfg.images();
      if ((cfg.has("job") || cfg.has("bicubic")) && images == null) {
        Path dir = Files.createDirectories(work.resolve("images"));
        for (int i = 0; i < 8; i++) {
          BenchImages.write(dir.resolve(String.format(Locale.ROOT, "photo%d.png", i)), 480, 360);
        }
        images = dir.toString();
      }
      if (cfg.has("job")) {
        out.println("");
        out.println("## Upscale job vs a plain single-JVM loop (model " + cfg.model() + ", x2)");
        jobVsLoop(spark, cfg, cfg.model(), op, 2, images, work, out, false);
      }
      if (cfg.has("bicubic")) {
        out.println("");
        out.println("## Bicubic x4: upscale job, plain loop, libvips");
        jobVsLoop(spark, cfg, "bicubic",
            OperatorCache.get("bicubic", spark.sparkContext().hadoopConfiguration()), 4, images,
            work, out, true);
      }
      if (cfg.has("scaling")) {
        scaling(spark, cfg, work, out);
      }
      if (cfg.has("photos")) {
        PhotoBench.run(spark, cfg, op, work, out);
      }
      out.println("");
      out.println("Load average after: " + loadAverage());
    } finally {
      if (cfg.work() == null) {
        deleteTree(work);
      }
    }
    if (cfg.report() != null) {
      io.sparksr.io.HadoopFiles.writeText(new org.apache.hadoop.conf.Configuration(),
          new org.apache.hadoop.fs.Path(cfg.report().toAbsolutePath().toUri()).toString(),
          text.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static double peak(BenchConfig cfg, PrintWriter out) {
    out.println("");
    out.println("## Peak of this JVM's ND4J build");
    out.println("");
    out.println("| measurement | median GFLOP/s | min–max GFLOP/s |");
    out.println("|---|---|---|");
    double conv = 0;
    List<Throughput.Measure> ms = List.of(Throughput.sgemm(2048, cfg.reps(), cfg.warmup()),
        Throughput.conv3x3(64, 256, true, cfg.reps(), cfg.warmup()),
        Throughput.conv3x3(64, 256, false, cfg.reps(), cfg.warmup()));
    for (Throughput.Measure m : ms) {
      out.println(String.format(Locale.ROOT, "| %s | %.1f | %s |", m.name(), m.gflops(),
          range(m)));
      if (m.name().startsWith("conv")) {
        conv = Math.max(conv, m.gflops());
      }
    }
    return conv;
  }

  private static void model(BenchConfig cfg, TileOperator op, double convPeak, PrintWriter out) {
    if (!(op instanceof SrModel m)) {
      out.println("");
      out.println("(model section skipped: " + cfg.model() + " is not a network)");
      return;
    }
    int lanes = ForwardLanes.shared().lanes();
    out.println("");
    out.println("## Model forward pass (" + m.source() + ", radius " + m.radius() + ")");
    out.println("");
    out.println("| scale | FLOPs / output px | tile (padded) | batch × callers | output MP/s "
        + "(cores) | forward GFLOP/s | % of conv peak |");
    out.println("|---|---|---|---|---|---|---|");
    for (int s : cfg.scales()) {
      for (int core : new int[] {cfg.modelTile(), 64}) {
        int side = core + 2 * m.radius();
        int batch = TileBatcher.batchSize(m, side, side, s,
            (long) Tiling.DEFAULT_BATCH_MEMORY_MB << 20);
        Throughput.Measure f = Throughput.forward(m, s, side, batch, lanes, cfg.reps(),
            cfg.warmup());
        double mp = (double) core * core * s * s * batch * lanes / 1e6 / f.median();
        out.println(String.format(Locale.ROOT, "| x%d | %,.0f | %d (%d) | %d × %d | %.3f | %.1f "
            + "| %s |", s, m.architecture().flopsPerOutputPixel(s), core, side, batch, lanes, mp,
            f.gflops(), Double.isNaN(convPeak) ? "–" : String.format(Locale.ROOT, "%.0f %%",
                100 * f.gflops() / convPeak)));
      }
    }
    out.println("");
    out.println("Layouts: the same weights in an NHWC and an NCHW graph, one batch on one thread "
        + "(first scale, full tiles):");
    out.println("");
    out.println("| layout | tile (padded) | batch | forward GFLOP/s | output MP/s (cores) |");
    out.println("|---|---|---|---|---|");
    int s = cfg.scales().get(0);
    int side = cfg.modelTile() + 2 * m.radius();
    int batch = TileBatcher.batchSize(m, side, side, s,
        (long) Tiling.DEFAULT_BATCH_MEMORY_MB << 20);
    for (boolean nchw : new boolean[] {false, true}) {
      Throughput.Measure f = Throughput.forwardLayout(m, s, side, batch, nchw, cfg.reps(),
          cfg.warmup());
      out.println(String.format(Locale.ROOT, "| %s | %d (%d) | %d | %.1f | %.3f |",
          nchw ? "NCHW" : "NHWC", cfg.modelTile(), side, batch, f.gflops(),
          (double) cfg.modelTile() * cfg.modelTile() * s * s * batch / 1e6 / f.median()));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void jobVsLoop(SparkSession spark, BenchConfig cfg, String model,
      TileOperator op, int scale, String images, Path work, PrintWriter out, boolean vips)
      throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ImageStore store = new ImageStore(conf);
    List<String> inputs = store.expand(List.of(images));
    double inMp = 0;
    List<int[]> sizes = new java.util.ArrayList<>();
    for (String in : inputs) {
      var info = store.info(in);
      inMp += info.width() * (double) info.height() / 1e6;
      sizes.add(new int[] {info.width(), info.height()});
    }
    double outMp = inMp * scale * scale;
    int threads = Math.max(1, Math.min(inputs.size(), spark.sparkContext().defaultParallelism()));
    // both paths on the tile size the job would choose (tile-size 0) or the one given
    UpscaleJobConfig jc = UpscaleJobConfig.builder().inputs(List.of(images))
        .output(work.resolve("job-out").toString()).scale(scale).model(model)
        .tileSize(cfg.tileSize()).partitionMegapixels(16).master(cfg.master())
        .sparkConf(cfg.sparkConf()).overwrite(true).build()
        .forOperator(op)
        .resolveTileSize(sizes, spark.sparkContext().defaultParallelism());
    double[] job = Throughput.time(cfg.reps(), Math.max(1, cfg.warmup()), () -> {
      UpscaleJobResult r = runJob(spark, jc);
      if (r.failed() > 0) {
        throw new IllegalStateException("bench upscale job failed: " + r.summary());
      }
    });
    Path loopOut = Files.createDirectories(work.resolve("loop-out"));
    double[] loop = Throughput.time(cfg.reps(), Math.max(1, cfg.warmup()), () ->
        plainLoop(conf, op, jc.toBuilder().output(loopOut.toString()).build(), threads));
    out.println("");
    out.println(String.format(Locale.ROOT, "%d images, %.2f MP in, %.2f MP out; tile %d; loop "
        + "threads %d (= Spark's default parallelism)", inputs.size(), inMp, outMp, jc.tileSize(),
        threads));
    out.println("");
    out.println("| path | median s | output MP/s | vs plain loop |");
    out.println("|---|---|---|---|");
    double loopS = Throughput.median(loop);
    double jobS = Throughput.median(job);
    out.println(String.format(Locale.ROOT, "| plain loop (decode, tile, infer, stitch, PNG) | "
        + "%.2f | %.2f | 1.00 |", loopS, outMp / loopS));
    out.println(String.format(Locale.ROOT, "| upscale job (Spark, resume off, manifest on) | "
        + "%.2f | %.2f | %.2f |", jobS, outMp / jobS, loopS / jobS));
    if (vips) {
      String v = which("vips");
      if (v == null) {
        out.println("| libvips | – | – | not run: `vips` not on the PATH (apt-get install "
            + "libvips-tools) |");
      } else {
        Path vipsOut = Files.createDirectories(work.resolve("vips-out"));
        double[] t = Throughput.time(cfg.reps(), Math.max(1, cfg.warmup()), () -> {
          for (String in : inputs) {
            String local = in.replaceFirst("^file:", "");
            exec(v, "resize", local, vipsOut.resolve(new File(local).getName()).toString(),
                Integer.toString(scale), "--kernel", "cubic");
          }
        });
        double vs = Throughput.median(t);
        out.println(String.format(Locale.ROOT, "| libvips `vips resize --kernel cubic` (one "
            + "process per image, its own threads) | %.2f | %.2f | %.2f |", vs, outMp / vs,
            loopS / vs));
        out.println("");
        out.println(String.format(Locale.ROOT, "Bicubic job / libvips = %.2f, plain loop / "
            + "libvips = %.2f (throughput ratios)", vs / jobS, vs / loopS));
      }
    }
  }

  private static UpscaleJobResult runJob(SparkSession spark, UpscaleJobConfig jc) {
    try {
      return UpscaleJob.run(spark, jc);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The job's plan and tile pipeline without Spark ({@link UpscaleLoop}): what the tasks do, on
   * {@code threads} plain threads.
   */
  static void plainLoop(Configuration conf, TileOperator op, UpscaleJobConfig jc, int threads) {
    try {
      for (var o : UpscaleLoop.run(conf, op, jc, threads)) {
        if (!o.ok()) {
          throw new IllegalStateException(o.input() + ": " + o.reason());
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("plain loop failed: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void scaling(SparkSession spark, BenchConfig cfg, Path work, PrintWriter out)
      throws Exception {
    out.println("");
    out.println("## Time against output size (upscale job, bicubic x4, PNG out)");
    out.println("");
    out.println("| input | output MP | median s | s / output MP | JVM peak RSS after (MB) |");
    out.println("|---|---|---|---|---|");
    double[] x = new double[SCALING_SIDES.length];
    double[] y = new double[SCALING_SIDES.length];
    int reps = Math.min(cfg.reps(), 3);
    for (int i = 0; i < SCALING_SIDES.length; i++) {
      int side = SCALING_SIDES[i];
      Path dir = Files.createDirectories(work.resolve("scaling-" + side));
      BenchImages.write(dir.resolve("in.png"), side, side);
      UpscaleJobConfig jc = UpscaleJobConfig.builder()
          .inputs(List.of(dir.resolve("in.png").toString()))
          .output(work.resolve("scaling-out-" + side).toString()).scale(4).model("bicubic")
          .tileSize(cfg.tileSize()).partitionMegapixels(16).master(cfg.master())
          .sparkConf(cfg.sparkConf()).overwrite(true).build()
          .forOperator(OperatorCache.get("bicubic", spark.sparkContext().hadoopConfiguration()));
      double[] t = Throughput.time(reps, 1, () -> runJob(spark, jc));
      x[i] = side * (double) side * 16 / 1e6;
      y[i] = Throughput.median(t);
      out.println(String.format(Locale.ROOT, "| %d² | %.1f | %.2f | %.4f | %d |", side, x[i],
          y[i], y[i] / x[i], peakRssMb()));
    }
    double[] fit = fit(x, y);
    out.println("");
    out.println(String.format(Locale.ROOT, "Least squares: s = %.3f + %.4f × output MP, R² = "
        + "%.4f (over %d sizes, %d runs each after a warm-up).", fit[0], fit[1], fit[2],
        x.length, reps));
  }

  /** Intercept, slope and R² of the least-squares line through (x, y). */
  static double[] fit(double[] x, double[] y) {
    int n = x.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i] / n;
      my += y[i] / n;
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    double slope = sxy / sxx;
    double intercept = my - slope * mx;
    double r2 = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
    return new double[] {intercept, slope, r2};
  }

  // ---------------------------------------------------------------------------------------------

  private static String range(Throughput.Measure m) {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (double s : m.seconds()) {
      lo = Math.min(lo, m.flops() / s / 1e9);
      hi = Math.max(hi, m.flops() / s / 1e9);
    }
    return String.format(Locale.ROOT, "%.1f–%.1f", lo, hi);
  }

  private static long peakRssMb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return -1;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static String which(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      File f = new File(dir, program);
      if (f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }

  private static void exec(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + o);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
