package io.sparksr.partitioning.sampling;

import io.sparksr.partitioning.degrade.DegradationParams;
import io.sparksr.partitioning.degrade.DegradationSpec;
import io.sparksr.partitioning.degrade.Degrader;
import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Rect;
import io.sparksr.partitioning.tiling.Tiles;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts aligned LR/HR training patch pairs from one image at one scale: the LR patch is
 * {@code p x p} at LR position (x, y), the HR patch {@code p*s x p*s} at (x*s, y*s), both from the
 * modcropped HR image and its MATLAB-bicubic LR (quantised to uint8, as an LR file would be).
 * Positions come from a grid (stride) or, when {@code count > 0}, from a seeded random draw, so the
 * same image, scale and seed always give the same patches. Flat patches (standard deviation of the
 * LR samples below {@code minStd}) are dropped and counted.
 */
public final class PatchSampler {

  /**
   * One patch pair as interleaved uint8 (H x W x C).
   *
   * @param std         standard deviation of the clean (MATLAB-bicubic) LR patch
   * @param degradation how the LR was made ({@link DegradationParams#clean()} for MATLAB bicubic)
   */
  public record Pair(int x, int y, int augment, byte[] lr, byte[] hr, float std,
      DegradationParams degradation) {}

  /** The patches of one image at one scale and how many were dropped as flat. */
  public record Sample(int scale, int lrWidth, int lrHeight, List<Pair> pairs, int dropped) {}

  private final int patchSize;
  private final int stride;
  private final int count;
  private final double minStd;
  private final int[] augment;

  /**
   * @param patchSize LR patch size
   * @param stride    grid step in LR pixels (used when count == 0)
   * @param count     patches to draw at random per image and scale; 0 = the whole grid
   * @param minStd    drop patches whose LR standard deviation (in [0,1] units) is below this
   * @param augment   dihedral transforms to emit per patch ({@link Dihedral#transforms})
   */
  public PatchSampler(int patchSize, int stride, int count, double minStd, int[] augment) {
    if (patchSize < 1) {
      throw new IllegalArgumentException("'patch-size' is " + patchSize + " but must be >= 1");
    }
    if (stride < 1) {
      throw new IllegalArgumentException("'stride' is " + stride + " but must be >= 1");
    }
    if (count < 0) {
      throw new IllegalArgumentException("'patches-per-image' is " + count + " but must be >= 0");
    }
    if (minStd < 0) {
      throw new IllegalArgumentException("'min-std' is " + minStd + " but must be >= 0");
    }
    this.patchSize = patchSize;
    this.stride = stride;
    this.count = count;
    this.minStd = minStd;
    this.augment = augment.clone();
  }

  /**
   * @param hr   the HR image, 3 channels in [0,1]
   * @param seed per (image, scale) seed for random positions
   */
  public Sample sample(ImageTensor hr, int scale, long seed) {
    return sample(hr, scale, seed, DegradationSpec.clean());
  }

  /**
   * The same patches (positions, HR, flat-patch filter on the clean LR) with each LR made by
   * {@code spec}'s chain instead: per patch and LR version ({@code spec.variants()}), parameters
   * drawn from a seed derived from {@code seed}, the patch's position and the version
   * ({@link Degrader#draw}), applied to the HR patch with a context margin on every side
   * (mirrored beyond the image), then cut to the patch. Version 0 draws what a one-version preset
   * draws.
   */
  public Sample sample(ImageTensor hr, int scale, long seed, DegradationSpec spec) {
    ImageTensor cropped = Resize.modcrop(hr, scale);
    ImageTensor lr = Resize.cleanLr(cropped, scale);
    byte[] lrBytes = interleaved(lr);
    byte[] hrBytes = interleaved(cropped);
    int c = hr.channels();
    List<int[]> positions = positions(lr.width(), lr.height(), seed);
    List<Pair> pairs = new ArrayList<>();
    int dropped = 0;
    int hp = patchSize * scale;
    for (int[] pos : positions) {
      byte[] lp = crop(lrBytes, lr.width(), c, pos[0], pos[1], patchSize);
      float std = std(lp);
      if (std < minStd) {
        dropped++;
        continue;
      }
      byte[] hpatch = crop(hrBytes, cropped.width(), c, pos[0] * scale, pos[1] * scale, hp);
      // one HR per transform, shared by the patch's LR versions
      byte[][] hrs = new byte[augment.length][];
      for (int a = 0; a < augment.length; a++) {
        hrs[a] = Dihedral.apply(hpatch, hp, c, augment[a]);
      }
      int versions = spec.isClean() ? 1 : spec.variants();
      for (int v = 0; v < versions; v++) {
        byte[] lv = lp;
        DegradationParams params = DegradationParams.clean();
        if (!spec.isClean()) {
          params = Degrader.draw(spec, patchSeed(variantSeed(seed, v), pos[0], pos[1]), v);
          if (!params.isClean()) {
            lv = degraded(cropped, scale, pos[0], pos[1], params);
          }
        }
        for (int a = 0; a < augment.length; a++) {
          pairs.add(new Pair(pos[0], pos[1], augment[a], Dihedral.apply(lv, patchSize, c,
              augment[a]), hrs[a], std, params));
        }
      }
    }
    return new Sample(scale, lr.width(), lr.height(), pairs, dropped);
  }

  /** The (image, scale) seed of LR version {@code v}: the seed itself for version 0. */
  static long variantSeed(long seed, int v) {
    return seed ^ (0xD1B54A32D192ED03L * v);
  }

  /** A patch's degradation seed: the (image, scale) seed mixed with its LR position. */
  public static long patchSeed(long seed, int x, int y) {
    long z = seed ^ (0x9E3779B97F4A7C15L * (((long) x << 32) | (y & 0xffffffffL)) + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * The degraded LR patch at LR (x, y): the HR patch and {@code margin} LR pixels around it
   * (mirrored beyond the image) through {@link Degrader#apply}, cut back to the patch.
   */
  public byte[] degraded(ImageTensor modcropped, int scale, int x, int y, DegradationParams p) {
    if (p.isClean()) {
      ImageTensor lr = Resize.cleanLr(modcropped, scale);
      return interleaved(lr.crop(new Rect(x, y, patchSize, patchSize)));
    }
    int m = p.margin();
    Rect region = new Rect((x - m) * scale, (y - m) * scale, (patchSize + 2 * m) * scale,
        (patchSize + 2 * m) * scale);
    Rect inside = region.intersect(modcropped.bounds());
    ImageTensor context = Tiles.pad(modcropped.crop(inside), inside, region, modcropped.width(),
        modcropped.height(), BorderPolicy.REFLECT);
    ImageTensor lr = Degrader.apply(context, scale, p);
    ImageTensor core = lr.crop(new Rect(m, m, patchSize, patchSize));
    return interleaved(core);
  }

  private List<int[]> positions(int w, int h, long seed) {
    List<int[]> out = new ArrayList<>();
    if (w < patchSize || h < patchSize) {
      return out;
    }
    if (count > 0) {
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int i = 0; i < count; i++) {
        out.add(new int[] {rnd.nextInt(w - patchSize + 1), rnd.nextInt(h - patchSize + 1)});
      }
      return out;
    }
    for (int y = 0; y + patchSize <= h; y += stride) {
      for (int x = 0; x + patchSize <= w; x += stride) {
        out.add(new int[] {x, y});
      }
    }
    return out;
  }

  /** uint8 H x W x C bytes of a [0,1] tensor. */
  public static byte[] interleaved(ImageTensor t) {
    int c = t.channels();
    int plane = t.planeSize();
    byte[] out = new byte[plane * c];
    float[] d = t.data();
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < plane; i++) {
        out[i * c + ch] = (byte) Quantized.quantize(d[ch * plane + i], 255);
      }
    }
    return out;
  }

  private static byte[] crop(byte[] hwc, int width, int c, int x, int y, int size) {
    byte[] out = new byte[size * size * c];
    for (int row = 0; row < size; row++) {
      System.arraycopy(hwc, ((y + row) * width + x) * c, out, row * size * c, size * c);
    }
    return out;
  }

  private static float std(byte[] b) {
    double sum = 0;
    double sq = 0;
    for (byte v : b) {
      double f = (v & 0xff) / 255.0;
      sum += f;
      sq += f * f;
    }
    double mean = sum / b.length;
    return (float) Math.sqrt(Math.max(0, sq / b.length - mean * mean));
  }
}
