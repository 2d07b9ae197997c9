package io.sparksr.model;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.GELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Element-wise op speed of this ND4J build on {@code n} floats in [-4, 4] (median of
 * {@code reps} after 2 warm-ups): libnd4j's legacy gelu / sigmoid / tanh transforms, the declarable
 * {@code tanh} op ({@code arch.OneDnnTanh}; oneDNN in the -onednn builds), a multiply, and GELU in
 * the tanh form the inference graph uses (x' = 0.851 x: x' (1 + tanh x') / 1.702), with its largest
 * difference from the legacy gelu. Not a test. {@code EltwiseBench <n> <reps>}; docs/BENCHMARKS.md.
 */
public final class EltwiseBench {
  private EltwiseBench() {}

  public static void main(String[] a) {
    NativeBackend.configure();
    int n = Integer.parseInt(a[0]);
    int reps = Integer.parseInt(a[1]);
    INDArray x = Nd4j.rand(DataType.FLOAT, n).subi(0.5).muli(8);
    INDArray y = x.ulike();
    INDArray t = x.ulike();
    INDArray xs = x.mul(0.851);
    System.out.printf(Locale.ROOT, "OMP_NUM_THREADS=%s, %d floats%n",
        System.getenv("OMP_NUM_THREADS"), n);
    run("legacy gelu", reps, n, () -> Nd4j.exec(new GELU(x, y)));
    INDArray gelu = y.dup();
    run("legacy sigmoid", reps, n, () -> Nd4j.exec(new Sigmoid(x, y)));
    run("legacy tanh", reps, n, () -> Nd4j.exec(new Tanh(x, y)));
    run("declarable tanh", reps, n,
        () -> Nd4j.exec(DynamicCustomOp.builder("tanh").addInputs(x).addOutputs(y).build()));
    run("multiply", reps, n, () -> x.mul(x, y));
    run("gelu, tanh form", reps, n, () -> {
      Nd4j.exec(DynamicCustomOp.builder("tanh").addInputs(xs).addOutputs(t).build());
      xs.mul(t, y).addi(xs);
    });
    double diff = y.div(1.702).sub(gelu).amaxNumber().doubleValue();
    System.out.printf(Locale.ROOT, "max |tanh form - legacy gelu| = %.1e%n", diff);
  }

  private static void run(String name, int reps, int n, Runnable r) {
    double med = new Throughput.Measure("", Throughput.time(reps, 2, r), 1).median();
    System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f |%n", name, med * 1e3, n / med / 1e6);
  }
}
