package io.sparksr.pipeline;

import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TilePlanner;
import java.io.Serializable;
import java.util.Objects;

/**
 * An input image accepted for upscaling: where its tiles are read from and how its output is
 * written. Made by the upscale planner; every tile of the image carries it ({@link TileTask}).
 *
 * @param index    position in the run's list of images
 * @param input    the input image as found (qualified path), its size and orientation
 * @param source   where tiles are read from, and how
 * @param output   the output file
 * @param format   the output's format (codec, channels, bit depth, ICC profile)
 * @param tileSize tile core size for this image, in input pixels
 * @param parts    for an output written as a tiled (Big)TIFF assembled from compressed tiles:
 *                 where those tiles go; {@code null} for an output encoded whole
 */
public record ImageJob(int index, Input input, Source source, String output, PixelFormat format,
    int tileSize, Parts parts) implements Serializable {

  /**
   * The input file.
   *
   * @param path        qualified path
   * @param relative    its path below its input root, '/'-separated (the output mirrors it)
   * @param width       width as stored (before the orientation is applied)
   * @param height      height as stored
   * @param bytes       file size
   * @param orientation EXIF orientation 1..8, applied to the output
   */
  public record Input(String path, String relative, int width, int height, long bytes,
      int orientation) implements Serializable {
    public Input {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(relative, "relative");
      if (orientation < 1 || orientation > 8) {
        throw new IllegalArgumentException("'orientation' is " + orientation + " but must be 1..8");
      }
    }
  }

  /** How an image's tiles are read. */
  public enum Access {
    /** Decoded per partition: the band of rows the partition's tiles need (PNG, JPEG, BMP...). */
    DECODE,
    /** Read tile by tile, by region (tiled TIFF inputs). */
    REGION,
    /** First converted, streaming, to a tiled TIFF at {@link Source#path}, then read by region. */
    CONVERT
  }

  /**
   * Where tiles are read from.
   *
   * @param path   the input, or (for {@link Access#CONVERT}) its tiled-TIFF conversion
   * @param access how
   */
  public record Source(String path, Access access) implements Serializable {
    public Source {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(access, "access");
    }

    public boolean regionReadable() {
      return access != Access.DECODE;
    }
  }

  /**
   * The compressed tiles of a tiled output, in a hidden folder beside it until it is assembled:
   * {@code .<output name>.<key>.parts}, the key (hex digits) naming what they were computed from
   * (the planner's: settings and the input's identity), so that a rerun reuses only tiles of the
   * same computation. Once the output is written, every such folder of it goes
   * ({@link ImageAssembler}).
   *
   * @param dir    the folder of its part files
   * @param resume the folder exists (an interrupted run): tiles already in it are reused
   */
  public record Parts(String dir, boolean resume) implements Serializable {
    private static final String SUFFIX = ".parts";

    /** The name of the folder of output {@code output}'s tiles computed under {@code key}. */
    public static String folderName(String output, String key) {
      if (!hex(key)) {
        throw new IllegalArgumentException("'key' is '" + key + "' but must be hex digits");
      }
      return "." + output + "." + key + SUFFIX;
    }

    /** Whether {@code folder} is a folder of output {@code output}'s tiles, under any key. */
    public static boolean isFolderOf(String folder, String output) {
      String head = "." + output + ".";
      return folder.startsWith(head) && folder.endsWith(SUFFIX)
          && folder.length() > head.length() + SUFFIX.length()
          && hex(folder.substring(head.length(), folder.length() - SUFFIX.length()));
    }

    private static boolean hex(String key) {
      return !key.isEmpty() && key.chars().allMatch(ch -> ch >= '0' && ch <= '9'
          || ch >= 'a' && ch <= 'f');
    }
  }

  public ImageJob {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(format, "format");
  }

  public int width() {
    return input.width();
  }

  public int height() {
    return input.height();
  }

  public boolean tiledOutput() {
    return parts != null;
  }

  public boolean convert() {
    return source.access() == Access.CONVERT;
  }

  /** The image's tiles at this halo and scale. */
  public TilePlan plan(int halo, int scale) {
    return TilePlanner.plan(input.width(), input.height(), tileSize, halo, scale);
  }

  /** Output width as displayed (orientations 5 to 8 swap the sides). */
  public long outputWidth(int scale) {
    return (long) (input.orientation() >= 5 ? input.height() : input.width()) * scale;
  }

  public long outputHeight(int scale) {
    return (long) (input.orientation() >= 5 ? input.width() : input.height()) * scale;
  }
}
