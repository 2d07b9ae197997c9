package io.sparksr.jobs.upscale;

import io.sparksr.io.ImageInfo;
import io.sparksr.io.ImageStore;
import io.sparksr.io.TiledTiffConverter;
import io.sparksr.model.ModelRegistry;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.TileBatcher;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.Rect;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.pipeline.InputConverter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;

/**
 * Upscale benchmarks: a main that prints numbers (not a test; surefire does not run *Bench).
 * Modes:
 * <ul>
 *   <li>{@code batch}: forward-pass seconds per tile of the shipped model at batch 1 and at the
 *       batch sizes the memory budget gives, for full tiles (256 + 2 * 38) and small-image tiles,
 *       in this JVM.</li>
 *   <li>{@code decode <png>}: what reading a band at the bottom of a large PNG costs (the JDK
 *       decodes every row above it) against converting it once to a tiled TIFF.</li>
 *   <li>{@code run <name> <repo> <out> <args...>}: one {@code bin/sparksr upscale} in a fresh
 *       JVM under {@code /usr/bin/time -v}: wall seconds, peak RSS, output MP and s per output
 *       MP (the scale table runs it once per input size with the same heap).</li>
 *   <li>{@code make-png <path> <side>}: a photo-like synthetic PNG written row by row (PNGJ).</li>
 *   <li>{@code make-small <dir> <n> <seed>}: n small PNG photos of 160-400 px sides.</li>
 * </ul>
 * Run from jobs/ with the test class path; see docs/UPSCALE.md for the commands and results.
 */
public final class UpscaleBench {
  private UpscaleBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "batch" -> batch(args.length > 1 ? Integer.parseInt(args[1]) : 8);
      case "decode" -> decode(args[1]);
      case "run" -> run(args[1], Path.of(args[2]), args[3],
          java.util.Arrays.copyOfRange(args, 4, args.length));
      case "make-png" -> makePng(Path.of(args[1]), Integer.parseInt(args[2]),
          Integer.parseInt(args[2]));
      case "make-small" -> makeSmall(Path.of(args[1]), Integer.parseInt(args[2]),
          Long.parseLong(args[3]));
      default -> throw new IllegalArgumentException("mode is '" + args[0]
          + "' but must be batch, decode, run, make-png or make-small");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // batch: one JVM, the shipped model, TileBatcher with different budgets

  static void batch(int tiles) {
    TileOperator op = ModelRegistry.load("default", new Configuration());
    int r = op.radius();
    System.out.printf(Locale.ROOT, "load: %s%n", loadAverage());
    System.out.println("| tile (padded) | scale | budget MiB | batch | forward passes | s per tile "
        + "| speed-up |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (int[] c : new int[][] {{256, 4}, {256, 2}, {64, 4}}) {
      int side = c[0] + 2 * r;
      double base = 0;
      for (long budgetMb : new long[] {0, 256, 1024}) {
        long budget = budgetMb == 0 ? 1 : budgetMb << 20;
        int batch = TileBatcher.batchSize(op, side, side, c[1], budget);
        if (budgetMb == 1024 && batch == TileBatcher.batchSize(op, side, side, c[1], 256L << 20)) {
          continue;
        }
        int n = Math.max(tiles, 2 * batch);
        double s = timeTiles(op, side, c[1], budget, n, 1);
        if (budgetMb == 0) {
          base = s;
        }
        System.out.printf(Locale.ROOT, "| %d (%d) | x%d | %s | %d | %d | %.3f | %.2f |%n", c[0],
            side, c[1], budgetMb == 0 ? "(batch 1)" : Long.toString(budgetMb), batch,
            (n + batch - 1) / batch, s, base / s);
      }
    }
    System.out.printf(Locale.ROOT, "load: %s%n", loadAverage());
  }

  /** Seconds per tile for n random side x side tiles (after one warm-up pass). */
  private static double timeTiles(TileOperator op, int side, int scale, long budget, int n,
      long seed) {
    Random rnd = new Random(seed);
    List<ImageTensor> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] d = new float[3 * side * side];
      for (int k = 0; k < d.length; k++) {
        d[k] = rnd.nextFloat();
      }
      inputs.add(new ImageTensor(3, side, side, d));
    }
    int core = side - 2 * op.radius();
    TileSpec tile = new TileSpec(0, 0, 0, new Rect(op.radius(), op.radius(), core, core),
        new Rect(0, 0, side, side), new Rect(0, 0, side, side),
        new Rect(op.radius() * scale, op.radius() * scale, core * scale, core * scale));
    int[] done = {0};
    TileBatcher.Sink<Integer> sink = new TileBatcher.Sink<>() {
      @Override
      public void done(Integer key, TileSpec t, ImageTensor out, double seconds) {
        done[0]++;
      }

      @Override
      public void failed(Integer key, TileSpec t, Throwable error) {
        throw new IllegalStateException(error);
      }
    };
    TileBatcher<Integer> warm = new TileBatcher<>(op, scale, side, budget, sink);
    warm.add(0, tile, inputs.get(0));
    warm.flush();
    TileBatcher<Integer> b = new TileBatcher<>(op, scale, side, budget, sink);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      b.add(i, tile, inputs.get(i));
    }
    b.flush();
    return (System.nanoTime() - t0) / 1e9 / n;
  }

  // ---------------------------------------------------------------------------------------------
  // decode: is converting large PNG inputs needed?

  static void decode(String png) throws IOException {
    Configuration conf = new Configuration();
    ImageStore store = new ImageStore(conf);
    ImageInfo info = store.info(png);
    int band = 256 + 2 * 38;
    Rect bottom = new Rect(0, info.height() - band, info.width(), band);
    Rect top = new Rect(0, 0, info.width(), band);
    long t0 = System.nanoTime();
    store.readRegion(png, top);
    double topS = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    store.readRegion(png, bottom);
    double bottomS = (System.nanoTime() - t0) / 1e9;
    String tif = png + ".converted.tif";
    t0 = System.nanoTime();
    TiledTiffConverter.convert(conf, info, tif, InputConverter.CONVERTED_TILE);
    double convertS = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    store.readRegion(tif, new Rect(info.width() / 2, info.height() - band, band, band));
    double tileS = (System.nanoTime() - t0) / 1e9;
    long bands = (info.height() + 255) / 256;
    System.out.printf(Locale.ROOT, "%s %dx%d (%.0f MP), load %s%n", png, info.width(),
        info.height(), info.width() * (double) info.height() / 1e6, loadAverage());
    System.out.printf(Locale.ROOT, "  JDK readRegion of a %d-row band: top %.2f s, bottom %.2f s "
        + "(decodes every row above it)%n", band, topS, bottomS);
    System.out.printf(Locale.ROOT, "  one band per tile row (%d bands), decoded per partition: "
        + "about %.0f s of decoding in total%n", bands, bands * (topS + bottomS) / 2);
    System.out.printf(Locale.ROOT, "  streaming conversion to tiled TIFF: %.1f s once (%s), "
        + "then a %dx%d tile region read: %.3f s%n", convertS,
        UpscalePlan.bytes(new File(tif.replaceFirst("^file:", "")).length()), band, band, tileS);
    new File(tif.replaceFirst("^file:", "")).delete();
  }

  // ---------------------------------------------------------------------------------------------
  // run: one bin/sparksr upscale in its own JVM, measured from outside

  static void run(String name, Path repo, String out, String[] upscaleArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-v",
        repo.resolve("bin/sparksr").toString(), "upscale", "--output", out));
    cmd.addAll(List.of(upscaleArgs));
    File log = File.createTempFile("upscale-bench", ".log");
    String load0 = loadAverage();
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
        .redirectOutput(log).start();
    int code = p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e9;
    String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    long rssKb = 0;
    for (String line : text.split("\n")) {
      if (line.contains("Maximum resident set size")) {
        rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    double outMp = 0;
    long outBytes = 0;
    int ok = 0;
    int failed = 0;
    Path manifest = Path.of(out.replaceFirst("^file:", ""), UpscaleJob.MANIFEST);
    if (Files.exists(manifest)) {
      List<String> lines = Files.readAllLines(manifest);
      for (String l : lines.subList(1, lines.size())) {
        String[] f = l.split(",");
        if (f[2].equals("ok")) {
          ok++;
          outMp += Long.parseLong(f[5]) * Long.parseLong(f[6]) / 1e6;
          outBytes += Long.parseLong(f[10]);
        } else if (f[2].equals("failed")) {
          failed++;
        }
      }
    }
    System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.1f | %s | %.4f | %d ok, %d failed |"
            + " %s -> %s |%n", name, code, wall, rssKb / 1024.0, outMp, UpscalePlan.bytes(outBytes),
        outMp > 0 ? wall / outMp : Double.NaN, ok, failed, load0, loadAverage());
    System.out.println("  log: " + log);
  }

  // ---------------------------------------------------------------------------------------------
  // inputs

  /** A photo-like PNG (gradients, edges, texture, mild noise), written row by row. */
  static void makePng(Path path, int width, int height) throws IOException {
    io.sparksr.jobs.bench.BenchImages.write(path, width, height);
  }

  static void makeSmall(Path dir, int n, long seed) throws IOException {
    Files.createDirectories(dir);
    Random rnd = new Random(seed);
    for (int i = 0; i < n; i++) {
      int w = 160 + rnd.nextInt(241);
      int h = 160 + rnd.nextInt(241);
      makePng(dir.resolve(String.format(Locale.ROOT, "photo%04d.png", i)), w, h);
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }
}
