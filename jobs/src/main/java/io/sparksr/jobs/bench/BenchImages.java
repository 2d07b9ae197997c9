package io.sparksr.jobs.bench;

import ar.com.hjg.pngj.ImageInfo;
import ar.com.hjg.pngj.ImageLineInt;
import ar.com.hjg.pngj.PngWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Random;

/** Photo-like synthetic PNGs for benchmarks (gradients, edges, texture, mild noise), row by row. */
public final class BenchImages {
  private BenchImages() {}

  /**
   * Writes a width×height RGB PNG, deterministic in its size, atomically (a temporary name, then
   * renamed: an interrupted bench leaves no partial input behind). Memory: one row.
   */
  public static void write(Path path, int width, int height) throws IOException {
    io.sparksr.io.AtomicFiles.write(new org.apache.hadoop.conf.Configuration(),
        new org.apache.hadoop.fs.Path(path.toAbsolutePath().toUri()).toString(), (fs, tmp) -> {
          try (OutputStream os = io.sparksr.io.AtomicFiles.create(fs, tmp)) {
            png(os, width, height);
          }
        });
  }

  private static void png(OutputStream os, int width, int height) {
    ImageInfo info = new ImageInfo(width, height, 8, false);
    Random rnd = new Random(width * 31L + height);
    PngWriter w = new PngWriter(os, info);
    w.setCompLevel(4);
    ImageLineInt line = new ImageLineInt(info);
    int[] s = line.getScanline();
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double base = 0.5 + 0.25 * Math.sin(x / 53.0 + y / 71.0) * Math.cos(y / 37.0);
        double edge = ((x / 97 + y / 61) & 1) == 0 ? 0.12 : -0.12;
        double texture = 0.05 * Math.sin(x * 0.9) * Math.sin(y * 0.7);
        for (int c = 0; c < 3; c++) {
          double v = base + edge * (c == 1 ? -1 : 1) + texture + 0.02 * c
              + 0.01 * rnd.nextGaussian();
          s[x * 3 + c] = Math.max(0, Math.min(255, (int) Math.round(v * 255)));
        }
      }
      w.writeRow(line);
    }
    w.end();
  }
}
