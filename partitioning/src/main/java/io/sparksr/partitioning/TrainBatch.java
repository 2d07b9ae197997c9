package io.sparksr.partitioning;

/**
 * One training mini-batch at one scale, NHWC float32 in [0,1]: {@code lr} is
 * {@code [size, patch, patch, 3]}, {@code hr} is {@code [size, patch*scale, patch*scale, 3]}.
 */
public record TrainBatch(long step, int scale, int size, int patch, float[] lr, float[] hr) {

  public TrainBatch {
    if (lr.length != size * patch * patch * 3) {
      throw new IllegalArgumentException("lr has " + lr.length + " values, not " + size + "x"
          + patch + "x" + patch + "x3");
    }
    int hp = patch * scale;
    if (hr.length != size * hp * hp * 3) {
      throw new IllegalArgumentException("hr has " + hr.length + " values, not " + size + "x" + hp
          + "x" + hp + "x3");
    }
  }
}
