package io.sparksr.io.metadata;

import java.util.List;
import javax.imageio.plugins.jpeg.JPEGQTable;

/**
 * Estimates a JPEG's quality from its quantisation tables, assuming the IJG (libjpeg) scaling of
 * the standard tables (ITU T.81 Annex K) that libjpeg, the JDK, ImageMagick and most cameras'
 * software use: quality q scales a standard value s to {@code clamp((s * S + 50) / 100, 1, 255)}
 * with {@code S = q < 50 ? 5000 / q : 200 - 2q}. The estimate is the q whose tables are closest
 * (sum of absolute differences) to the file's luma (and chroma) tables: exact for files that
 * libjpeg's scaling made, like ImageMagick's {@code identify -format %Q}; the nearest IJG quality
 * for others.
 */
public final class JpegQuality {
  private static final int[] LUMA = JPEGQTable.K1Luminance.getTable();
  private static final int[] CHROMA = JPEGQTable.K2Chrominance.getTable();

  private JpegQuality() {}

  /**
   * @param tables the file's tables in natural order, luma first (as {@link JPEGQTable#getTable()})
   * @return quality 1..100
   */
  public static int estimate(List<int[]> tables) {
    int best = 1;
    long bestError = Long.MAX_VALUE;
    for (int q = 1; q <= 100; q++) {
      int scale = q < 50 ? 5000 / q : 200 - 2 * q;
      long error = 0;
      for (int t = 0; t < Math.min(2, tables.size()); t++) {
        int[] std = t == 0 ? LUMA : CHROMA;
        int[] actual = tables.get(t);
        for (int i = 0; i < 64; i++) {
          int expected = Math.max(1, Math.min(255, (std[i] * scale + 50) / 100));
          error += Math.abs(actual[i] - expected);
        }
      }
      if (error < bestError) {
        bestError = error;
        best = q;
      }
    }
    return best;
  }
}
