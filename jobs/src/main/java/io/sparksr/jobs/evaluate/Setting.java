package io.sparksr.jobs.evaluate;

import io.sparksr.partitioning.degrade.LrDegradation;
import io.sparksr.partitioning.inference.SelfEnsemble;
import java.io.Serializable;

/**
 * An inference setting: how a model is run on an image. Part of the key of a result, so a sweep
 * over settings keeps one row per setting.
 *
 * @param tileSize     tile core size in LR pixels; 0 = the whole image as one tile (an image no
 *                     larger than the tile is one tile either way, with the same output)
 * @param selfEnsemble the x8 flips/rotations ensemble
 * @param degradation  applied to the LR before the model sees it ({@link LrDegradation#NONE}:
 *                     the clean MATLAB-bicubic LR)
 */
public record Setting(int tileSize, boolean selfEnsemble, LrDegradation degradation)
    implements Serializable {

  public Setting {
    if (tileSize < 0) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize + " but must be >= 0");
    }
    java.util.Objects.requireNonNull(degradation, "degradation");
  }

  /** A setting on the clean LR. */
  public Setting(int tileSize, boolean selfEnsemble) {
    this(tileSize, selfEnsemble, LrDegradation.NONE);
  }

  /**
   * {@code whole} or {@code tile<n>}, then {@code @<degradation>} for a degraded LR, then
   * {@code +x8} for the self-ensemble (clean settings keep the names they always had).
   */
  public String name() {
    return (tileSize == 0 ? "whole" : "tile" + tileSize)
        + (degradation.isClean() ? "" : "@" + degradation.name()) + (selfEnsemble ? "+x8" : "");
  }

  /** Operator runs per tile: {@link SelfEnsemble#RUNS} for the self-ensemble, else 1. */
  public int runs() {
    return selfEnsemble ? SelfEnsemble.RUNS : 1;
  }

  /** Whether {@code name} is the self-ensemble variant of another setting's name. */
  public static boolean isEnsembleName(String name) {
    return name.endsWith("+x8");
  }

  /** The plain setting name of a self-ensemble setting name ({@code tile64+x8 -> tile64}). */
  public static String plainName(String name) {
    return isEnsembleName(name) ? name.substring(0, name.length() - 3) : name;
  }

  /**
   * The degradation part of a setting name ({@code whole@noise3+jpeg90+x8 -> noise3+jpeg90}), or
   * {@value LrDegradation#CLEAN} for a setting on the clean LR.
   */
  public static String degradationName(String name) {
    String plain = plainName(name);
    int at = plain.indexOf('@');
    return at < 0 ? LrDegradation.CLEAN : plain.substring(at + 1);
  }

  /**
   * A setting name without its degradation ({@code whole@jpeg75+x8 -> whole+x8}): what stays the
   * same across the degradations of one sweep.
   */
  public static String baseName(String name) {
    String plain = plainName(name);
    int at = plain.indexOf('@');
    return (at < 0 ? plain : plain.substring(0, at)) + (isEnsembleName(name) ? "+x8" : "");
  }
}
