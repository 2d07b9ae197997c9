package io.sparksr.model;

import io.sparksr.model.arch.IgConvPlksr;
import java.util.Locale;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Throughput of each convolution shape of the default model (NHWC and NCHW, with bias; the narrow
 * large kernel also in the inference graph's two-phase form), one batch of side x side inputs per
 * run, median of {@code reps} after 2 warm-ups (element-wise ops: {@code EltwiseBench}). Not a test: {@code ConvShapeBench <side> <batch> <reps>}.
 */
public final class ConvShapeBench {
  public static void main(String[] a) {
    NativeBackend.configure();
    int side = Integer.parseInt(a[0]);
    int batch = Integer.parseInt(a[1]);
    int reps = Integer.parseInt(a[2]);
    int[][] shapes = {{3, 32, 64}, {3, 64, 32}, {3, 32, 32}, {13, 8, 8}, {1, 32, 32}, {3, 3, 32},
        {3, 32, 12}, {3, 32, 27}, {3, 32, 48}, {5, 3, 12}, {3, 64, 64}};
    for (int[] s : shapes) {
      for (boolean nhwc : new boolean[] {true, false}) {
        int k = s[0], ci = s[1], co = s[2];
        INDArray w = Nd4j.rand(DataType.FLOAT, k, k, ci, co).subi(0.5);
        INDArray bias = Nd4j.rand(DataType.FLOAT, co);
        INDArray x = nhwc ? Nd4j.rand(DataType.FLOAT, batch, side, side, ci)
            : Nd4j.rand(DataType.FLOAT, batch, ci, side, side);
        INDArray y = nhwc ? Nd4j.create(DataType.FLOAT, batch, side, side, co)
            : Nd4j.create(DataType.FLOAT, batch, co, side, side);
        Conv2DConfig conf = Conv2DConfig.builder().kH(k).kW(k).sH(1).sW(1).dH(1).dW(1)
            .paddingMode(PaddingMode.SAME).dataFormat(nhwc ? "NHWC" : "NCHW")
            .weightsFormat(WeightsFormat.YXIO).build();
        double[] t = Throughput.time(reps, 2, () -> Nd4j.exec(new Conv2D(x, w, bias, y, conf)));
        Throughput.Measure m = new Throughput.Measure("", t,
            2.0 * batch * side * side * k * k * ci * co);
        System.out.printf(Locale.ROOT, "conv %2dx%-2d %2d->%-2d %s  %7.1f ms  %6.1f GFLOP/s%n", k, k,
            ci, co, nhwc ? "NHWC" : "NCHW", m.median() * 1e3, m.gflops());
        if (nhwc && co < 16 && k > 1 && side % 2 == 0) {
          twoPhase(x, w, bias, conf, y, reps);
        }
      }
    }
  }

  /**
   * The same conv in the inference graph's two-phase form for even widths (IgConvPlksr's
   * twoPhaseConv): k x (k+1) at stride 2 along x, twice the output channels; GFLOP/s count the
   * plain conv's FLOPs, and the output must equal the plain conv's {@code y}.
   */
  private static void twoPhase(INDArray x, INDArray w, INDArray bias, Conv2DConfig plain,
      INDArray y, int reps) {
    long k = w.size(0);
    long ci = w.size(2);
    long co = w.size(3);
    INDArray[] two = IgConvPlksr.twoPhaseWeights(w, bias);
    long[] s = x.shape();
    INDArray y2 = Nd4j.create(DataType.FLOAT, s[0], s[1], s[2] / 2, 2 * co);
    Conv2DConfig conf = IgConvPlksr.twoPhaseConfig((int) k);
    Nd4j.exec(new Conv2D(x, w, bias, y, plain));
    double[] t = Throughput.time(reps, 2,
        () -> Nd4j.exec(new Conv2D(x, two[0], two[1], y2, conf)));
    Throughput.Measure m = new Throughput.Measure("", t,
        2.0 * s[0] * s[1] * s[2] * k * k * ci * co);
    System.out.printf(Locale.ROOT,
        "conv %2dx%-2d %2d->%-2d NHWC two-phase (%dx%d %d->%d, stride 1x2)  %7.1f ms  %6.1f "
            + "GFLOP/s  max diff %.1e%n", k, k, ci, co, k, k + 1, ci, 2 * co, m.median() * 1e3,
        m.gflops(), y2.reshape(y.shape()).sub(y).amaxNumber().doubleValue());
  }
}
