package io.sparksr.model;

import java.util.Arrays;
import java.util.Locale;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Throughput of the ND4J native build this JVM loads: fp32 sgemm 2048³ (Nd4j mmul, goes to OpenBLAS)
 * and a 3×3 conv 64→64 on 1×64×256×256 (libnd4j conv2d: oneDNN in the -onednn builds, im2col + BLAS
 * in the plain build), NCHW and NHWC, YXIO weights. Prints the median GFLOP/s of {@code reps} timed
 * runs after {@code warmup} untimed ones. Not a unit test (surefire skips it: no "Test" suffix).
 *
 * <p>Run from model/ (see docs/NATIVE.md for the exact commands):
 * <pre>
 * OMP_NUM_THREADS=2 [OPENBLAS_CORETYPE=SkylakeX] java -Dorg.bytedeco.javacpp.maxbytes=6G \
 *   -Dorg.bytedeco.javacpp.maxphysicalbytes=10G [-Dorg.bytedeco.javacpp.platform.extension=...] \
 *   -cp target/test-classes:target/classes:$(cat /tmp/model-cp.txt) io.sparksr.model.NativeBackendBench [reps] [warmup]
 * </pre>
 */
public final class NativeBackendBench {

    private static final int N = 2048;
    private static final int C = 64;
    private static final int HW = 256;

    private NativeBackendBench() {
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        NativeBackend.configure();
        System.out.println("# " + NativeBackend.describe());
        Nd4j.getRandom().setSeed(42);

        INDArray a = Nd4j.rand(DataType.FLOAT, N, N);
        INDArray b = Nd4j.rand(DataType.FLOAT, N, N);
        INDArray c = Nd4j.create(DataType.FLOAT, N, N);
        double gemmFlop = 2.0 * N * N * N;
        report("sgemm 2048", gemmFlop, time(reps, warmup, () -> a.mmul(b, c)));

        INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, C, C).subi(0.5); // YXIO = [kH, kW, inC, outC]
        INDArray xNchw = Nd4j.rand(DataType.FLOAT, 1, C, HW, HW);
        INDArray xNhwc = xNchw.permute(0, 2, 3, 1).dup('c');
        INDArray yNchw = Nd4j.create(DataType.FLOAT, 1, C, HW, HW);
        INDArray yNhwc = Nd4j.create(DataType.FLOAT, 1, HW, HW, C);
        double convFlop = 2.0 * HW * HW * C * C * 9;
        report("conv3x3 64->64 256x256 NCHW", convFlop,
                time(reps, warmup, () -> Nd4j.exec(new Conv2D(xNchw, w, null, yNchw, conf("NCHW")))));
        report("conv3x3 64->64 256x256 NHWC", convFlop,
                time(reps, warmup, () -> Nd4j.exec(new Conv2D(xNhwc, w, null, yNhwc, conf("NHWC")))));
        double maxDiff = yNchw.permute(0, 2, 3, 1).sub(yNhwc).amaxNumber().doubleValue();
        System.out.printf(Locale.ROOT, "# NCHW vs NHWC max |diff| = %.3g (max |y| = %.3g)%n",
                maxDiff, yNhwc.amaxNumber().doubleValue());
    }

    private static Conv2DConfig conf(String format) {
        return Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.SAME).dataFormat(format).weightsFormat(WeightsFormat.YXIO).build();
    }

    private static double[] time(int reps, int warmup, Runnable op) {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        double[] s = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        return s;
    }

    private static void report(String name, double flop, double[] seconds) {
        double[] gflops = Arrays.stream(seconds).map(t -> flop / t / 1e9).sorted().toArray();
        double median = gflops[gflops.length / 2];
        System.out.printf(Locale.ROOT, "%-30s median %7.1f GFLOP/s  (min %.1f, max %.1f, n=%d)%n",
                name, median, gflops[0], gflops[gflops.length - 1], gflops.length);
    }
}
