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
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX Runtime (CPU) vs DL4J ({@link SrModel#run}) on the same tiles of the shipped model, per
 * scale: median seconds per batch over {@code reps} timed runs after one warm-up, output
 * megapixels/s and effective GFLOP/s (FLOPs = {@code Architecture.flopsPerOutputPixel(r)} x output
 * pixels). ORT runs the exported model ({@link OnnxExporter}) with intra-op threads 2 and 1; DL4J
 * uses the OMP_NUM_THREADS it found in the environment (printed). Not a unit test. From the
 * repository root, after {@code ./mvnw -B -q test-compile -pl model}:
 * <pre>
 * ./mvnw -B -q dependency:build-classpath -pl model -Dmdep.outputFile=/tmp/model-cp.txt
 * . deploy/native-env.sh; OMP_NUM_THREADS=2 java -Xmx4g \
 *   -Dorg.bytedeco.javacpp.platform.extension=$SPARKSR_ND4J_EXT \
 *   -cp model/target/test-classes:model/target/classes:$(cat /tmp/model-cp.txt) \
 *   io.sparksr.model.OnnxBench [reps] [batch] [tile sides...]      default: 5 2 332 204
 * </pre>
 */
public final class OnnxBench {
  private OnnxBench() {}

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int[] sides = args.length > 2
        ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
        : new int[] {332, 204};
    NativeBackend.configure();
    ModelBundle bundle = ModelBundle.readResource(ModelRegistry.DEFAULT_RESOURCE);
    SrModel model = SrModel.fromBundle(bundle, "default");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    System.out.println("# " + NativeBackend.describe());
    System.out.println("# DL4J: OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS")
        + ", ORT " + OrtEnvironment.class.getPackage().getImplementationVersion()
        + " CPU, " + Runtime.getRuntime().availableProcessors() + " processors; batch " + batch
        + ", median of " + reps + " after 1 warm-up");
    System.out.println("| scale | tile (LR px) | engine | median s / batch | output MP/s "
        + "| GFLOP/s | max abs diff vs DL4J |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (int r : model.architecture().scales()) {
      byte[] onnx = OnnxExporter.export(bundle, r);
      double flops = model.architecture().flopsPerOutputPixel(r);
      List<OrtSession> sessions = new ArrayList<>();
      for (int threads : new int[] {2, 1}) {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        sessions.add(env.createSession(onnx, o));
      }
      for (int side : sides) {
        Random rnd = new Random(side * 31L + r);
        float[] nchw = new float[batch * 3 * side * side];
        for (int i = 0; i < nchw.length; i++) {
          nchw[i] = rnd.nextFloat();
        }
        float[] nhwc = new float[nchw.length];
        int plane = side * side;
        for (int b = 0; b < batch; b++) {
          for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
              nhwc[(b * plane + i) * 3 + c] = nchw[(b * 3 + c) * plane + i];
            }
          }
        }
        double outPx = (double) batch * plane * r * r;
        float[][] dl4jOut = new float[1][];
        double dl4j = median(reps, () -> {
          INDArray x = Nd4j.create(nhwc, new long[] {batch, side, side, 3}, 'c');
          dl4jOut[0] = model.run(x, r).dup('c').data().asFloat();
          return null;
        });
        row(r, side, "DL4J (SameDiff, OMP " + System.getenv("OMP_NUM_THREADS") + ")", dl4j, outPx,
            flops, "-");
        for (int s = 0; s < sessions.size(); s++) {
          OrtSession session = sessions.get(s);
          float[][] ortOut = new float[1][];
          double t = median(reps, () -> {
            try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw),
                new long[] {batch, 3, side, side});
                OrtSession.Result res = session.run(Map.of(OnnxExporter.INPUT, in))) {
              FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
              float[] o = new float[fb.remaining()];
              fb.get(o);
              ortOut[0] = o;
            }
            return null;
          });
          row(r, side, "ORT, " + (s == 0 ? 2 : 1) + " intra-op thread" + (s == 0 ? "s" : ""), t,
              outPx, flops, String.format(Locale.ROOT, "%.1e",
                  maxDiff(ortOut[0], dl4jOut[0], batch, side * r)));
        }
      }
      for (OrtSession s : sessions) {
        s.close();
      }
    }
  }

  private static void row(int r, int side, String engine, double secs, double outPx,
      double flops, String diff) {
    System.out.println(String.format(Locale.ROOT, "| x%d | %d x %d | %s | %.3f | %.2f | %.1f | %s |",
        r, side, side, engine, secs, outPx / 1e6 / secs, outPx * flops / 1e9 / secs, diff));
  }

  private static double median(int reps, Callable<Void> run) {
    return new Throughput.Measure("", Throughput.time(reps, 1, () -> {
      try {
        run.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }), 0).median();
  }

  /** ORT NCHW vs DL4J NHWC. */
  private static double maxDiff(float[] nchw, float[] nhwc, int batch, int side) {
    int plane = side * side;
    double max = 0;
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < plane; i++) {
          max = Math.max(max, Math.abs(nchw[(b * 3 + c) * plane + i] - nhwc[(b * plane + i) * 3 + c]));
        }
      }
    }
    return max;
  }
}
