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
 * input's path and size) is reused.
 */
public final class InputConverter {
  /** Tile side of converted inputs. */
  public static final int CONVERTED_TILE = 256;

  private InputConverter() {}

  public static void convert(Configuration c, ImageJob job) throws IOException {
    if (!job.convert()) {
      throw new IllegalArgumentException(job.input().path() + " is not planned for conversion");
    }
    if (!HadoopFiles.exists(c, job.source().path())) {
      ImageInfo info = new ImageStore(c).info(job.input().path());
      TiledTiffConverter.convert(c, info, job.source().path(), CONVERTED_TILE);
    }
  }
}
