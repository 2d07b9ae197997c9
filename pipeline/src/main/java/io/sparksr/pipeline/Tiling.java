package io.sparksr.pipeline;

import io.sparksr.partitioning.tiling.BorderPolicy;
import java.io.Serializable;
import java.util.Objects;

/**
 * The inference settings every step of the pipeline needs; the order of the components keeps
 * values of one type apart, so two cannot be swapped unnoticed.
 *
 * @param scale       2, 3 or 4
 * @param border      what the model sees outside the image
 * @param halo        context around each tile core, in input pixels
 * @param budgetBytes working memory of one forward pass (sets the batch size per tile shape)
 * @param tileSize    the run's tile core side, in input pixels: full tiles are
 *                    {@code tileSize + 2 * halo} wide, the batch shape edge tiles grow to
 */
public record Tiling(int scale, BorderPolicy border, int halo, long budgetBytes, int tileSize)
    implements Serializable {

  /** Working memory of one forward pass unless set ({@code batch-memory-mb}), in MiB. */
  public static final int DEFAULT_BATCH_MEMORY_MB = 256;

  public Tiling {
    Objects.requireNonNull(border, "border");
    if (halo < 0) {
      throw new IllegalArgumentException("'halo' is " + halo + " but must be >= 0");
    }
    if (tileSize < 1) {
      throw new IllegalArgumentException("'tile-size' is " + tileSize + " but must be >= 1");
    }
  }

  /** Padded side of a full tile ({@code tile-size + 2 * halo}): the standard batch shape. */
  public int standard() {
    return tileSize + 2 * halo;
  }
}
