package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.Rect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile headers and pixel kinds: the pixel limit is enforced from the header before any pixel
 * buffer is allocated (decompression bombs of a few hundred bytes), TIFF directories cannot make
 * the reader allocate what the file does not hold, CMYK / YCCK JPEGs convert to the right RGB, and
 * unreadable files are typed decode errors. The files are made here, byte by byte.
 */
class HostileInputTest {

  @TempDir
  Path dir;

  private final ImageStore store = new ImageStore(new Configuration());

  // ---------------------------------------------------------------------------------------------
  // Decompression bombs: the header claims far more pixels than the file could ever hold

  @Test
  void pngBombFailsOnItsHeaderAtEveryEntryPoint() throws Exception {
    Path f = Files.write(dir.resolve("bomb.png"), HostileBytes.pngHeaderOnly(65535, 65535));
    assertThat(Files.size(f)).isLessThan(1024);
    assertBomb(f, "65535x65535", "4294.8 MP");
  }

  @Test
  void tiffJpegAndBmpBombsFailOnTheirHeaders() throws Exception {
    assertBomb(Files.write(dir.resolve("bomb.tif"), HostileBytes.tiffHeaderOnly(100_000, 100_000)),
        "100000x100000", "10000.0 MP");
    byte[] jpeg = encoded("jpeg", 3);
    int sof = sofOffset(jpeg);
    ByteBuffer.wrap(jpeg).order(ByteOrder.BIG_ENDIAN).putShort(sof + 5, (short) 65500)
        .putShort(sof + 7, (short) 65500);
    assertBomb(Files.write(dir.resolve("bomb.jpg"), jpeg), "65500x65500", "4290.3 MP");
    // BMP: the JDK's reader already refuses a size its data cannot hold; either way, typed
    byte[] bmp = encoded("bmp", 3);
    ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(18, 60000).putInt(22, 60000);
    Path bomb = Files.write(dir.resolve("bomb.bmp"), bmp);
    ImageDecodeException e = catchThrowableOfType(() -> store.read(bomb.toString()),
        ImageDecodeException.class);
    assertThat(e).isNotNull();
    assertThat(e.reason()).containsAnyOf("60000x60000 pixels (3600.0 MP)",
        "Invalid width/height");
  }

  @Test
  void theLimitIsConfigurableAndTheDefaultAdmitsA40000SquareScan() throws Exception {
    Path ok = dir.resolve("small.png");
    store.write(ok.toString(), TestImages.random(3, 20, 30, 1), PixelFormat.of("png", 3, 8));
    Configuration conf = new Configuration();
    conf.setDouble(ImageStore.MAX_MEGAPIXELS_KEY, 0.0005);  // 500 pixels
    ImageDecodeException e = catchThrowableOfType(
        () -> new ImageStore(conf).read(ok.toString()), ImageDecodeException.class);
    assertThat(e.reason()).contains("30x20 pixels (0.0 MP)").contains("limit of 0.0005 MP");
    assertThat(store.read(ok.toString()).tensor().width()).isEqualTo(30);
    // the default lets the header of a 40000x40000 scan through (then read by region)
    Path scan = Files.write(dir.resolve("scan.png"), HostileBytes.pngHeaderOnly(40000, 40000));
    ImageInfo info = store.info(scan.toString());
    assertThat((long) info.width() * info.height()).isEqualTo(1_600_000_000L);
    assertThat(ImageStore.DEFAULT_MAX_MEGAPIXELS).isGreaterThanOrEqualTo(1600)
        .isLessThan(65535.0 * 65535 / 1e6);
  }

  @Test
  void aWholeDecodeThatCannotFitTheHeapIsRefusedBeforeDecoding() throws Exception {
    // 20000 x 20000 RGB passes the pixel limit, but 0.4 G pixels x 3 x (4 + 1) bytes = 6 GB
    Path scan = Files.write(dir.resolve("scan.png"), HostileBytes.pngHeaderOnly(20000, 20000));
    assertThat(Runtime.getRuntime().maxMemory()).as("test heap").isLessThan(6_000_000_000L);
    ImageDecodeException e = catchThrowableOfType(() -> store.read(scan.toString()),
        ImageDecodeException.class);
    assertThat(e.reason()).contains("needs about").contains("more than this JVM's heap");
  }

  private void assertBomb(Path f, String size, String megapixels) {
    for (ThrowingCall call : new ThrowingCall[] {() -> store.info(f.toString()),
        () -> store.read(f.toString()), () -> store.readRegion(f.toString(), new Rect(0, 0, 8, 8))}) {
      ImageDecodeException e = catchThrowableOfType(call::run, ImageDecodeException.class);
      assertThat(e).as(f.getFileName().toString()).isNotNull();
      assertThat(e.getMessage()).startsWith("cannot decode " + f + ": ")
          .contains(size).contains(megapixels).contains("limit of 2500 MP")
          .contains("'max-megapixels'");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // TIFF directories that point past the end of the file

  @Test
  void aTiledTiffWhoseTileIndexPointsPastTheEndFailsWithoutAllocating() throws Exception {
    Path whole = dir.resolve("tiled.tif");
    store.writeTiledTiff(whole.toString(), TestImages.random(3, 64, 64, 3),
        PixelFormat.of("tiff", 3, 8), 32);
    Path big = dir.resolve("big.tif");
    TiledTiff.Layout layout = new TiledTiff.Layout(64, 64, 32, 3, 8, false, null, 1);
    long[] counts = new long[layout.tileCount()];
    java.util.Arrays.fill(counts, layout.rawTileBytes());
    byte[] tile = new byte[(int) layout.rawTileBytes()];
    TiledTiff.write(new Configuration(), big.toString(), layout, counts,
        (i, out) -> out.write(tile), true);
    byte[] bytes = Files.readAllBytes(big);
    assertThat(TiledTiffReader.isBigTiff(bytes)).isTrue();
    // every 8-byte field equal to a tile's byte count becomes 2^40: past any file's end
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int patched = 0;
    for (int at = 16; at + 8 <= bytes.length; at += 4) {
      if (b.getLong(at) == layout.rawTileBytes()) {
        b.putLong(at, 1L << 40);
        patched++;
      }
    }
    assertThat(patched).isPositive();
    Path hostile = Files.write(dir.resolve("hostile.tif"), bytes);
    ImageDecodeException e = catchThrowableOfType(
        () -> store.readRegion(hostile.toString(), new Rect(0, 0, 8, 8)), ImageDecodeException.class);
    assertThat(e).isNotNull();
    assertThat(e.reason()).contains("past the end of the file");
  }

  // ---------------------------------------------------------------------------------------------
  // CMYK and YCCK JPEG

  @Test
  void cmykAndYcckJpegsDecodeToTheRgbOfTheirInks() throws Exception {
    int w = 48;
    int h = 32;
    int[][] ink = CmykFixtures.inks(w, h);
    ImageTensor expected = CmykFixtures.rgbOfInks(ink, w, h);
    for (String variant : new String[] {"plain", "adobe", "ycck"}) {
      Path f = Files.write(dir.resolve(variant + ".jpg"),
          CmykFixtures.cmykJpeg(ink, w, h, variant));
      ImageInfo info = store.info(f.toString());
      assertThat(info.format()).isEqualTo(PixelFormat.of("jpeg", 3, 8));
      DecodedImage d = store.read(f.toString());
      assertThat(d.format()).isEqualTo(PixelFormat.of("jpeg", 3, 8));
      assertThat(TestImages.meanAbsDiff(d.tensor(), expected)).as(variant).isLessThan(2 / 255.0);
      assertThat(TestImages.maxAbsDiff(d.tensor(), expected)).as(variant).isLessThan(16 / 255.0);
      ImageTensor region = store.readRegion(f.toString(), new Rect(8, 4, 20, 16));
      assertThat(TestImages.maxAbsDiff(region, d.tensor().crop(new Rect(8, 4, 20, 16))))
          .as(variant + " region").isLessThan(1e-6);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Unreadable files

  @Test
  void anUnreadableFileIsATypedDecodeErrorOrReadsWhenRunningAsRoot() throws Exception {
    Path f = dir.resolve("locked.png");
    store.write(f.toString(), TestImages.random(3, 8, 8, 2), PixelFormat.of("png", 3, 8));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
    try {
      if (Files.isReadable(f)) {
        // root (or CAP_DAC_OVERRIDE) reads files whatever their mode: the read must then succeed
        System.out.println("HostileInputTest: running as a user that ignores file modes (root?):"
            + " chmod 000 does not stop reads, asserting that the file decodes instead");
        assertThat(store.read(f.toString()).tensor().width()).isEqualTo(8);
      } else {
        ImageDecodeException e = catchThrowableOfType(() -> store.read(f.toString()),
            ImageDecodeException.class);
        assertThat(e).isNotNull();
        assertThat(e.reason()).contains("cannot be opened").containsIgnoringCase("permission denied");
      }
    } finally {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  /** The offset of the SOF0 marker (FF C0) of a baseline JPEG. */
  static int sofOffset(byte[] jpeg) {
    for (int i = 2; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) {
        return i;
      }
    }
    throw new AssertionError("no SOF0");
  }

  private byte[] encoded(String format, int channels) throws Exception {
    Path f = dir.resolve("seed-" + format + "." + format);
    store.write(f.toString(), TestImages.random(channels, 24, 32, 5),
        PixelFormat.of(format, channels, 8));
    return Files.readAllBytes(f);
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }
}
