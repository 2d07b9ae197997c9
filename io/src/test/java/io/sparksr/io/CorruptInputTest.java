package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sparksr.partitioning.tiling.Rect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every unreadable input is an {@link ImageDecodeException} naming the path, for every entry point. */
class CorruptInputTest {

  @TempDir
  Path dir;

  private final ImageStore store = new ImageStore(new Configuration());

  @Test
  void zeroByteFile() throws Exception {
    Path f = Files.createFile(dir.resolve("empty.png"));
    assertAllEntryPointsFail(f, "empty file (0 bytes)");
  }

  @Test
  void textFileNamedPng() throws Exception {
    Path f = Files.writeString(dir.resolve("notes.png"), "this is not an image\n".repeat(20));
    assertAllEntryPointsFail(f, "not an image in a known format");
  }

  @Test
  void missingFile() {
    assertAllEntryPointsFail(dir.resolve("missing.png"), "no such file");
  }

  @Test
  void directory() {
    assertAllEntryPointsFail(dir, "is a directory");
  }

  /** Cuts inside the signature, inside IHDR, after IHDR, inside IDAT, at IDAT's CRC. */
  @ParameterizedTest
  @ValueSource(ints = {1, 7, 8, 20, 33, 40, 500, 1500, -16})
  void truncatedPng(int cut) throws Exception {
    byte[] whole = encoded("png");
    Path f = truncated(whole, "cut.png", cut);
    ImageDecodeException e = catchThrowableOfType(() -> store.read(f.toString()), ImageDecodeException.class);
    assertThat(e).isNotNull();
    assertThat(e.path()).isEqualTo(f.toString());
    assertThat(e).hasMessageStartingWith("cannot decode " + f + ": ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiff", "jpeg", "bmp"})
  void truncatedOtherFormats(String format) throws Exception {
    byte[] whole = encoded(format);
    for (int cut : new int[] {6, whole.length / 3, whole.length / 2, whole.length - 100}) {
      Path f = truncated(whole, "cut." + format, cut);
      assertThatThrownBy(() -> store.read(f.toString()))
          .as("%s cut at %d of %d", format, cut, whole.length)
          .isInstanceOf(ImageDecodeException.class)
          .hasMessageStartingWith("cannot decode " + f + ": ");
    }
  }

  @Test
  void truncatedTiledTiffRegion() throws Exception {
    Path whole = dir.resolve("whole.tif");
    store.writeTiledTiff(whole.toString(), TestImages.random(3, 300, 300, 1), PixelFormat.of("tiff", 3, 8), 64);
    byte[] bytes = Files.readAllBytes(whole);
    Path f = truncated(bytes, "cut.tif", bytes.length / 2);
    assertThatThrownBy(() -> store.readRegion(f.toString(), new Rect(0, 0, 300, 300)))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(f.toString());
  }

  @Test
  void corruptBytesInsidePngData() throws Exception {
    byte[] bytes = encoded("png");
    for (int i = 200; i < 260; i++) {
      bytes[i] ^= 0x5a;
    }
    Path f = Files.write(dir.resolve("flipped.png"), bytes);
    assertThatThrownBy(() -> store.read(f.toString()))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(f.toString());
  }

  private void assertAllEntryPointsFail(Path f, String reason) {
    String path = f.toString();
    for (ThrowingCall call : new ThrowingCall[] {
        () -> store.read(path), () -> store.info(path), () -> store.readRegion(path, new Rect(0, 0, 1, 1))}) {
      ImageDecodeException e = catchThrowableOfType(call::run, ImageDecodeException.class);
      assertThat(e).isNotNull();
      assertThat(e).hasMessage("cannot decode " + path + ": " + e.reason());
      assertThat(e.path()).isEqualTo(path);
      assertThat(e.reason()).contains(reason);
    }
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  private byte[] encoded(String format) throws Exception {
    Path f = dir.resolve("whole." + format);
    store.write(f.toString(), TestImages.random(3, 64, 80, 9), PixelFormat.of(format, 3, 8));
    return Files.readAllBytes(f);
  }

  /** The first {@code cut} bytes (negative: all but the last {@code -cut}). */
  private Path truncated(byte[] whole, String name, int cut) throws Exception {
    int n = cut < 0 ? whole.length + cut : cut;
    return Files.write(dir.resolve(name), Arrays.copyOf(whole, n));
  }

  @Test
  void messagesAreReadable() {
    assertThat(new ImageDecodeException("a/b.png", "bad").getMessage())
        .isEqualTo("cannot decode a/b.png: bad");
    assertThat(new ImageEncodeException("a/b.png", "bad").getMessage())
        .isEqualTo("cannot encode a/b.png: bad");
  }
}
