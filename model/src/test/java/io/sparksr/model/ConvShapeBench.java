package io.sparksr.model;

import java.util.Locale;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Throughput of each convolution shape of the default model (NHWC and NCHW, with bias), one
 * batch of side x side inputs per run, median of {@code reps} after 2 warm-ups (element-wise ops:
 * {@code EltwiseBench}). Not a test: {@code ConvShapeBench <side> <batch> <reps>}.
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
      }
    }
  }
}
