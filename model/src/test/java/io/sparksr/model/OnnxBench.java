package io.sparksr.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.sparksr.model.onnx.OnnxExporter;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.TileBatcher;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ONNX Runtime (CPU) vs DL4J on the same tiles of the shipped model, per scale, in one JVM: the
 * same work per round (two batches of {@code batch} random side x side tiles through the whole
 * tile path: Java tiles in, clamped Java tiles out), as
 * <ul>
 *   <li>DL4J: {@link SrModel#upscale} from 2 caller threads at once, on the JVM's forward lanes
 *       (OMP_NUM_THREADS=1 gives 2 lanes x 1 thread, what the upscale job runs in local mode);</li>
 *   <li>ORT 2 x 1: 2 caller threads at once, each with its own session of 1 intra-op thread;</li>
 *   <li>ORT 1 x 2: one session with 2 intra-op threads, the two batches one after the other.</li>
 * </ul>
 * The three take turns within each round (so a change in the machine's load hits all three);
 * median seconds per round over {@code reps} timed rounds after one warm-up, output megapixels/s,
 * effective GFLOP/s (FLOPs = {@code Architecture.flopsPerOutputPixel(r)} x output pixels of the
 * padded tiles) and ORT's largest difference from DL4J on the first batch. Not a unit test. From the
 * repository root, after {@code ./mvnw -B -q test-compile -pl model}:
 * <pre>
 * ./mvnw -B -q dependency:build-classpath -pl model -Dmdep.outputFile=/tmp/model-cp.txt
 * . deploy/native-env.sh; OMP_NUM_THREADS=1 java -Xmx4g \
 *   -Dorg.bytedeco.javacpp.platform.extension=$SPARKSR_ND4J_EXT \
 *   -cp model/target/test-classes:model/target/classes:$(cat /tmp/model-cp.txt) \
 *   io.sparksr.model.OnnxBench [reps] [batch] [tile sides...]      default: 5 0 332 140
 * </pre>
 * batch 0: the batch the upscale job forms for each tile shape ({@code TileBatcher.batchSize} under
 * the default batch-memory-mb). {@code -Donnxbench.scales=4} (comma-separated) limits the run to those scales.
 */
public final class OnnxBench {
  private OnnxBench() {}

  /** The upscale job's default {@code batch-memory-mb} (conf/upscale.yaml). */
  private static final int JOB_BATCH_MB = 256;

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    // 0: the batch the upscale job forms for the shape (TileBatcher under its default budget)
    int batchArg = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    int[] sides = args.length > 2
        ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
        : new int[] {332, 140};
    NativeBackend.configure();
    ModelBundle bundle = ModelBundle.readResource(ModelRegistry.DEFAULT_RESOURCE);
    SrModel model = SrModel.fromBundle(bundle, "default");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    System.out.println("# " + NativeBackend.describe());
    System.out.println("# DL4J: OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ", "
        + ForwardLanes.shared().lanes() + " forward lanes; ORT "
        + OrtEnvironment.class.getPackage().getImplementationVersion() + " CPU; "
        + Runtime.getRuntime().availableProcessors() + " processors; 2 batches of "
        + (batchArg > 0 ? batchArg + " tiles" : "the upscale job's size (batch-memory-mb "
            + JOB_BATCH_MB + ")") + " per round, median of " + reps + " rounds after 1 warm-up; load average "
        + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("| scale | tile (LR px) | batch | engine (callers x threads) | median s / round "
        + "| output MP/s (cores) | GFLOP/s | speed vs DL4J (DL4J s / this s, median of rounds) "
        + "| max abs diff vs DL4J |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    // -Donnxbench.scales=4 (comma-separated) measures only those scales
    List<Integer> scales = System.getProperty("onnxbench.scales") == null
        ? model.architecture().scales()
        : Arrays.stream(System.getProperty("onnxbench.scales").split(","))
            .map(String::trim).map(Integer::valueOf).toList();
    for (int r : scales) {
      byte[] onnx = OnnxExporter.export(bundle, r);
      OrtSession two = session(env, onnx, 2);
      OrtSession[] ones = {session(env, onnx, 1), session(env, onnx, 1)};
      for (int side : sides) {
        int batch = batchArg > 0 ? batchArg
            : TileBatcher.batchSize(model, side, side, r, (long) JOB_BATCH_MB << 20);
        List<List<ImageTensor>> tiles = Throughput.randomTiles(2, batch, side, side * 31L + r);
        double flops = model.architecture().flopsPerOutputPixel(r) * 2.0 * batch * side * side
            * r * r;
        // output pixels of the tile cores (the padded tile less the halo = the model's radius)
        double core = 2.0 * batch * Math.pow(Math.max(0, side - 2 * model.radius()) * r, 2);
        String diff = String.format(Locale.ROOT, "%.1e", maxDiff(
            model.upscale(tiles.get(0), r), ort(env, two, tiles.get(0), r)));
        // the three take turns within each round: load changes on this shared machine hit all
        double[][] t = Throughput.interleaved(reps, 1,
            Throughput.concurrently(2, c -> model.upscale(tiles.get(c), r)),
            Throughput.concurrently(2, c -> ort(env, ones[c], tiles.get(c), r)),
            () -> {
              ort(env, two, tiles.get(0), r);
              ort(env, two, tiles.get(1), r);
            });
        row(r, side, batch, "DL4J SameDiff (2 callers, " + ForwardLanes.shared().lanes()
            + " lanes x OMP " + System.getenv("OMP_NUM_THREADS") + ")", t[0], t[0], flops, core,
            "-");
        row(r, side, batch, "ORT (2 sessions x 1 thread)", t[1], t[0], flops, core, diff);
        row(r, side, batch, "ORT (1 session x 2 threads)", t[2], t[0], flops, core, diff);
      }
      two.close();
      for (OrtSession s : ones) {
        s.close();
      }
    }
  }

  private static OrtSession session(OrtEnvironment env, byte[] onnx, int threads)
      throws Exception {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(threads);
    o.setInterOpNumThreads(1);
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    return env.createSession(onnx, o);
  }

  /** The tile path of {@link SrModel#upscale} through ORT: CHW tiles in, clamped CHW tiles out. */
  static List<ImageTensor> ort(OrtEnvironment env, OrtSession session, List<ImageTensor> tiles,
      int r) {
    ImageTensor first = tiles.get(0);
    int h = first.height();
    int w = first.width();
    int plane = 3 * h * w;
    float[] in = new float[tiles.size() * plane];
    for (int b = 0; b < tiles.size(); b++) {
      System.arraycopy(tiles.get(b).data(), 0, in, b * plane, plane);
    }
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(in),
        new long[] {tiles.size(), 3, h, w});
        OrtSession.Result res = session.run(Map.of(OnnxExporter.INPUT, x))) {
      FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
      int out = 3 * h * r * w * r;
      List<ImageTensor> result = new ArrayList<>(tiles.size());
      for (int b = 0; b < tiles.size(); b++) {
        float[] t = new float[out];
        fb.get(t);
        for (int i = 0; i < out; i++) {
          t[i] = t[i] < 0 ? 0 : (t[i] > 1 ? 1 : t[i]);
        }
        result.add(new ImageTensor(3, h * r, w * r, t));
      }
      return result;
    } catch (ai.onnxruntime.OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A table row: medians over the rounds; "vs DL4J" is the median of the per-round ratios. */
  private static void row(int r, int side, int batch, String engine, double[] secs,
      double[] dl4jSecs, double flops, double outPx, String diff) {
    double m = Throughput.median(secs);
    System.out.println(String.format(Locale.ROOT,
        "| x%d | %d x %d | %d | %s | %.3f | %.2f | %.1f | %.2f | %s |", r, side, side, batch,
        engine, m, outPx / 1e6 / m, flops / 1e9 / m, Throughput.medianRatio(dl4jSecs, secs), diff));
  }

  private static double maxDiff(List<ImageTensor> a, List<ImageTensor> b) {
    double max = 0;
    for (int t = 0; t < a.size(); t++) {
      float[] x = a.get(t).data();
      float[] y = b.get(t).data();
      for (int i = 0; i < x.length; i++) {
        max = Math.max(max, Math.abs(x[i] - y[i]));
      }
    }
    return max;
  }
}
