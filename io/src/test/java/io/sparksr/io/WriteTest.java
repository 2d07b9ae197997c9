package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.Rect;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.InflaterInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteTest {

  @TempDir
  Path dir;

  private final ImageStore store = new ImageStore(new Configuration());
  private final ImageTensor rgb = TestImages.random(3, 20, 30, 3);

  @Test
  void writeLeavesOnlyTheTargetAndCreatesParents() throws Exception {
    Path target = dir.resolve("a/b/out.png");
    store.write(target.toString(), rgb, PixelFormat.of("png", 3, 8));
    assertThat(names(target.getParent())).containsExactly("out.png");
  }

  /**
   * A name that fits the file system's 255 bytes is written, whatever the length of its hidden
   * temporary: 110 'é' + '.png' is 224 UTF-8 bytes, its '.<name>.<uuid>.tmp' would be 266.
   */
  @Test
  void aLongNonAsciiNameIsWrittenAndItsTemporaryFits() throws Exception {
    String name = "\u00e9".repeat(110) + ".png";
    assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(224);
    Path target = dir.resolve(name);
    store.write(target.toString(), rgb, PixelFormat.of("png", 3, 8));
    assertThat(names(dir)).containsExactly(name);
    assertThat(store.read(target.toString()).tensor()).isEqualTo(TestImages.quantised(rgb, 8));
    String tmp = AtomicFiles.tempName(name);
    assertThat(tmp.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
    assertThat(tmp).startsWith(".\u00e9").endsWith(".tmp");
    // a 4-byte character is never cut in half
    String emoji = "\ud83d\udcf7".repeat(60) + ".jpg";
    String cut = AtomicFiles.tempName(emoji);
    assertThat(cut.codePoints().filter(c -> c <= 0xFFFF && Character.isSurrogate((char) c)))
        .isEmpty();
    assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
  }

  @Test
  void overwriteReplacesTheFile() throws Exception {
    Path target = dir.resolve("out.png");
    store.write(target.toString(), rgb, PixelFormat.of("png", 3, 8));
    ImageTensor other = TestImages.random(3, 20, 30, 4);
    store.write(target.toString(), other, PixelFormat.of("png", 3, 8));
    assertThat(store.read(target.toString()).tensor()).isEqualTo(TestImages.quantised(other, 8));
    assertThat(names(dir)).containsExactly("out.png");
  }

  @Test
  void unwritableFormatFailsAfterTheTemporaryFileExistedAndLeavesNothing() throws Exception {
    Path target = dir.resolve("out.gif");
    assertThatThrownBy(() -> store.write(target.toString(), rgb, PixelFormat.of("gif", 3, 8)))
        .isInstanceOf(ImageEncodeException.class)
        .hasMessage("cannot encode " + target + ": format 'gif' cannot be written (writable: bmp, jpeg, png, tiff)");
    assertThat(names(dir)).isEmpty();
  }

  @Test
  void failedWriteKeepsThePreviousFile() throws Exception {
    Path target = dir.resolve("out.jpg");
    store.write(target.toString(), rgb, PixelFormat.of("jpeg", 3, 8));
    byte[] before = Files.readAllBytes(target);
    ImageTensor rgba = TestImages.random(4, 20, 30, 5);
    assertThatThrownBy(() -> store.write(target.toString(), rgba, PixelFormat.of("jpeg", 4, 8)))
        .isInstanceOf(ImageEncodeException.class)
        .hasMessageContaining(target.toString())
        .hasMessageContaining("jpeg cannot store alpha");
    assertThat(Files.readAllBytes(target)).isEqualTo(before);
    assertThat(names(dir)).containsExactly("out.jpg");
  }

  @Test
  void failedWriteOfNewFileLeavesNothing() throws Exception {
    Path target = dir.resolve("x/out.bmp");
    assertThatThrownBy(() -> store.write(target.toString(), TestImages.random(2, 5, 5, 1), PixelFormat.of("bmp", 2, 8)))
        .isInstanceOf(ImageEncodeException.class)
        .hasMessageContaining("bmp cannot store alpha");
    assertThat(names(target.getParent())).isEmpty();
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> store.write(dir.resolve("a.png").toString(), rgb, PixelFormat.of("png", 4, 8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 3 channels but 'format'");
    assertThatThrownBy(() -> store.write(dir.resolve("a.png").toString(), rgb, PixelFormat.of("jpeg", 3, 8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has the extension of png but the format to write is 'jpeg'");
    assertThatThrownBy(() -> new WriteOptions(0f)).hasMessage("'jpeg-quality' is 0.0 but must be in (0, 1]");
  }

  @Test
  void iccProfileRoundTripsThroughPngWithoutConvertingPixels() throws Exception {
    for (int cs : new int[] {ColorSpace.CS_LINEAR_RGB, ColorSpace.CS_GRAY}) {
      byte[] icc = ICC_Profile.getInstance(cs).getData();
      int channels = cs == ColorSpace.CS_GRAY ? 1 : 3;
      ImageTensor t = TestImages.random(channels, 12, 17, cs);
      PixelFormat format = PixelFormat.of("png", channels, 16).withIccProfile(icc);
      Path file = dir.resolve("icc" + cs + ".png");

      store.write(file.toString(), t, format);

      assertThat(pngIccp(Files.readAllBytes(file))).as("iCCP chunk, inflated").isEqualTo(icc);
      DecodedImage back = store.read(file.toString());
      assertThat(back.format()).isEqualTo(format);
      assertThat(back.tensor()).isEqualTo(TestImages.quantised(t, 16));
      assertThat(store.info(file.toString()).format().iccProfile()).isEqualTo(icc);
    }
  }

  @Test
  void iccProfileRoundTripsThroughTiff() throws Exception {
    byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
    PixelFormat format = PixelFormat.of("tiff", 3, 8).withIccProfile(icc);
    Path file = dir.resolve("icc.tif");
    store.write(file.toString(), rgb, format);
    DecodedImage back = store.read(file.toString());
    assertThat(back.format()).isEqualTo(format);
    assertThat(back.tensor()).isEqualTo(TestImages.quantised(rgb, 8));
  }

  @Test
  void iccProfileTravelsThroughJpeg() throws Exception {
    byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
    Path file = dir.resolve("icc.jpg");
    store.write(file.toString(), TestImages.smooth(3, 32, 32), PixelFormat.of("jpeg", 3, 8).withIccProfile(icc));
    byte[] back = store.read(file.toString()).format().iccProfile();
    assertThat(back).isNotNull();
    assertThat(ICC_Profile.getInstance(back).getColorSpaceType()).isEqualTo(ColorSpace.TYPE_RGB);
  }

  /**
   * An embedded profile is a label: the samples decoded from a JPEG carrying one are exactly those
   * of the same JPEG without it (the JDK's reader converted them to sRGB by default, and the
   * profile was then written again over sRGB numbers). Whole image and a region.
   */
  @Test
  void aJpegsProfileDoesNotChangeItsDecodedSamples() throws Exception {
    byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
    ImageTensor t = TestImages.smooth(3, 32, 40);
    Path tagged = dir.resolve("tagged.jpg");
    Path plain = dir.resolve("plain.jpg");
    store.write(tagged.toString(), t, PixelFormat.of("jpeg", 3, 8).withIccProfile(icc));
    store.write(plain.toString(), t, PixelFormat.of("jpeg", 3, 8));
    DecodedImage a = store.read(tagged.toString());
    DecodedImage b = store.read(plain.toString());
    assertThat(a.format().iccProfile()).isNotNull();
    assertThat(maxDiff(a.tensor(), b.tensor())).isZero();
    Rect r = new Rect(8, 5, 20, 17);
    assertThat(maxDiff(store.readRegion(tagged.toString(), r), store.readRegion(plain.toString(),
        r))).isZero();
    // lossless formats: the tagged file's samples are the plain file's, exactly
    for (String f : new String[] {"png", "tiff"}) {
      Path lt = dir.resolve("tagged." + f);
      Path lp = dir.resolve("plain." + f);
      store.write(lt.toString(), t, PixelFormat.of(f, 3, 8).withIccProfile(icc));
      store.write(lp.toString(), t, PixelFormat.of(f, 3, 8));
      DecodedImage x = store.read(lt.toString());
      assertThat(x.format().iccProfile()).as(f).isNotNull();
      assertThat(maxDiff(x.tensor(), store.read(lp.toString()).tensor())).as(f).isZero();
      assertThat(maxDiff(store.readRegion(lt.toString(), r), store.readRegion(lp.toString(), r)))
          .as(f).isZero();
    }
  }

  private static float maxDiff(ImageTensor x, ImageTensor y) {
    assertThat(x.height()).isEqualTo(y.height());
    assertThat(x.width()).isEqualTo(y.width());
    float m = 0;
    for (int i = 0; i < x.data().length; i++) {
      m = Math.max(m, Math.abs(x.data()[i] - y.data()[i]));
    }
    return m;
  }

  @Test
  void plainImagesHaveNoProfile() throws Exception {
    Path file = dir.resolve("plain.png");
    store.write(file.toString(), rgb, PixelFormat.of("png", 3, 8));
    assertThat(pngIccp(Files.readAllBytes(file))).isNull();
    assertThat(store.read(file.toString()).format().iccProfile()).isNull();
  }

  /** The inflated profile of the PNG's iCCP chunk, parsed from the bytes (PNG spec 11.3.3.3). */
  private static byte[] pngIccp(byte[] png) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(png));
    in.skipBytes(8);
    while (in.available() > 0) {
      int length = in.readInt();
      byte[] type = new byte[4];
      in.readFully(type);
      byte[] data = new byte[length];
      in.readFully(data);
      in.readInt();
      if (new String(type, StandardCharsets.US_ASCII).equals("iCCP")) {
        int nul = 0;
        while (data[nul] != 0) {
          nul++;
        }
        assertThat(data[nul + 1]).as("compression method").isEqualTo((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new InflaterInputStream(new java.io.ByteArrayInputStream(data, nul + 2, data.length - nul - 2))
            .transferTo(out);
        return out.toByteArray();
      }
    }
    return null;
  }

  private static Stream<String> namesStream(Path folder) throws IOException {
    return Files.list(folder).map(p -> p.getFileName().toString()).sorted();
  }

  private static java.util.List<String> names(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return java.util.List.of();
    }
    try (Stream<String> s = namesStream(folder)) {
      return s.toList();
    }
  }
}
