package io.sparksr.partitioning.tiling;

/**
 * What an operator sees outside the image: the rule that maps any coordinate to a pixel of the
 * image (or to zero). Tiled and whole-image runs use the same policy, so they give the same output.
 * Every policy is periodic, so a pad wider than the image is well defined.
 * <pre>
 *   image          a b c d
 *   REPLICATE  a a|a b c d|d d
 *   REFLECT    c b|a b c d|c b     (mirror, edge not repeated; numpy 'reflect', PyTorch ReflectionPad)
 *   SYMMETRIC  b a|a b c d|d c     (mirror, edge repeated; MATLAB imresize, numpy 'symmetric')
 *   ZERO       0 0|a b c d|0 0
 * </pre>
 */
public enum BorderPolicy {
  REPLICATE,
  REFLECT,
  SYMMETRIC,
  ZERO;

  /**
   * The image coordinate in {@code [0, n)} that coordinate {@code i} reads, or -1 when it reads
   * zero (ZERO outside the image).
   */
  public int map(int i, int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("extent is " + n + " but must be > 0");
    }
    if (i >= 0 && i < n) {
      return i;
    }
    switch (this) {
      case REPLICATE:
        return i < 0 ? 0 : n - 1;
      case ZERO:
        return -1;
      case SYMMETRIC: {
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
      }
      case REFLECT: {
        if (n == 1) {
          return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
      }
      default:
        throw new AssertionError(this);
    }
  }

  /** Parses a policy name case-insensitively ("reflect", "SYMMETRIC", ...). */
  public static BorderPolicy parse(String name) {
    for (BorderPolicy p : values()) {
      if (p.name().equalsIgnoreCase(name.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "border policy is '" + name + "' but must be one of replicate, reflect, symmetric, zero");
  }
}
