package io.sparksr.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * The cost of the FFT-L1 term per training step: two trainers fine-tuning the same bundle, one
 * without the term and one with it, take turns (so a background load falls on both alike) on the
 * same batches (16 x 48 px LR, scales 2, 3, 4 in turn); prints the median seconds per step of
 * each over the rounds. Not a unit test.
 * <pre>
 * ./mvnw -B -o -q test-compile -pl model -am        # and the app jar: package -pl jobs,deploy/spark-runtime
 * . deploy/native-env.sh
 * java $SPARKSR_JAVA17_FLAGS -Dorg.bytedeco.javacpp.platform.extension="$SPARKSR_ND4J_EXT" \
 *   -cp model/target/test-classes:jobs/target/sparksr-jobs-0.1.0-SNAPSHOT-app.jar:$(cat \
 *   deploy/spark-runtime/target/spark-classpath.txt) \
 *   io.sparksr.model.FftL1StepBench bundle.srm weight rounds steps-per-round
 * </pre>
 */
public final class FftL1StepBench {
  private FftL1StepBench() {}

  public static void main(String[] args) throws Exception {
    NativeBackend.configure();
    ModelBundle bundle = ModelBundle.read(new Configuration(), args[0]);
    double w = Double.parseDouble(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int steps = Integer.parseInt(args[3]);
    TrainOptions o = new TrainOptions(1, 1e-5, 1e-6, 1, 1_000_000, 0.9, 0.99, 1e-8, 0.999);
    SrTrainer[] t = {SrTrainer.fineTune(bundle, args[0], o),
        SrTrainer.fineTune(bundle, args[0], o.withFftL1Weight(w))};
    List<TrainBatch> batches = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      batches.add(TestModels.noiseBatch(2 + i % 3, 16, 48, i));
    }
    // one warm-up call each (native init, first allocations)
    for (SrTrainer tr : t) {
      tr.fit(batches.subList(0, 3).iterator());
    }
    double[][] perStep = new double[2][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < 2; k++) {
        // alternate which goes first
        int j = (r % 2 == 0) ? k : 1 - k;
        SrTrainer.FitResult fr = t[j].fit(batches.iterator());
        perStep[j][r] = fr.seconds() / fr.steps();
        System.out.printf(Locale.ROOT, "round %d  w=%s  %.3f s/step%n", r, j == 0 ? "0" : args[1],
            perStep[j][r]);
      }
    }
    double a = median(perStep[0]);
    double b = median(perStep[1]);
    System.out.printf(Locale.ROOT, "median s/step: w=0 %.3f, w=%s %.3f (%+.1f %%)%n", a, args[1], b,
        100 * (b / a - 1));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
