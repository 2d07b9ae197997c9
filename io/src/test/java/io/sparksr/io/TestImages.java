package io.sparksr.io;

import io.sparksr.partitioning.image.ImageTensor;
import java.util.Random;

/** Seeded test images and the quantisation the writer is specified to apply. */
final class TestImages {

  private TestImages() {
  }

  /** Uniform random samples in [0, 1). */
  static ImageTensor random(int channels, int height, int width, long seed) {
    Random rnd = new Random(seed);
    float[] d = new float[channels * height * width];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    return new ImageTensor(channels, height, width, d);
  }

  /** A smooth image (gradients and a slow wave) that JPEG reproduces closely. */
  static ImageTensor smooth(int channels, int height, int width) {
    ImageTensor t = ImageTensor.zeros(channels, height, width);
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          double v = 0.5 + 0.3 * Math.sin((x + 2.0 * y + 17 * c) / 23.0) + 0.15 * x / width;
          t.set(c, y, x, (float) v);
        }
      }
    }
    return t;
  }

  /** Every sample replaced by round(v * max) / max with max = 2^bits - 1, clamped to [0, 1]. */
  static ImageTensor quantised(ImageTensor t, int bits) {
    int max = (1 << bits) - 1;
    float[] src = t.data();
    float[] d = new float[src.length];
    for (int i = 0; i < d.length; i++) {
      int q = Math.max(0, Math.min(max, Math.round(src[i] * max)));
      d[i] = q / (float) max;
    }
    return new ImageTensor(t.channels(), t.height(), t.width(), d);
  }

  static double maxAbsDiff(ImageTensor a, ImageTensor b) {
    double m = 0;
    for (int i = 0; i < a.data().length; i++) {
      m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
    }
    return m;
  }

  static double meanAbsDiff(ImageTensor a, ImageTensor b) {
    double s = 0;
    for (int i = 0; i < a.data().length; i++) {
      s += Math.abs(a.data()[i] - b.data()[i]);
    }
    return s / a.data().length;
  }
}
