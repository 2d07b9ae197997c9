package io.sparksr.model;

import java.util.Arrays;
import java.util.Locale;

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
        report(Throughput.sgemm(N, reps, warmup));
        report(Throughput.conv3x3(C, HW, false, reps, warmup));
        report(Throughput.conv3x3(C, HW, true, reps, warmup));
    }

    private static void report(Throughput.Measure m) {
        double[] gflops = Arrays.stream(m.seconds()).map(t -> m.flops() / t / 1e9).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-30s median %7.1f GFLOP/s  (min %.1f, max %.1f, n=%d)%n",
                m.name(), m.gflops(), gflops[0], gflops[gflops.length - 1], gflops.length);
    }
}
