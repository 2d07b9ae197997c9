package io.sparksr.partitioning.testing;

import io.sparksr.partitioning.image.ImageTensor;
import java.util.Random;

/** Random tensors for tests. */
public final class TestTensors {
  private TestTensors() {}

  public static ImageTensor randomImage(Random rnd, int c, int h, int w) {
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat();
    }
    return new ImageTensor(c, h, w, d);
  }
}
