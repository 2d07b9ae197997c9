package io.sparksr.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.sparksr.model.onnx.OnnxExporter;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.sparksr.partitioning.ImageTensor;

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
 * Median seconds per round over {@code reps} timed rounds after one warm-up, output megapixels/s,
 * effective GFLOP/s (FLOPs = {@code Architecture.flopsPerOutputPixel(r)} x output pixels of the
 * padded tiles) and ORT's largest difference from DL4J on the first batch. Not a unit test. From the
 * repository root, after {@code ./mvnw -B -q test-compile -pl model}:
 * <pre>
 * ./mvnw -B -q dependency:build-classpath -pl model -Dmdep.outputFile=/tmp/model-cp.txt
 * . deploy/native-env.sh; OMP_NUM_THREADS=1 java -Xmx4g \
 *   -Dorg.bytedeco.javacpp.platform.extension=$SPARKSR_ND4J_EXT \
 *   -cp model/target/test-classes:model/target/classes:$(cat /tmp/model-cp.txt) \
 *   io.sparksr.model.OnnxBench [reps] [batch] [tile sides...]      default: 5 2 332 140
 * </pre>
 * {@code -Donnxbench.scales=4} (comma-separated) limits the run to those scales.
 */
public final class OnnxBench {
  private OnnxBench() {}

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2;
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
        + Runtime.getRuntime().availableProcessors() + " processors; 2 batches of " + batch
        + " tiles per round, median of " + reps + " rounds after 1 warm-up; load average "
        + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("| scale | tile (LR px) | engine (callers x threads) | median s / round "
        + "| output MP/s (cores) | GFLOP/s | vs DL4J | max abs diff vs DL4J |");
    System.out.println("|---|---|---|---|---|---|---|---|");
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
        List<List<ImageTensor>> tiles = Throughput.randomTiles(2, batch, side, side * 31L + r);
        double flops = model.architecture().flopsPerOutputPixel(r) * 2.0 * batch * side * side
            * r * r;
        // output pixels of the tile cores (the padded tile less the halo = the model's radius)
        double core = 2.0 * batch * Math.pow(Math.max(0, side - 2 * model.radius()) * r, 2);
        String diff = String.format(Locale.ROOT, "%.1e", maxDiff(
            model.upscale(tiles.get(0), r), ort(env, two, tiles.get(0), r)));
        double dl4j = new Throughput.Measure("", Throughput.time(reps, 1, Throughput.concurrently(
            2, c -> model.upscale(tiles.get(c), r))), flops).median();
        row(r, side, "DL4J SameDiff (2 callers, " + ForwardLanes.shared().lanes()
            + " lanes x OMP " + System.getenv("OMP_NUM_THREADS") + ")", dl4j, dl4j, flops, core,
            "-");
        double ort21 = new Throughput.Measure("", Throughput.time(reps, 1, Throughput.concurrently(
            2, c -> ort(env, ones[c], tiles.get(c), r))), flops).median();
        row(r, side, "ORT (2 sessions x 1 thread)", ort21, dl4j, flops, core, diff);
        double ort12 = new Throughput.Measure("", Throughput.time(reps, 1, () -> {
          ort(env, two, tiles.get(0), r);
          ort(env, two, tiles.get(1), r);
        }), flops).median();
        row(r, side, "ORT (1 session x 2 threads)", ort12, dl4j, flops, core, diff);
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

  private static void row(int r, int side, String engine, double secs, double dl4jSecs,
      double flops, double outPx, String diff) {
    System.out.println(String.format(Locale.ROOT,
        "| x%d | %d x %d | %s | %.3f | %.2f | %.1f | %.2f | %s |", r, side, side, engine, secs,
        outPx / 1e6 / secs, flops / 1e9 / secs, dl4jSecs / secs, diff));
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
