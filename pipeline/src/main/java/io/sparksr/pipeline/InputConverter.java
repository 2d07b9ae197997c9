package io.sparksr.pipeline;

import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageInfo;
import io.sparksr.io.ImageStore;
import io.sparksr.io.TiledTiffConverter;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * Makes the tiled-TIFF source of an input without random access ({@link ImageJob.Access#CONVERT}),
 * once, streaming; a conversion left by an earlier run (written atomically, named after the
 * input's path and size) is reused unless the input changed after it was written (an edit that
 * keeps the size, as of a BMP or an uncompressed TIFF, keeps the name); an equal time, as on a
 * file system with 1 s resolution, counts as changed.
 */
public final class InputConverter {
  /** Tile side of converted inputs. */
  public static final int CONVERTED_TILE = 256;

  private InputConverter() {}

  public static void convert(Configuration c, ImageJob job) throws IOException {
    if (!job.convert()) {
      throw new IllegalArgumentException(job.input().path() + " is not planned for conversion");
    }
    String converted = job.source().path();
    if (!HadoopFiles.exists(c, converted)
        || HadoopFiles.modified(c, converted) <= HadoopFiles.modified(c, job.input().path())) {
      ImageInfo info = new ImageStore(c).info(job.input().path());
      TiledTiffConverter.convert(c, info, converted, CONVERTED_TILE);
    }
  }
}
