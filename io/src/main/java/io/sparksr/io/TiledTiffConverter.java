package io.sparksr.io;

import ar.com.hjg.pngj.IImageLine;
import ar.com.hjg.pngj.ImageLineHelper;
import ar.com.hjg.pngj.ImageLineInt;
import ar.com.hjg.pngj.PngReader;
import ar.com.hjg.pngj.chunks.PngChunkPLTE;
import ar.com.hjg.pngj.chunks.PngChunkTRNS;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.tiling.Rect;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts an image without random access (PNG, JPEG, BMP) into an uncompressed tiled TIFF, once
 * and streaming, so that executors can then read any tile by region ({@link ImageStore#readRegion})
 * instead of decoding the whole image per partition. Memory is one band of {@code tileSize} rows.
 *
 * <p>PNG is decoded row by row with PNGJ (one pass). Other formats are read band by band through
 * {@link ImageStore#readRegion}: the JDK decoders restart at the top for every band, so this costs
 * about height / (2 * tileSize) whole decodes, but never more than a band of memory.
 *
 * <p>The target holds the same samples a whole decode gives (PNG palettes expanded the same way,
 * bit depths below 8 scaled to 8 bits, 16 bits kept), as classic TIFF up to 4 GiB and BigTIFF
 * beyond (read back by {@link TiledTiffReader}). It carries no ICC profile or orientation: the job
 * takes those from the source's header.
 */
public final class TiledTiffConverter {
  private static final Logger LOG = LoggerFactory.getLogger(TiledTiffConverter.class);

  private TiledTiffConverter() {}

  /**
   * Writes {@code target} (atomically) from {@code source}.
   *
   * @param info     the source's header ({@link ImageStore#info})
   * @param tileSize tile side of the target, a positive multiple of 16
   * @return whether the target is BigTIFF
   */
  public static boolean convert(Configuration conf, ImageInfo info, String target, int tileSize)
      throws IOException {
    PixelFormat f = info.format();
    TiledTiff.Layout layout = new TiledTiff.Layout(info.width(), info.height(), tileSize,
        f.channels(), f.bitDepth(), false, null, 1);
    long[] counts = new long[layout.tileCount()];
    java.util.Arrays.fill(counts, layout.rawTileBytes());
    long t0 = System.nanoTime();
    boolean big;
    String source = info.path();
    if (f.formatName().equals("png") && pngjAgrees(conf, source, f)) {
      try (PngBands bands = new PngBands(conf, source, layout)) {
        big = TiledTiff.write(conf, target, layout, counts, bands::copyTo, false);
      }
    } else {
      JdkBands bands = new JdkBands(new ImageStore(conf), source, layout);
      big = TiledTiff.write(conf, target, layout, counts, bands::copyTo, false);
    }
    LOG.info("converted {} ({}x{}) to tiled {} {} in {} s", source, info.width(), info.height(),
        big ? "BigTIFF" : "TIFF", target, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    return big;
  }

  /** Whether PNGJ decodes {@code source} to the channels the JDK decoder reports. */
  private static boolean pngjAgrees(Configuration conf, String source, PixelFormat f)
      throws IOException {
    Path p = new Path(source);
    try (InputStream in = AtomicFiles.fileSystem(conf, p).open(p)) {
      PngReader r = new PngReader(in, false);
      try {
        return PngBands.channels(r) == f.channels()
            && Math.max(8, r.imgInfo.bitDepth) == f.bitDepth();
      } finally {
        r.close();
      }
    } catch (RuntimeException e) {
      throw new ImageDecodeException(source, "PNG header: " + e.getMessage(), e);
    }
  }

  /**
   * Tiles handed out in row-major order, one band of tile rows decoded at a time: band rows are
   * stored interleaved, little-endian at 16 bits, exactly as the tiles are laid out.
   */
  private abstract static class Bands {
    final TiledTiff.Layout layout;
    final int bytesPerSample;
    final int rowBytes;
    final byte[] band;
    final byte[] tile;
    int loadedBand = -1;

    Bands(TiledTiff.Layout layout) {
      this.layout = layout;
      this.bytesPerSample = layout.bitDepth() / 8;
      this.rowBytes = layout.width() * layout.channels() * bytesPerSample;
      this.band = new byte[Math.multiplyExact(rowBytes, layout.tileSize())];
      this.tile = new byte[(int) layout.rawTileBytes()];
    }

    /** Fills {@code band} with image rows [y, y + rows). */
    abstract void load(int y, int rows) throws IOException;

    void copyTo(int index, OutputStream out) throws IOException {
      int t = layout.tileSize();
      int ty = index / layout.tilesAcross();
      int tx = index % layout.tilesAcross();
      if (ty != loadedBand) {
        if (ty != loadedBand + 1) {
          throw new IllegalStateException("tiles must be asked for in order");
        }
        int y = ty * t;
        load(y, Math.min(t, layout.height() - y));
        loadedBand = ty;
      }
      int rows = Math.min(t, layout.height() - ty * t);
      int x0 = tx * t;
      int w = Math.min(t, layout.width() - x0);
      int pixelBytes = layout.channels() * bytesPerSample;
      java.util.Arrays.fill(tile, (byte) 0);
      for (int y = 0; y < rows; y++) {
        System.arraycopy(band, y * rowBytes + x0 * pixelBytes, tile, y * t * pixelBytes,
            w * pixelBytes);
      }
      out.write(tile);
    }
  }

  private static final class PngBands extends Bands implements AutoCloseable {
    private final InputStream in;
    private final PngReader reader;
    private final PngChunkPLTE palette;
    private final PngChunkTRNS trns;
    private final String source;
    private int[] rgb;

    PngBands(Configuration conf, String source, TiledTiff.Layout layout) throws IOException {
      super(layout);
      this.source = source;
      Path p = new Path(source);
      this.in = AtomicFiles.fileSystem(conf, p).open(p);
      try {
        this.reader = new PngReader(in, false);
        reader.setMaxTotalBytesRead(0); // unlimited: the default stops at 900 MB
        this.palette = reader.imgInfo.indexed ? reader.getMetadata().getPLTE() : null;
        this.trns = reader.imgInfo.indexed ? reader.getMetadata().getTRNS() : null;
      } catch (RuntimeException e) {
        in.close();
        throw new ImageDecodeException(source, e.getMessage(), e);
      }
    }

    /** Channels PNGJ gives after palette expansion, matching the JDK's decode. */
    static int channels(PngReader r) {
      if (!r.imgInfo.indexed) {
        return r.imgInfo.channels;
      }
      PngChunkPLTE pal = r.getMetadata().getPLTE();
      PngChunkTRNS trns = r.getMetadata().getTRNS();
      boolean gray = true;
      for (int i = 0; i < pal.getNentries() && gray; i++) {
        int[] c = new int[3];
        pal.getEntryRgb(i, c);
        gray = c[0] == c[1] && c[1] == c[2];
      }
      return (gray ? 1 : 3) + (trns != null ? 1 : 0);
    }

    @Override
    void load(int y, int rows) throws IOException {
      int c = layout.channels();
      int bd = reader.imgInfo.bitDepth;
      int max = (1 << bd) - 1;
      try {
        for (int r = 0; r < rows; r++) {
          IImageLine line = reader.readRow(y + r);
          int[] s = ((ImageLineInt) line).getScanline();
          int[] samples = s;
          int step = reader.imgInfo.channels;
          if (reader.imgInfo.indexed) {
            rgb = trns != null ? ImageLineHelper.palette2rgba((ImageLineInt) line, palette, trns, rgb)
                : ImageLineHelper.palette2rgb((ImageLineInt) line, palette, rgb);
            samples = rgb;
            step = trns != null ? 4 : 3;
            bd = 8;
            max = 255;
          }
          int base = r * rowBytes;
          for (int x = 0; x < layout.width(); x++) {
            for (int ch = 0; ch < c; ch++) {
              // grey palettes keep R (and alpha, the last sample)
              int from = step == c ? ch : (ch == c - 1 && c == 2 ? step - 1 : 0);
              int v = samples[x * step + from];
              if (bytesPerSample == 1) {
                band[base + x * c + ch] = (byte) (bd < 8 ? v * 255 / max : v);
              } else {
                int at = base + (x * c + ch) * 2;
                band[at] = (byte) v;
                band[at + 1] = (byte) (v >>> 8);
              }
            }
          }
        }
      } catch (RuntimeException e) {
        throw new ImageDecodeException(source, "row " + y + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        reader.close();
      } finally {
        in.close();
      }
    }
  }

  private static final class JdkBands extends Bands {
    private final ImageStore store;
    private final String source;

    JdkBands(ImageStore store, String source, TiledTiff.Layout layout) {
      super(layout);
      this.store = store;
      this.source = source;
    }

    @Override
    void load(int y, int rows) throws IOException {
      ImageTensor t = store.readRegion(source, new Rect(0, y, layout.width(), rows));
      int c = layout.channels();
      int max = layout.bitDepth() == 8 ? 255 : 65535;
      float[] d = t.data();
      int plane = t.planeSize();
      int w = layout.width();
      for (int r = 0; r < rows; r++) {
        int base = r * rowBytes;
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            int q = Quantized.quantize(d[ch * plane + r * w + x], max);
            if (bytesPerSample == 1) {
              band[base + x * c + ch] = (byte) q;
            } else {
              int at = base + (x * c + ch) * 2;
              band[at] = (byte) q;
              band[at + 1] = (byte) (q >>> 8);
            }
          }
        }
      }
    }
  }
}
