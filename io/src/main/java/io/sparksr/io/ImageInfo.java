package io.sparksr.io;

import io.sparksr.partitioning.tiling.Rect;
import java.io.Serializable;

/**
 * An image's header, read without decoding pixels.
 *
 * @param path fully qualified path ({@code file:/...}, {@code hdfs://...})
 * @param regionReadable a region can be decoded without decoding the whole image (tiled TIFF, or
 *     TIFF with more than one strip, or BigTIFF); see {@link ImageStore#readRegion}
 * @param orientation the EXIF / TIFF orientation, 1..8 (1 = as stored; see {@link ExifOrientation}):
 *     how the stored pixels must be turned to display upright. Decoding never applies it.
 * @param bytes the file's size
 * @param modified the file's modification time (ms since the epoch, the file system's clock;
 *     -1 when unknown)
 */
public record ImageInfo(String path, int width, int height, PixelFormat format,
    boolean regionReadable, int orientation, long bytes, long modified) implements Serializable {

  /** An image stored upright, of unknown file size. */
  public ImageInfo(String path, int width, int height, PixelFormat format,
      boolean regionReadable) {
    this(path, width, height, format, regionReadable, 1, -1, -1);
  }

  public Rect bounds() {
    return new Rect(0, 0, width, height);
  }
}
