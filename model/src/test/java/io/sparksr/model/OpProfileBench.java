package io.sparksr.model;

import io.sparksr.model.arch.Architecture;
import java.io.File;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.listeners.profiler.ProfilingListener;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-op time of the shipped model's inference graph (SameDiff's ProfilingListener, a Chrome
 * trace) up to the output before the pixel shuffle, summed per op type, and the wall time of a
 * pass without the listener: {@code OpProfileBench <side> <batch> <scale> <trace.json>}. Not a
 * test (no "Test" suffix). docs/BENCHMARKS.md has the command and a result.
 */
public final class OpProfileBench {
  private OpProfileBench() {}

  public static void main(String[] a) throws Exception {
    NativeBackend.configure();
    int side = Integer.parseInt(a[0]);
    int batch = Integer.parseInt(a[1]);
    int scale = Integer.parseInt(a[2]);
    File trace = new File(a[3]);
    Files.deleteIfExists(trace.toPath()); // the listener refuses to overwrite
    ModelBundle b = ModelRegistry.bundle("default", new org.apache.hadoop.conf.Configuration());
    SameDiff g = b.architecture().inferenceGraph(b.inferenceWeights(),
        b.architecture().graphVariant(side));
    Map<String, INDArray> x = b.architecture().inferenceInputs(
        Nd4j.rand(DataType.FLOAT, batch, side, side, 3));
    // what SrModel.upscale asks for: the output before the pixel shuffle
    String name = Architecture.dcrOutputName(scale);
    // wall time of a pass without the listener, for the time outside the ops
    double wall = Throughput.median(Throughput.time(5, 2, () -> g.output(x, name)));
    int passes = 3;
    g.setListeners(ProfilingListener.builder(trace).recordAll().warmup(0).build());
    for (int i = 0; i < passes; i++) {
      g.output(x, name);
    }
    g.setListeners();
    // the trace is a JSON array of {"name": op, "ph": "X", "dur": microseconds, ...} objects
    String text = Files.readString(trace.toPath());
    Map<String, double[]> byOp = new TreeMap<>();
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("\\{\"name\":\"([^\"]+)\"[^{}]*?\"ph\":\"X\"[^{}]*?\"dur\":(\\d+)").matcher(text);
    double total = 0;
    while (m.find()) {
      double ms = Long.parseLong(m.group(2)) / 1000.0 / passes;
      double[] v = byOp.computeIfAbsent(m.group(1), k -> new double[2]);
      v[0] += ms;
      v[1] += 1.0 / passes;
      total += ms;
    }
    System.out.printf(Locale.ROOT, "%d x %d² at x%d, OMP_NUM_THREADS=%s: ops %.1f ms per pass; "
        + "wall %.1f ms per pass without the listener (median of 5), %.1f ms outside the ops%n",
        batch, side, scale, System.getenv("OMP_NUM_THREADS"), total, wall * 1e3,
        wall * 1e3 - total);
    for (Map.Entry<String, double[]> e : byOp.entrySet()) {
      System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f %% | %.0f |%n", e.getKey(), e.getValue()[0],
          100 * e.getValue()[0] / total, e.getValue()[1]);
    }
  }
}
