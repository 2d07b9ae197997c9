package io.sparksr.pipeline;

import java.io.Serializable;

/**
 * What upscaling a partition yields for one image: its {@link ImageOutcome} when the partition
 * held all of its tiles (it was stitched and written there), otherwise one {@link TileOutput} per
 * tile the partition held, to be put together with the other partitions' tiles
 * ({@link ImageAssembler}).
 */
public sealed interface Upscaled extends Serializable permits ImageOutcome, TileOutput {

  /** The image's index in the run's plan ({@link ImageJob#index}). */
  int imageIndex();
}
