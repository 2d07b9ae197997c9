package io.sparksr.model;

import io.sparksr.model.arch.Architecture;
import io.sparksr.partitioning.image.ImageTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What this JVM's ND4J build reaches: the peak of a large sgemm and of a large 3×3 convolution,
 * and the model's forward pass over tile batches. Medians of timed repetitions after untimed
 * warm-up runs. Used by {@code sparksr bench}.
 */
public final class Throughput {
  private Throughput() {}

  /** Seconds of {@code reps} timed runs after {@code warmup} untimed ones, and the work done. */
  public record Measure(String name, double[] seconds, double flops) {
    public double median() {
      return Throughput.median(seconds);
    }

    public double gflops() {
      return flops / median() / 1e9;
    }
  }

  public static double[] time(int reps, int warmup, Runnable op) {
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

  /**
   * Seconds of each of {@code ops} over {@code reps} rounds after {@code warmup} rounds, the ops
   * taking turns within a round ({@code [op][round]}), so that a change in the machine's load hits
   * all of them alike and per-round ratios compare like with like.
   */
  public static double[][] interleaved(int reps, int warmup, Runnable... ops) {
    double[][] s = new double[ops.length][reps];
    for (int i = -warmup; i < reps; i++) {
      for (int k = 0; k < ops.length; k++) {
        long t0 = System.nanoTime();
        ops[k].run();
        if (i >= 0) {
          s[k][i] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }
    return s;
  }

  /** The median (the mean of the middle two of an even count). */
  public static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** The median of {@code a[i] / b[i]}. */
  public static double medianRatio(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] / b[i];
    }
    return median(r);
  }

  /** fp32 n×n×n matrix product (OpenBLAS sgemm in the CPU builds). */
  public static Measure sgemm(int n, int reps, int warmup) {
    NativeBackend.configure();
    Nd4j.getRandom().setSeed(42);
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.create(DataType.FLOAT, n, n);
    return new Measure("sgemm " + n + "³", time(reps, warmup, () -> a.mmul(b, c)),
        2.0 * n * n * n);
  }

  /** A 3×3 convolution c→c over one side×side image (oneDNN in the -onednn builds). */
  public static Measure conv3x3(int channels, int side, boolean nhwc, int reps, int warmup) {
    NativeBackend.configure();
    Nd4j.getRandom().setSeed(42);
    INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, channels, channels).subi(0.5);
    INDArray x = nhwc ? Nd4j.rand(DataType.FLOAT, 1, side, side, channels)
        : Nd4j.rand(DataType.FLOAT, 1, channels, side, side);
    INDArray y = nhwc ? Nd4j.create(DataType.FLOAT, 1, side, side, channels)
        : Nd4j.create(DataType.FLOAT, 1, channels, side, side);
    Conv2DConfig conf = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
        .paddingMode(PaddingMode.SAME).dataFormat(nhwc ? "NHWC" : "NCHW")
        .weightsFormat(WeightsFormat.YXIO).build();
    return new Measure(String.format(java.util.Locale.ROOT, "conv 3×3 %d→%d %d² %s", channels,
        channels, side, nhwc ? "NHWC" : "NCHW"),
        time(reps, warmup, () -> Nd4j.exec(new Conv2D(x, w, null, y, conf))),
        2.0 * side * side * channels * channels * 9);
  }

  /**
   * The model's forward pass: {@code callers} threads at once (like Spark task threads), each
   * handing one batch of {@code batch} random side×side tiles to {@link SrModel#upscale}; one
   * repetition is one such round. FLOPs count the padded tiles (what the network computes).
   */
  public static Measure forward(SrModel model, int scale, int side, int batch, int callers,
      int reps, int warmup) {
    List<List<ImageTensor>> inputs = randomTiles(callers, batch, side, 7);
    Runnable round = concurrently(callers, c -> model.upscale(inputs.get(c), scale));
    double flops = model.architecture().flopsPerOutputPixel(scale) * (double) side * side * scale
        * scale * batch * callers;
    return new Measure(String.format(java.util.Locale.ROOT, "x%d %d² ×%d ×%d callers", scale,
        side, batch, callers), time(reps, warmup, round), flops);
  }

  /**
   * One round: {@code callers} new threads at once (like Spark task threads), thread c running
   * {@code work.accept(c)}; returns when all are done, rethrowing the first failure.
   */
  public static Runnable concurrently(int callers, java.util.function.IntConsumer work) {
    return () -> {
      CountDownLatch done = new CountDownLatch(callers);
      List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int c = 0; c < callers; c++) {
        int id = c;
        Thread t = new Thread(() -> {
          try {
            work.accept(id);
          } catch (Throwable e) {
            errors.add(e);
          } finally {
            done.countDown();
          }
        });
        t.start();
      }
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (!errors.isEmpty()) {
        throw new IllegalStateException("a caller failed", errors.get(0));
      }
    };
  }

  /** {@code callers} lists of {@code batch} random RGB side×side tiles (seeded). */
  public static List<List<ImageTensor>> randomTiles(int callers, int batch, int side, long seed) {
    Random rnd = new Random(seed);
    List<List<ImageTensor>> inputs = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      List<ImageTensor> tiles = new ArrayList<>();
      for (int b = 0; b < batch; b++) {
        float[] d = new float[3 * side * side];
        for (int i = 0; i < d.length; i++) {
          d[i] = rnd.nextFloat();
        }
        tiles.add(new ImageTensor(3, side, side, d));
      }
      inputs.add(tiles);
    }
    return inputs;
  }

  /**
   * One forward pass of the model's graph built in NHWC or NCHW (NCHW only for architectures
   * with an {@link Architecture#nchwGraph()}), on the calling thread, over a batch of random
   * side×side tiles; the same weights either way.
   */
  public static Measure forwardLayout(SrModel model, int scale, int side, int batch,
      boolean nchw, int reps, int warmup) {
    Architecture arch = model.architecture();
    Architecture.NchwGraph nchwGraph = !nchw ? null : arch.nchwGraph().orElseThrow(() ->
        new IllegalArgumentException("architecture '" + arch.name() + "' has no NCHW graph"));
    org.nd4j.autodiff.samediff.SameDiff g = nchw ? nchwGraph.inferenceGraph(model.weights())
        : arch.inferenceGraph(model.weights(), arch.graphVariant(side));
    Nd4j.getRandom().setSeed(7);
    INDArray lr = Nd4j.rand(DataType.FLOAT, batch, side, side, 3);
    java.util.Map<String, INDArray> x = nchw ? nchwGraph.inferenceInputs(lr.permute(0, 3, 1, 2))
        : arch.inferenceInputs(lr);
    String name = Architecture.outputName(scale);
    double flops = arch.flopsPerOutputPixel(scale) * (double) side * side * scale
        * scale * batch;
    return new Measure(String.format(java.util.Locale.ROOT, "x%d %d² ×%d %s", scale, side, batch,
        nchw ? "NCHW" : "NHWC"), time(reps, warmup, () -> g.output(
            x, name).get(name).close()),
        flops);
  }
}
