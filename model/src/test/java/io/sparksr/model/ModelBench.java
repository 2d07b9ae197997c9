package io.sparksr.model;

import io.sparksr.model.arch.IgConvPlksr;
import io.sparksr.model.arch.IgConvPlksrConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Prints, per encoder size (C x N): parameters, receptive-field radius, FLOPs per output pixel at
 * each scale, training patches/s (batch 16, 48x48 LR patches, scales cycling 2, 3, 4; one
 * {@code fit} call) and inference megapixels/s (output pixels) per scale on a 1x128x128 LR tile.
 * Not a unit test. Run from the repository root:
 * <pre>
 * OMP_NUM_THREADS=2 java -Dorg.bytedeco.javacpp.platform.extension=-onednn-avx512 \
 *   -cp model/target/test-classes:model/target/classes:$(cat /tmp/model-cp.txt) \
 *   io.sparksr.model.ModelBench [steps] [CxN ...]      e.g. 8 32x4 32x6 48x4
 * </pre>
 */
public final class ModelBench {
  private ModelBench() {}

  public static void main(String[] args) {
    NativeBackend.configure();
    System.out.println("# " + NativeBackend.describe());
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    List<String> sizes = args.length > 1 ? List.of(args).subList(1, args.length)
        : List.of("32x4");
    System.out.println("| C x N | params | radius | FLOPs/out px x2 / x3 / x4 | train patches/s "
        + "| infer out MP/s x2 / x3 / x4 |");
    System.out.println("|---|---|---|---|---|---|");
    for (String size : sizes) {
      String[] cn = size.split("x");
      IgConvPlksrConfig d = IgConvPlksrConfig.defaults();
      IgConvPlksr arch = new IgConvPlksr(new IgConvPlksrConfig(Integer.parseInt(cn[0]),
          Integer.parseInt(cn[1]), d.kernelSize(), d.splitRatio(), d.attention(),
          d.fourierFeatures(), d.mlpDim(), d.mlpLayers(), d.scales(), d.skip(), d.ensemble()));
      SrTrainer t = SrTrainer.create(arch, TrainOptions.defaults(1000));
      t.fit(batches(3, 0).iterator());
      SrTrainer.FitResult r = t.fit(batches(steps, 100).iterator());
      double patches = steps * 16 / r.seconds();
      SrModel m = t.model();
      double[] mps = new double[3];
      for (int i = 0; i < 3; i++) {
        int s = 2 + i;
        INDArray lr = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 128, 128, 3);
        m.run(lr, s);
        int reps = 5;
        long t0 = System.nanoTime();
        for (int k = 0; k < reps; k++) {
          m.run(lr, s);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        mps[i] = reps * 128.0 * 128 * s * s / 1e6 / secs;
      }
      System.out.println(String.format(Locale.ROOT,
          "| %s | %,d | %d | %,.0f / %,.0f / %,.0f | %.1f | %.2f / %.2f / %.2f |", size,
          arch.parameterCount(), arch.radius(), arch.flopsPerOutputPixel(2),
          arch.flopsPerOutputPixel(3), arch.flopsPerOutputPixel(4), patches, mps[0], mps[1],
          mps[2]));
    }
  }

  private static List<TrainBatch> batches(int n, long seed) {
    List<TrainBatch> b = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      b.add(TestModels.noiseBatch(2 + i % 3, 16, 48, seed + i));
    }
    return b;
  }
}
