package io.sparksr.io.png;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ar.com.hjg.pngj.IImageLine;
import ar.com.hjg.pngj.ImageLineInt;
import ar.com.hjg.pngj.PngReader;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.io.WriteOptions;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Adler32;
import java.util.zip.Inflater;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PNGs made of independently deflated bands: the zlib stream inflates (java.util.zip, zlib
 * itself) to the filtered rows whose Adler-32 it ends with; the pixels read back by two decoders
 * that share no code with the writer (the JDK's PNG reader, PNGJ) and by libvips when installed
 * equal the samples written, for every channel count, bit depth, filter, level and band split.
 */
class BandedPngTest {
  @TempDir
  Path dir;

  private final ImageStore store = new ImageStore(new Configuration());

  @Test
  void combinedAdlerEqualsTheAdlerOfTheConcatenation() {
    Random r = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      byte[] a = new byte[r.nextInt(100_000)];
      byte[] b = new byte[r.nextInt(100_000)];
      r.nextBytes(a);
      r.nextBytes(b);
      Adler32 whole = new Adler32();
      whole.update(a);
      whole.update(b);
      Adler32 x = new Adler32();
      x.update(a);
      Adler32 y = new Adler32();
      y.update(b);
      assertThat(PngBands.combineAdler32((int) x.getValue(), (int) y.getValue(), b.length))
          .isEqualTo((int) whole.getValue());
    }
  }

  @Test
  void everyFormatFilterLevelAndSplitDecodesToTheSamplesWritten() throws Exception {
    for (int channels = 1; channels <= 4; channels++) {
      for (int bits : new int[] {8, 16}) {
        Quantized q = Quantized.of(noisy(channels, 37, 53, channels * 31L + bits), bits);
        for (PngBands.Filter f : PngBands.Filter.values()) {
          for (int rows : new int[] {1, 5, 37}) {
            int level = f == PngBands.Filter.NONE ? 0 : rows == 5 ? 9 : 1;
            Path out = dir.resolve("c" + channels + "b" + bits + f + rows + ".png");
            byte[] template = template(channels, bits);
            List<PngBands.Band> bands = new ArrayList<>();
            for (int y = 0; y < q.height(); y += rows) {
              bands.add(PngBands.encode(PngRows.of(q), y, Math.min(rows, q.height() - y),
                  q.width(), channels, bits, level, f));
            }
            store.writePng(out.toString(), template, q.width(), q.height(),
                bands.stream().map(BandedPng.BandInfo::of).toList(),
                (i, o) -> o.write(bands.get(i).deflated()));
            String what = out.getFileName().toString();
            assertThat(store.read(out.toString()).tensor()).as(what).isEqualTo(q.toTensor());
            assertThat(pngj(out, channels, bits)).as(what).isEqualTo(q.samples());
            assertThat(inflatesToItsAdler(Files.readAllBytes(out))).as(what).isTrue();
          }
        }
      }
    }
  }

  @Test
  void imageStoreWritesPngsInBandsThatLibvipsReadsBack() throws Exception {
    ImageTensor t = noisy(3, 600, 301, 5); // 3 bands of 256 rows, the last one short
    Path out = dir.resolve("store.png");
    store.write(out.toString(), t, PixelFormat.of("png", 3, 8));
    Quantized expected = Quantized.of(t, 8);
    assertThat(pngj(out, 3, 8)).isEqualTo(expected.samples());
    if (vips()) {
      Path raw = dir.resolve("store.raw");
      Process p = new ProcessBuilder("vips", "rawsave", out.toString(), raw.toString())
          .redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(log).isTrue();
      assertThat(Files.readAllBytes(raw)).isEqualTo(interleaved(expected));
    }
  }

  @Test
  void levelsTradeSizeForTimeAndAllDecodeTheSame() throws Exception {
    ImageTensor t = noisy(3, 300, 200, 9, 0.002); // a smooth photo: deflate has work to do
    long stored = 0;
    long best = Long.MAX_VALUE;
    for (int level : new int[] {0, 1, 6, 9}) {
      Path out = dir.resolve("l" + level + ".png");
      store.write(out.toString(), t, PixelFormat.of("png", 3, 8),
          WriteOptions.DEFAULTS.withPngCompression(level));
      assertThat(store.read(out.toString()).tensor()).isEqualTo(Quantized.of(t, 8).toTensor());
      long size = Files.size(out);
      if (level == 0) {
        stored = size;
      }
      best = Math.min(best, size);
    }
    assertThat(stored).isGreaterThan(300L * 200 * 3); // stored blocks hold every filtered byte
    assertThat(best).isLessThan(stored / 2);
    assertThatThrownBy(() -> WriteOptions.DEFAULTS.withPngCompression(10))
        .hasMessageContaining("png-compression");
  }

  @Test
  void bandsMustCoverTheRowsInOrder() {
    PngBands.Band a = PngBands.encode((y, d) -> { }, 0, 4, 8, 1, 8, 1, PngBands.Filter.UP);
    PngBands.Band c = PngBands.encode((y, d) -> { }, 8, 4, 8, 1, 8, 1, PngBands.Filter.UP);
    assertThatThrownBy(() -> BandedPng.write(new ByteArrayOutputStream(), template(1, 8), 8, 12,
        List.of(BandedPng.BandInfo.of(a), BandedPng.BandInfo.of(c)), (i, o) -> { }))
        .hasMessageContaining("band at row 8 but row 4 is next");
  }

  // ---------------------------------------------------------------------------------------------

  private byte[] template(int channels, int bits) throws Exception {
    return store.pngTemplate("t.png", PixelFormat.of("png", channels, bits),
        WriteOptions.DEFAULTS, null);
  }

  /** Values spread over the whole range with structure and noise (filters matter). */
  private static ImageTensor noisy(int c, int h, int w, long seed) {
    return noisy(c, h, w, seed, 0.05);
  }

  private static ImageTensor noisy(int c, int h, int w, long seed, double sigma) {
    Random r = new Random(seed);
    float[] d = new float[c * h * w];
    for (int i = 0; i < d.length; i++) {
      int x = i % w;
      int y = (i / w) % h;
      d[i] = (float) Math.min(1, Math.max(0, 0.5 + 0.4 * Math.sin(x / 7.0 + y / 11.0)
          + sigma * r.nextGaussian()));
    }
    return new ImageTensor(c, h, w, d);
  }

  /** The file's samples by PNGJ, planar like {@link Quantized#samples()}. */
  private static byte[] pngj(Path file, int channels, int bits) {
    PngReader r = new PngReader(new File(file.toString()));
    try {
      int w = r.imgInfo.cols;
      int h = r.imgInfo.rows;
      int bytes = bits / 8;
      byte[] out = new byte[channels * w * h * bytes];
      for (int y = 0; y < h; y++) {
        IImageLine line = r.readRow();
        int[] s = ((ImageLineInt) line).getScanline();
        for (int x = 0; x < w; x++) {
          for (int k = 0; k < channels; k++) {
            int v = s[x * channels + k];
            int o = (k * w * h + y * w + x) * bytes;
            if (bytes == 1) {
              out[o] = (byte) v;
            } else {
              out[o] = (byte) (v >>> 8);
              out[o + 1] = (byte) v;
            }
          }
        }
      }
      return out;
    } finally {
      r.close();
    }
  }

  /** Whether the IDAT data inflates with zlib, whose own Adler-32 check then passed. */
  private static boolean inflatesToItsAdler(byte[] png) throws Exception {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    for (BandedPng.Chunk c : BandedPng.chunks(png)) {
      if (c.type().equals("IDAT")) {
        idat.write(c.data());
      }
    }
    Inflater inf = new Inflater();
    inf.setInput(idat.toByteArray());
    byte[] buf = new byte[1 << 16];
    while (!inf.finished()) {
      if (inf.inflate(buf) == 0 && (inf.needsInput() || inf.needsDictionary())) {
        return false;
      }
    }
    boolean allUsed = inf.getRemaining() == 0;
    inf.end();
    return allUsed;
  }

  private static byte[] interleaved(Quantized q) {
    byte[] out = new byte[q.samples().length];
    byte[] row = new byte[q.width() * q.channels()];
    PngBands.Rows rows = PngRows.of(q);
    for (int y = 0; y < q.height(); y++) {
      rows.row(y, row);
      System.arraycopy(row, 0, out, y * row.length, row.length);
    }
    return out;
  }

  private static boolean vips() {
    try {
      Process p = new ProcessBuilder("vips", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
