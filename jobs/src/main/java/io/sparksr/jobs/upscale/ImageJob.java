package io.sparksr.jobs.upscale;

import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TilePlanner;
import java.io.Serializable;

/**
 * An input image accepted for upscaling: where it is read from and how its output is written.
 *
 * @param index          position in the run's list of images
 * @param input          the input image (qualified path)
 * @param output         the output file
 * @param width          input width
 * @param height         input height
 * @param source         where tiles are read from: the input, or its tiled-TIFF conversion
 * @param regionReadable whether {@code source} can be read by region (tiled TIFF)
 * @param convert        whether {@code source} must first be made from the input
 * @param format         the output's format (codec, channels, bit depth, ICC profile)
 * @param orientation    the input's EXIF orientation (1..8), applied to the output
 * @param tileSize       tile core size for this image
 * @param tiledOutput    written as a tiled (Big)TIFF assembled from compressed tiles
 * @param partsDir       for a tiled output: the folder of its compressed tiles
 * @param resumeParts    that folder exists (an interrupted run): reuse the tiles in it
 * @param inputBytes     the input's file size
 */
record ImageJob(int index, String input, String output, int width, int height, String source,
    boolean regionReadable, boolean convert, PixelFormat format, int orientation, int tileSize,
    boolean tiledOutput, String partsDir, boolean resumeParts, long inputBytes)
    implements Serializable {

  TilePlan plan(int halo, int scale) {
    return TilePlanner.plan(width, height, tileSize, halo, scale);
  }

  /** Output width as displayed (orientations 5 to 8 swap the sides). */
  long outputWidth(int scale) {
    return (long) (orientation >= 5 ? height : width) * scale;
  }

  long outputHeight(int scale) {
    return (long) (orientation >= 5 ? width : height) * scale;
  }
}
