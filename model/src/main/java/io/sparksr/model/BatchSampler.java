package io.sparksr.model;

import io.sparksr.partitioning.image.Dihedral;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Draws training batches from in-memory patch pairs, as a pure function of (seed, step): the
 * scale of step t is drawn uniformly from the scales present (the IGConv recipe: one scale per
 * batch), then {@code size} random pairs of that scale, a random {@code crop x crop} LR window
 * inside each stored patch (and the matching HR window), and a random flip/rotation. Because a
 * batch depends only on the seed and the step, a resumed run sees exactly the batches an
 * uninterrupted run would.
 */
public final class BatchSampler {

  /** Stored pairs of one scale: interleaved uint8 RGB, LR {@code p x p}, HR {@code p*s x p*s}. */
  public record Pool(int scale, int patch, List<byte[]> lr, List<byte[]> hr) {
    public Pool {
      if (lr.size() != hr.size()) {
        throw new IllegalArgumentException("pool x" + scale + " has " + lr.size() + " LR but "
            + hr.size() + " HR patches");
      }
      if (lr.isEmpty()) {
        throw new IllegalArgumentException("pool x" + scale + " is empty");
      }
    }

    public int size() {
      return lr.size();
    }
  }

  private final int[] scales;
  private final Map<Integer, Pool> pools;
  private final int size;
  private final int crop;
  private final long seed;
  private final boolean augment;

  /**
   * @param size    batch size
   * @param crop    LR crop size, at most every pool's patch size
   * @param augment random flips/rotations (the 8 dihedral transforms)
   */
  public BatchSampler(List<Pool> pools, int size, int crop, long seed, boolean augment) {
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("no training patches");
    }
    if (size < 1) {
      throw new IllegalArgumentException("'batch-size' is " + size + " but must be >= 1");
    }
    this.pools = new TreeMap<>();
    for (Pool p : pools) {
      if (crop > p.patch()) {
        throw new IllegalArgumentException("'crop' is " + crop + " but the x" + p.scale()
            + " patches are only " + p.patch() + " px");
      }
      if (this.pools.put(p.scale(), p) != null) {
        throw new IllegalArgumentException("two pools for scale " + p.scale());
      }
    }
    if (crop < 1) {
      throw new IllegalArgumentException("'crop' is " + crop + " but must be >= 1");
    }
    this.scales = this.pools.keySet().stream().mapToInt(Integer::intValue).toArray();
    this.size = size;
    this.crop = crop;
    this.seed = seed;
    this.augment = augment;
  }

  public int[] scales() {
    return scales.clone();
  }

  /** The batch of step {@code step}. */
  public TrainBatch batch(long step) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, step));
    int scale = scales[rnd.nextInt(scales.length)];
    Pool pool = pools.get(scale);
    int p = pool.patch();
    int hp = crop * scale;
    float[] lr = new float[size * crop * crop * 3];
    float[] hr = new float[size * hp * hp * 3];
    for (int b = 0; b < size; b++) {
      int i = rnd.nextInt(pool.size());
      int ox = rnd.nextInt(p - crop + 1);
      int oy = rnd.nextInt(p - crop + 1);
      int d = augment ? rnd.nextInt(8) : 0;
      byte[] l = window(pool.lr().get(i), p, ox, oy, crop);
      byte[] h = window(pool.hr().get(i), p * scale, ox * scale, oy * scale, hp);
      toFloat(Dihedral.apply(l, crop, 3, d), lr, b * crop * crop * 3);
      toFloat(Dihedral.apply(h, hp, 3, d), hr, b * hp * hp * 3);
    }
    return new TrainBatch(scale, size, crop, crop, lr, hr);
  }

  private static byte[] window(byte[] hwc, int side, int x, int y, int n) {
    if (x == 0 && y == 0 && n == side) {
      return hwc;
    }
    byte[] out = new byte[n * n * 3];
    for (int row = 0; row < n; row++) {
      System.arraycopy(hwc, ((y + row) * side + x) * 3, out, row * n * 3, n * 3);
    }
    return out;
  }

  private static void toFloat(byte[] b, float[] out, int offset) {
    for (int i = 0; i < b.length; i++) {
      out[offset + i] = (b[i] & 0xff) / 255f;
    }
  }

  /** SplitMix64-style mixing of (seed, step) into one well-spread seed. */
  static long mix(long seed, long step) {
    long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
