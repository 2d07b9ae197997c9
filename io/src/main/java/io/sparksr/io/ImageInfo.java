package io.sparksr.io;

import io.sparksr.partitioning.Rect;
import java.io.Serializable;

/**
 * An image's header, read without decoding pixels.
 *
 * @param path fully qualified path ({@code file:/...}, {@code hdfs://...})
 * @param regionReadable a region can be decoded without decoding the whole image (tiled TIFF, or
 *     TIFF with more than one strip); see {@link ImageStore#readRegion}
 */
public record ImageInfo(String path, int width, int height, PixelFormat format,
    boolean regionReadable) implements Serializable {

  public Rect bounds() {
    return new Rect(0, 0, width, height);
  }
}
