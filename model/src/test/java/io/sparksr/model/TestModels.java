package io.sparksr.model;

import io.sparksr.model.arch.IgConvPlksr;
import io.sparksr.model.arch.IgConvPlksrConfig;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import java.util.List;
import java.util.Random;

/** Tiny configs and synthetic images that keep the model tests fast on 2 cores. */
final class TestModels {
  private TestModels() {}

  /** C=8, one block, k=5: radius 1 + (1 + 1 + 2 + 1) + 1 = 7. */
  static IgConvPlksrConfig tinyConfig(boolean ensemble) {
    return new IgConvPlksrConfig(8, 1, 5, 0.25, true, 4, 16, 2, List.of(2, 3, 4), "bicubic",
        ensemble);
  }

  static IgConvPlksr tiny() {
    return new IgConvPlksr(tinyConfig(false));
  }

  /** Random RGB image in [0, 1]. */
  static ImageTensor noise(int h, int w, long seed) {
    Random rnd = new Random(seed);
    float[] d = new float[3 * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    return new ImageTensor(3, h, w, d);
  }

  /**
   * A structured RGB image: a disc, diagonal stripes and a soft gradient, each colour channel
   * different; sharp edges are where a learned upscaler beats bicubic.
   */
  static ImageTensor shapes(int h, int w) {
    float[] d = new float[3 * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double dx = x - w * 0.4;
        double dy = y - h * 0.45;
        boolean disc = dx * dx + dy * dy < (h * 0.28) * (h * 0.28);
        boolean stripe = ((x + 2 * y) / 12) % 2 == 0;
        double g = (double) x / w;
        float r = (float) (disc ? 0.9 : stripe ? 0.2 : 0.5 * g);
        float gg = (float) (disc ? 0.3 : stripe ? 0.8 : 0.4);
        float b = (float) (disc ? 0.1 : stripe ? 0.6 : 1 - g);
        d[y * w + x] = r;
        d[h * w + y * w + x] = gg;
        d[2 * h * w + y * w + x] = b;
      }
    }
    return new ImageTensor(3, h, w, d);
  }

  /** The LR image of {@code hr} (bicubic downscale by 1/scale, MATLAB style). */
  static ImageTensor downscale(ImageTensor hr, int scale) {
    return Resize.imresize(hr, 1.0 / scale);
  }

  /** One training batch of a single image pair (NHWC). */
  static TrainBatch pair(ImageTensor lr, ImageTensor hr, int scale) {
    return new TrainBatch(scale, 1, lr.height(), lr.width(), nhwc(lr), nhwc(hr));
  }

  /** A batch of random patches (noise) at one scale. */
  static TrainBatch noiseBatch(int scale, int size, int p, long seed) {
    Random rnd = new Random(seed);
    float[] lr = new float[size * p * p * 3];
    float[] hr = new float[size * p * p * scale * scale * 3];
    for (int i = 0; i < lr.length; i++) {
      lr[i] = rnd.nextFloat();
    }
    for (int i = 0; i < hr.length; i++) {
      hr[i] = rnd.nextFloat();
    }
    return new TrainBatch(scale, size, p, p, lr, hr);
  }

  static float[] nhwc(ImageTensor t) {
    int c = t.channels();
    int plane = t.planeSize();
    float[] out = new float[c * plane];
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < plane; i++) {
        out[i * c + ch] = t.data()[ch * plane + i];
      }
    }
    return out;
  }

  static double maxAbsDiff(ImageTensor a, ImageTensor b) {
    double m = 0;
    for (int i = 0; i < a.data().length; i++) {
      m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
    }
    return m;
  }
}
