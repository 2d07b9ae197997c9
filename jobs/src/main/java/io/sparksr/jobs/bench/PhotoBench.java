package io.sparksr.jobs.bench;

import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.upscale.UpscaleJob;
import io.sparksr.jobs.upscale.UpscaleJobConfig;
import io.sparksr.jobs.upscale.UpscaleJobResult;
import io.sparksr.model.ForwardLanes;
import io.sparksr.model.Throughput;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.TileBatcher;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TilePlanner;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.partitioning.tiling.Tiles;
import io.sparksr.pipeline.OperatorCache;
import io.sparksr.pipeline.Tiling;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code photos} section of {@code sparksr bench}: what a user gets on real photographs.
 * Photos are mosaics of the B100 photographs (landscape ones, 480&times;320 each, side by side)
 * cut to 960&times;640 (0.6 MP) and 2000&times;1200 (2.4 MP) unless {@code --photo-sizes} lists
 * others (up to 3840&times;2880, 11 MP, from B100's 77 landscape photos), or the PNGs of
 * {@code --photos} as they are.
 * <ul>
 *   <li>Per photo and scale: the upscale job's time (its own measure, the log line's) against
 *       the forward pass alone on the same tiles (decoded and padded beforehand, batched as the
 *       job batches, on as many threads as forward lanes), as output MP/s and their ratio.</li>
 *   <li>Bicubic x4 on the largest photo: the job's time, the whole {@code sparksr upscale}
 *       process (a child JVM with this one's class path) and {@code vips resize --kernel cubic},
 *       wall time and peak RSS from {@code /usr/bin/time -v}.</li>
 * </ul>
 */
final class PhotoBench {
  private PhotoBench() {}

  /** Mosaic sizes cut from the tiled photographs unless {@code --photo-sizes} says otherwise. */
  static final List<String> DEFAULT_SIZES = List.of("960x640", "2000x1200");
  private static final int CELL_W = 480;
  private static final int CELL_H = 320;

  static void run(SparkSession spark, BenchConfig cfg, TileOperator op, Path work,
      PrintWriter out) throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ImageStore store = new ImageStore(conf);
    List<Path> photos = photos(store, cfg, work);
    out.println("");
    out.println("## Real photos: upscale job vs the forward pass alone (model " + cfg.model()
        + ")");
    out.println("");
    out.println("| photo | scale | output MP | forward only s | forward MP/s | job s | job MP/s "
        + "| job / forward | output MB |");
    out.println("|---|---|---|---|---|---|---|---|---|");
    for (Path photo : photos) {
      for (int scale : cfg.scales()) {
        if (scale == 3) {
          continue; // x2 and x4 are the issue's; x3 behaves between them
        }
        Row r = measure(spark, cfg, op, store, photo, scale, work);
        out.println(String.format(Locale.ROOT, "| %s (%dx%d) | x%d | %.1f | %.2f | %.3f | %.2f "
            + "| %.3f | %.2f | %.1f |", photo.getFileName(), r.width, r.height, scale, r.outMp,
            r.forwardS, r.outMp / r.forwardS, r.jobS, r.outMp / r.jobS, r.forwardS / r.jobS,
            r.outBytes / 1e6));
      }
    }
    bicubicVsVips(spark, cfg, photos.get(photos.size() - 1), work, out);
  }

  private record Row(int width, int height, double outMp, double forwardS, double jobS,
      long outBytes) {}

  private static Row measure(SparkSession spark, BenchConfig cfg, TileOperator op,
      ImageStore store, Path photo, int scale, Path work) throws Exception {
    Path in = Files.createDirectories(work.resolve("photo-in-" + photo.getFileName()));
    Path copy = in.resolve(photo.getFileName());
    if (!Files.exists(copy)) {
      Files.copy(photo, copy);
    }
    ImageTensor img = store.read(copy.toString()).tensor();
    int lanes = ForwardLanes.shared().lanes();
    UpscaleJobConfig jc = UpscaleJobConfig.builder().inputs(List.of(in.toString()))
        .output(work.resolve("photo-out").toString()).scale(scale).model(cfg.model())
        .tileSize(cfg.tileSize()).master(cfg.master()).sparkConf(cfg.sparkConf())
        .overwrite(true).progressSeconds(0).build().forOperator(op)
        .resolveTileSize(List.of(new int[] {img.width(), img.height()}),
            spark.sparkContext().defaultParallelism());
    Tiling tiling = jc.tiling();
    TilePlan plan = TilePlanner.plan(img.width(), img.height(), jc.tileSize(), tiling.halo(),
        scale);
    List<ImageTensor> padded = new ArrayList<>();
    for (TileSpec t : plan.tiles()) {
      padded.add(Tiles.pad(img, t, BorderPolicy.REFLECT));
    }
    double[] forward = Throughput.time(cfg.reps(), Math.max(1, cfg.warmup()),
        () -> forwardOnly(op, plan, padded, tiling, lanes));
    double[] job = new double[cfg.reps()];
    long bytes = 0;
    for (int w = 0; w < Math.max(1, cfg.warmup()); w++) {
      UpscaleJob.run(spark, jc);
    }
    for (int i = 0; i < job.length; i++) {
      UpscaleJobResult r = UpscaleJob.run(spark, jc);
      if (r.failed() > 0) {
        throw new IllegalStateException("bench upscale job failed: " + r.summary());
      }
      job[i] = r.seconds();
      bytes = r.images().get(0).outputBytes();
    }
    return new Row(img.width(), img.height(), plan.outputWidth() * (double) plan.outputHeight()
        / 1e6, Throughput.median(forward), Throughput.median(job), bytes);
  }

  /** Every padded tile through the operator, batched as the job batches, on {@code lanes} threads. */
  private static void forwardOnly(TileOperator op, TilePlan plan, List<ImageTensor> padded,
      Tiling tiling, int lanes) {
    ConcurrentLinkedQueue<Integer> todo = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < padded.size(); i++) {
      todo.add(i);
    }
    Throughput.concurrently(lanes, lane -> {
      TileBatcher<Integer> b = new TileBatcher<>(op, tiling.scale(), tiling.standard(),
          tiling.budgetBytes(), new TileBatcher.Sink<>() {
            @Override
            public void done(Integer key, TileSpec tile, ImageTensor core, double seconds) {}

            @Override
            public void failed(Integer key, TileSpec tile, Throwable error) {
              throw new IllegalStateException(error);
            }
          });
      for (Integer i = todo.poll(); i != null; i = todo.poll()) {
        b.add(i, plan.tiles().get(i), padded.get(i));
      }
      b.flush();
    }).run();
  }

  /** Bicubic x4 of the photo: job time, whole process and libvips, wall and peak RSS. */
  private static void bicubicVsVips(SparkSession spark, BenchConfig cfg, Path photo, Path work,
      PrintWriter out) throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path in = work.resolve("photo-in-" + photo.getFileName());
    UpscaleJobConfig jc = UpscaleJobConfig.builder().inputs(List.of(in.toString()))
        .output(work.resolve("bicubic-out").toString()).scale(4).model("bicubic")
        .master(cfg.master()).sparkConf(cfg.sparkConf()).overwrite(true).progressSeconds(0)
        .build().forOperator(OperatorCache.get("bicubic", conf));
    double[] job = new double[cfg.reps()];
    for (int w = 0; w < Math.max(1, cfg.warmup()); w++) {
      UpscaleJob.run(spark, jc);
    }
    for (int i = 0; i < job.length; i++) {
      job[i] = UpscaleJob.run(spark, jc).seconds();
    }
    out.println("");
    out.println("### Bicubic x4 of " + photo.getFileName() + ": upscale vs libvips");
    out.println("");
    out.println("| run | median s | peak RSS MB | output MB |");
    out.println("|---|---|---|---|");
    long outBytes = Files.size(output(work.resolve("bicubic-out"), photo)); // PNG, or tiled TIFF
    out.println(String.format(Locale.ROOT, "| upscale job (its own time, Spark session warm) "
        + "| %.2f | – | %.1f |", Throughput.median(job), outBytes / 1e6));
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> sparksr = new ArrayList<>(List.of(javaBin));
    sparksr.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean()
        .getInputArguments()); // this JVM's flags (module opens, native settings, heap)
    sparksr.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "io.sparksr.jobs.SparkSr", "upscale", "--input", in.toString(), "--output",
        work.resolve("bicubic-proc").toString(), "--model", "bicubic", "--scale", "4",
        "--overwrite", "--progress-seconds", "0"));
    timed(out, "`sparksr upscale` whole process (JVM start, Spark start, job)", sparksr, cfg,
        () -> output(work.resolve("bicubic-proc"), photo));
    Path vipsOut = work.resolve("vips-" + photo.getFileName());
    timed(out, "`vips resize --kernel cubic` (its own threads)", List.of("vips", "resize",
        in.resolve(photo.getFileName()).toString(), vipsOut.toString(), "4", "--kernel",
        "cubic"), cfg, () -> vipsOut);
  }

  /** Runs {@code cmd} under {@code /usr/bin/time -v}: median wall and peak RSS over the reps. */
  private static void timed(PrintWriter out, String label, List<String> cmd, BenchConfig cfg,
      java.util.concurrent.Callable<Path> output) throws Exception {
    if (!new File("/usr/bin/time").canExecute()) {
      out.println("| " + label + " | – | – | not run: /usr/bin/time missing |");
      return;
    }
    List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-v"));
    full.addAll(cmd);
    double[] wall = new double[cfg.reps()];
    long rss = 0;
    for (int i = -Math.max(1, cfg.warmup()); i < cfg.reps(); i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        String why = log.lines().filter(l -> l.contains("FAILED") || l.contains("Exception")
            || l.contains("rror")).findFirst().orElse(log.lines().reduce((a, b) -> b).orElse(""));
        out.println("| " + label + " | – | – | failed: " + why.strip() + " |");
        return;
      }
      if (i >= 0) {
        wall[i] = (System.nanoTime() - t0) / 1e9;
        for (String l : log.lines().toList()) {
          if (l.contains("Maximum resident set size")) {
            rss = Math.max(rss, Long.parseLong(l.replaceAll("[^0-9]", "")));
          }
        }
      }
    }
    out.println(String.format(Locale.ROOT, "| %s | %.2f | %d | %.1f |", label,
        Throughput.median(wall), rss / 1024, Files.size(output.call()) / 1e6));
  }

  /** The upscale output of {@code photo} in {@code dir}: {@code <stem>_x4.<png or tif>}. */
  private static Path output(Path dir, Path photo) throws IOException {
    String stem = photo.getFileName().toString().replaceFirst("\\.png$", "") + "_x4.";
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(stem)).findFirst()
          .orElseThrow(() -> new IOException("no output " + stem + "* in " + dir));
    }
  }

  /** The photos: {@code --photos}' PNGs, or mosaics of B100 cut to the sizes asked for. */
  private static List<Path> photos(ImageStore store, BenchConfig cfg, Path work)
      throws IOException {
    boolean mosaic = cfg.photos() == null;
    Path src = mosaic ? Path.of("..", "shared", "datasets", "B100").toAbsolutePath().normalize()
        : Path.of(cfg.photos());
    if (!Files.isDirectory(src)) {
      throw new IllegalArgumentException("no photos for the 'photos' section: " + src + " is "
          + "not a folder; pass --photos <folder of PNG photos>");
    }
    List<Path> pngs;
    try (var s = Files.list(src)) {
      pngs = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    if (!mosaic) {
      return pngs;
    }
    List<ImageTensor> cells = new ArrayList<>();
    for (Path p : pngs) {
      ImageTensor t = store.read(p.toString()).tensor();
      if (t.width() >= CELL_W && t.height() >= CELL_H && t.width() > t.height()
          && t.channels() == 3) {
        cells.add(t.crop(new io.sparksr.partitioning.tiling.Rect(0, 0, CELL_W, CELL_H)));
      }
    }
    List<Path> out = new ArrayList<>();
    Path dir = Files.createDirectories(work.resolve("photos"));
    for (String spec : cfg.photoSizes().isEmpty() ? DEFAULT_SIZES : cfg.photoSizes()) {
      String[] wh = spec.toLowerCase(Locale.ROOT).split("x");
      int[] size = {Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim())};
      int cols = (size[0] + CELL_W - 1) / CELL_W;
      int rows = (size[1] + CELL_H - 1) / CELL_H;
      if (cells.size() < cols * rows) {
        throw new IllegalArgumentException(src + " has " + cells.size() + " landscape photos "
            + "of at least " + CELL_W + "x" + CELL_H + " but a " + size[0] + "x" + size[1]
            + " mosaic needs " + cols * rows);
      }
      float[] d = new float[3 * size[0] * size[1]];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < size[1]; y++) {
          for (int x = 0; x < size[0]; x++) {
            ImageTensor cell = cells.get((y / CELL_H) * cols + x / CELL_W);
            d[(c * size[1] + y) * size[0] + x] =
                cell.data()[(c * CELL_H + y % CELL_H) * CELL_W + x % CELL_W];
          }
        }
      }
      Path p = dir.resolve(String.format(Locale.ROOT, "mosaic-%dx%d.png", size[0], size[1]));
      store.write(p.toString(), new ImageTensor(3, size[1], size[0], d),
          PixelFormat.of("png", 3, 8));
      out.add(p);
    }
    return out;
  }
}
