package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.degrade.LrDegradation;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.Rect;

/**
 * The side-by-side crops of the report: which region of an HR image is shown (the most detailed
 * one, so differences between models are visible) and where each panel's PNG lives. Panels are
 * {@code crops/<dataset>/<image stem>_x<scale>_<panel>.png} under the output, where panel is
 * {@code hr}, {@code bicubic} (of the clean LR), {@code bicubic_<degradation>} (of a degraded LR,
 * {@link #bicubicPanel}) or {@code <model>_<setting>} ({@link ModelNames#fileName}). A report row of crops shows one LR:
 * the HR, bicubic of that LR and every model's output from it.
 */
final class CropPanels {
  /** Side of a crop in HR pixels (divisible by 2, 3 and 4; smaller images give smaller crops). */
  static final int SIZE = 96;
  static final String DIR = "crops";
  static final String HR = "hr";
  static final String BICUBIC = "bicubic";
  private static final int STEP = 8;

  private CropPanels() {}

  /** A panel: its name (part of its file name) and its caption in the report. */
  record Spec(String name, String label) {}

  /** Path of a panel relative to the output folder. */
  static String relativePath(String dataset, String image, int scale, String panel) {
    return DIR + "/" + safe(dataset) + "/" + safe(stem(image)) + "_x" + scale + "_" + safe(panel)
        + ".png";
  }

  /**
   * The panel name of MATLAB bicubic from one LR: {@code bicubic} for the clean LR, else {@code
   * bicubic_<degradation>} ({@link #spell}): {@code noise3+jpeg90 -> bicubic_noise3_plus_jpeg90}.
   */
  static String bicubicPanel(String degradation) {
    if (degradation.equals(LrDegradation.CLEAN)) {
      return BICUBIC;
    }
    return BICUBIC + "_" + spell(degradation);
  }

  /**
   * The panel name of a model's output under a setting ({@link ModelNames#fileName}, {@link
   * #spell}): {@code whole@noise3+jpeg90 -> <model>_whole_noise3_plus_jpeg90}.
   */
  static String modelPanel(String model, String setting) {
    return ModelNames.fileName(model) + "_" + spell(setting);
  }

  /**
   * A degradation or setting name spelt for a file name so that distinct names give distinct
   * files: '_' doubled, '+' (which joins degradation steps and marks the x8 ensemble) as {@code
   * _plus_}, then {@link #safe} ('@', the setting's separator, becomes a single '_').
   */
  static String spell(String name) {
    return safe(name.replace("_", "__").replace("+", "_plus_"));
  }

  /**
   * The {@code SIZE x SIZE} window (clipped to the image) with the most detail: the largest sum of
   * absolute horizontal and vertical differences of the channel mean, over windows on an 8-pixel
   * grid; ties go to the first in row-major order. Deterministic, so every model at one image and
   * scale shows the same region.
   */
  static Rect pick(ImageTensor hr) {
    int w = hr.width();
    int h = hr.height();
    int cw = Math.min(SIZE, w);
    int ch = Math.min(SIZE, h);
    // per-pixel detail, then a summed-area table over it
    double[] sat = new double[(w + 1) * (h + 1)];
    int c = hr.channels() >= 3 ? 3 : 1;
    float[] d = hr.data();
    int plane = w * h;
    for (int y = 0; y < h; y++) {
      double rowSum = 0;
      for (int x = 0; x < w; x++) {
        double g = 0;
        for (int k = 0; k < c; k++) {
          int i = k * plane + y * w + x;
          if (x + 1 < w) {
            g += Math.abs(d[i + 1] - d[i]);
          }
          if (y + 1 < h) {
            g += Math.abs(d[i + w] - d[i]);
          }
        }
        rowSum += g;
        sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + rowSum;
      }
    }
    double best = -1;
    int bx = 0;
    int by = 0;
    for (int y = 0; y + ch <= h; y += STEP) {
      for (int x = 0; x + cw <= w; x += STEP) {
        double s = sat[(y + ch) * (w + 1) + x + cw] - sat[y * (w + 1) + x + cw]
            - sat[(y + ch) * (w + 1) + x] + sat[y * (w + 1) + x];
        if (s > best) {
          best = s;
          bx = x;
          by = y;
        }
      }
    }
    return new Rect(bx, by, cw, ch);
  }

  static String stem(String image) {
    int dot = image.lastIndexOf('.');
    return dot > 0 ? image.substring(0, dot) : image;
  }

  /** A name safe in a file name and a URL: letters, digits, '.', '_', '-'; anything else '_'. */
  static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
