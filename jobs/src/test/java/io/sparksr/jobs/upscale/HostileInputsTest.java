package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.CmykFixtures;
import io.sparksr.io.DecodedImage;
import io.sparksr.io.ExifOrientation;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.HostileBytes;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.pipeline.ImageOutcome;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The hostile-input corpus, generated here (nothing downloaded), upscaled in ONE run of the job
 * (bicubic x2, Spark local mode): every input ends as a correct output (compared with whole-image
 * bicubic of the decoded input) or as a manifest row with a named reason; the other inputs are
 * unaffected; the failures are counted for the exit code; nothing is written outside the output
 * folder, whatever the input names. docs/UPSCALE.md "Hostile inputs" lists what this test asserts.
 */
public class HostileInputsTest extends SharedSpark {

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private final ImageStore store = new ImageStore(new Configuration());
  private final Random rnd = new Random(10);

  /** What the test expects of one input: ok (with a check of the output) or failed (reason). */
  private record Expect(String output, String reason, OutputCheck check) {}

  @FunctionalInterface
  private interface OutputCheck {
    void verify(String input, String output) throws Exception;
  }

  @Test
  public void everyHostileInputEndsAsACorrectOutputOrANamedFailure() throws Exception {
    File root = tmp.getRoot();
    Path in = tmp.newFolder("in").toPath();
    Path outside = tmp.newFolder("outside").toPath();
    Path out = root.toPath().resolve("out");
    Map<String, Expect> expect = new LinkedHashMap<>();

    // ---- images that must come out right -------------------------------------------------
    writePng(in.resolve("good.png"), 3, 8);
    expect.put("good.png", ok("good_x2.png", exact()));
    Files.write(in.resolve("wrong-ext.jpg"), pngBytes(3, 8));          // PNG bytes named .jpg
    expect.put("wrong-ext.jpg", ok("wrong-ext_x2.png", exact()));
    writePng(in.resolve("sixteen.png"), 3, 16);
    expect.put("sixteen.png", ok("sixteen_x2.png", exactWithDepth(16)));
    Files.write(in.resolve("one-bit.png"), oneBitPng());
    expect.put("one-bit.png", ok("one-bit_x2.png", exactWithDepth(8)));
    Files.write(in.resolve("palette-trns.png"), palettePng());
    expect.put("palette-trns.png", ok("palette-trns_x2.png", (i, o) -> {
      assertThat(store.read(o).format().channels()).isEqualTo(4);   // tRNS became alpha
      exact().verify(i, o);
    }));
    int[][] ink = CmykFixtures.inks(26, 18);
    for (String v : List.of("plain", "adobe", "ycck")) {
      Files.write(in.resolve("cmyk-" + v + ".jpg"), CmykFixtures.cmykJpeg(ink, 26, 18, v));
      expect.put("cmyk-" + v + ".jpg", ok("cmyk-" + v + "_x2.jpg", (i, o) -> {
        ImageTensor want = Resize.imresize(CmykFixtures.rgbOfInks(ink, 26, 18), 2);
        DecodedImage got = store.read(o);
        assertThat(got.format().channels()).isEqualTo(3);
        assertThat(meanAbsDiff(got.tensor(), want)).as(i).isLessThan(4 / 255.0);
      }));
    }
    Files.write(in.resolve("exif-rot6.jpg"), exifJpeg(6));
    expect.put("exif-rot6.jpg", ok("exif-rot6_x2.jpg", (i, o) -> {
      DecodedImage src = store.read(i);
      ImageTensor want = Dihedral.apply(Resize.imresize(src.tensor(), 2),
          ExifOrientation.toDihedral(6));
      ImageTensor got = store.read(o).tensor();
      assertThat(got.width()).isEqualTo(2 * src.tensor().height());   // turned upright
      assertThat(got.height()).isEqualTo(2 * src.tensor().width());
      assertThat(meanAbsDiff(got, want)).isLessThan(3 / 255.0);
    }));
    Files.write(in.resolve("multipage.tif"), multiPageTiff());
    expect.put("multipage.tif", ok("multipage_x2.tif", exact()));       // first page only
    Path gif = Files.write(root.toPath().resolve("anim.gif"), animatedGif());
    expect.put("anim.gif", ok("anim_x2.png", exact()));                 // first frame, as PNG

    // ---- hostile names: outputs stay in the folder ----------------------------------------
    for (String name : List.of("with space.png", "ünïcödé-✓.png", "a..b.png", "-rf.png",
        "--help.png", "\u2215etc\u2215passwd.png", "\uff0ffullwidth.png",
        "..%2F..%2Fescape.png", "new\nline.png", "colon:name.png", "100%.png")) {
      writePng(in.resolve(name), 3, 8);
      String stem = name.substring(0, name.lastIndexOf('.'));
      expect.put(name, ok(stem + "_x2.png", exact()));
    }
    writePng(in.resolve("..\\..\\back.png"), 3, 8);
    expect.put("..\\..\\back.png", failed("holds a path separator"));
    // names starting with '.' are ignored entries of folder walks (hidden); named as inputs, read
    Path dotted = writePng(root.toPath().resolve("..hidden.png"), 3, 8);
    expect.put("..hidden.png", ok("..hidden_x2.png", exact()));

    // ---- two inputs, one output name: the second (in name order) fails ---------------------
    Files.write(in.resolve("clash.bmp"), pngBytes(3, 8));               // PNG bytes named .bmp
    writePng(in.resolve("clash.png"), 3, 8);
    expect.put("clash.bmp", ok("clash_x2.png", exact()));
    expect.put("clash.png", failed("output name collides with that of"));

    // ---- links and permissions -------------------------------------------------------------
    Path target = writePng(outside.resolve("target.png"), 3, 8);
    Files.createSymbolicLink(in.resolve("link.png"), target);
    expect.put("link.png", ok("link_x2.png", exact()));
    Files.createSymbolicLink(in.resolve("dangling.png"), outside.resolve("missing.png"));
    expect.put("dangling.png", failed("no such file"));
    Files.createSymbolicLink(in.resolve("loop.png"), in.resolve("loop.png"));
    expect.put("loop.png", failed("no such file"));
    Path locked = writePng(in.resolve("locked.png"), 3, 8);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    boolean modesIgnored = Files.isReadable(locked);
    if (modesIgnored) {
      System.out.println("HostileInputsTest: this user reads files whatever their mode (root?):"
          + " chmod 000 does not stop reads here, so locked.png must come out right instead of"
          + " failing with 'Permission denied'");
      expect.put("locked.png", ok("locked_x2.png", exact()));
    } else {
      expect.put("locked.png", failed("Permission denied"));
    }
    // an output name already taken by a link to a file outside: replaced, the target untouched
    writePng(in.resolve("victim.png"), 3, 8);
    Path victimTarget = Files.write(outside.resolve("victim-target.png"), "keep".getBytes());
    Files.createDirectories(out);
    Files.createSymbolicLink(out.resolve("victim_x2.png"), victimTarget);
    expect.put("victim.png", ok("victim_x2.png", exact()));

    // ---- broken files -----------------------------------------------------------------------
    Files.createFile(in.resolve("empty.png"));
    expect.put("empty.png", failed("empty file (0 bytes)"));
    Files.writeString(in.resolve("notes.png"), "not an image\n".repeat(30));
    expect.put("notes.png", failed("not an image in a known format"));
    byte[] png = pngBytes(3, 8);
    byte[] jpeg = jpegBytes();
    byte[] tiff = tiffBytes();
    for (int cut : new int[] {8, 33, 60, png.length / 2, png.length - 12}) {
      Files.write(in.resolve("cut" + cut + ".png"), Arrays.copyOf(png, cut));
      expect.put("cut" + cut + ".png", failed("cannot decode"));
    }
    for (int cut : new int[] {2, 120, jpeg.length / 2, jpeg.length - 2}) {
      Files.write(in.resolve("cut" + cut + ".jpg"), Arrays.copyOf(jpeg, cut));
      expect.put("cut" + cut + ".jpg", failed("cannot decode"));
    }
    for (int cut : new int[] {8, tiff.length / 3, tiff.length / 2, tiff.length - 4}) {
      Files.write(in.resolve("cut" + cut + ".tif"), Arrays.copyOf(tiff, cut));
      expect.put("cut" + cut + ".tif", failed("cannot decode"));
    }
    Files.write(in.resolve("bomb.png"), HostileBytes.pngHeaderOnly(65535, 65535));
    expect.put("bomb.png", failed("header claims 65535x65535 pixels (4294.8 MP), more than the "
        + "limit of 2500 MP"));
    Files.write(in.resolve("bomb.tif"), HostileBytes.tiffHeaderOnly(100_000, 100_000));
    expect.put("bomb.tif", failed("header claims 100000x100000 pixels (10000.0 MP), more than "
        + "the limit of 2500 MP"));

    Map<String, String> before = snapshot(root.toPath(), out);
    List<String> parentBefore = listNames(root.toPath().getParent());

    UpscaleJobConfig cfg = UpscaleJobConfig.builder()
        .inputs(List.of(in.toString(), gif.toString(), dotted.toString(),
            in.resolve("..%2F..%2Fescape.png").toString(), in.resolve("..\\..\\back.png").toString()))
        .output(out.toString()).scale(2)
        .model("bicubic").tileSize(64).partitionMegapixels(1).overwrite(true).build();
    long t0 = System.nanoTime();
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    System.out.printf("HostileInputsTest: %d inputs, %d ok, %d failed in %.1f s%n",
        r.images().size(), r.succeeded(), r.failed(), (System.nanoTime() - t0) / 1e9);

    // every input has exactly one row, as expected
    Map<String, ImageOutcome> rows = new TreeMap<>();
    for (ImageOutcome o : r.images()) {
      String name = o.input().substring(o.input().lastIndexOf('/') + 1);
      assertThat(rows.put(name, o)).as("one row per input: %s", name).isNull();
    }
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(expect.keySet());
    long failures = 0;
    for (Map.Entry<String, Expect> e : expect.entrySet()) {
      ImageOutcome o = rows.get(e.getKey());
      Expect x = e.getValue();
      System.out.printf("  %-26s %-7s %s%n", e.getKey().replace("\n", "\\n"), o.status(),
          o.output() == null || o.isFailed() ? o.reason().replace(o.input(), "<input>")
              : o.output().substring(
              o.output().lastIndexOf('/') + 1));
      if (x.reason() != null) {
        failures++;
        assertThat(o.status()).as(e.getKey()).isEqualTo(ImageOutcome.FAILED);
        assertThat(o.reason()).as(e.getKey()).contains(x.reason());
        if (!x.reason().contains("collides")) {  // that output is the other input's
          assertThat(o.output() == null || !new File(localPath(o.output())).exists())
              .as("no output for failed %s", e.getKey()).isTrue();
        }
      } else {
        assertThat(o.status()).as("%s: %s", e.getKey(), o.reason()).isEqualTo(ImageOutcome.OK);
        String expectedOutput = out.toUri().getPath().replaceAll("/+$", "") + "/" + x.output();
        assertThat(localPath(o.output())).as(e.getKey()).isEqualTo(expectedOutput);
        x.check().verify(localPath(o.input()), expectedOutput);
      }
    }
    assertThat(r.failed()).isEqualTo(failures);
    // the pages no output holds are named in the row
    assertThat(rows.get("multipage.tif").metadata())
        .contains("dropped pages (1 more page(s) of a multi-page TIFF: only the first is read)");
    assertThat(UpscaleCommand.exitCode(r)).isEqualTo(1);
    assertThat(r.summary()).contains(failures + " failed");

    // nothing outside the output folder changed or appeared; inside it, only direct children
    assertThat(snapshot(root.toPath(), out)).isEqualTo(before);
    assertThat(listNames(root.toPath().getParent()).stream().filter(n -> n.contains("_x2")))
        .isEqualTo(parentBefore.stream().filter(n -> n.contains("_x2")).toList());
    assertThat(Files.readString(victimTarget)).isEqualTo("keep");
    assertThat(Files.isSymbolicLink(out.resolve("victim_x2.png"))).isFalse();
    try (Stream<Path> all = Files.walk(out)) {
      all.filter(Files::isRegularFile)
          .filter(p -> !p.startsWith(out.resolve(UpscaleJob.MANIFEST_PARQUET)))
          .forEach(p -> assertThat(p.getParent()).as(p.toString()).isEqualTo(out));
    }
    String csv = HadoopFiles.readText(new Configuration(), r.manifest());
    assertThat(csv).contains("\"" + rows.get("new\nline.png").input() + "\"");  // quoted
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-r--r--"));
  }

  @Test
  public void outputNamesThatCouldLeaveTheFolderOrHitTheRunsOwnFilesAreRefused() {
    for (String bad : List.of("", ".", "..", "..\\x.png", "a\0.png", "../b.png", "a/../b.png",
        "a//b.png", "a/./b.png", "../../etc/passwd_x2.png", "x\\..\\y/b.png",
        UpscaleJob.MANIFEST, UpscaleJob.MANIFEST_PARQUET, ".sparksr-work")) {
      assertThat(UpscalePlanner.unsafePath(bad)).as("'%s'", bad).isNotNull();
    }
    for (String fine : List.of("a.png", "..a_x2.png", "-rf_x2.png", "\u2215etc_x2.png",
        "new\nline_x2.png", "c:d_x2.png", "2019/trip/a_x2.png", "a/_manifest.csv",
        "\u00e9t\u00e9/new\nline/..a_x2.png")) {
      assertThat(UpscalePlanner.unsafePath(fine)).as("'%s'", fine).isNull();
    }
    // the output mirrors the input's path below its root, which the listing builds from names
    assertThat(UpscalePlanner.outputPath("file:/out", "2019/trip/a.png", "_x2", ".png"))
        .isEqualTo("file:/out/2019/trip/a_x2.png");
  }

  // ---------------------------------------------------------------------------------------------
  // Expectations

  private static Expect ok(String output, OutputCheck check) {
    return new Expect(output, null, check);
  }

  private static Expect failed(String reason) {
    return new Expect(null, reason, null);
  }

  /** The output equals whole-image MATLAB bicubic of the decoded input, quantised like it. */
  private OutputCheck exact() {
    return (input, output) -> {
      DecodedImage src = store.read(input);
      ImageTensor want = Quantized.of(Resize.imresize(src.tensor(), 2), src.format().bitDepth())
          .toTensor();
      assertThat(store.read(output).tensor()).as(input).isEqualTo(want);
    };
  }

  private OutputCheck exactWithDepth(int bits) {
    return (input, output) -> {
      assertThat(store.read(output).format().bitDepth()).as(input).isEqualTo(bits);
      exact().verify(input, output);
    };
  }

  private static String localPath(String qualified) {
    return qualified.startsWith("file:") ? new org.apache.hadoop.fs.Path(qualified).toUri()
        .getPath() : qualified;
  }

  private static double meanAbsDiff(ImageTensor a, ImageTensor b) {
    assertThat(a.channels()).isEqualTo(b.channels());
    assertThat(a.width()).isEqualTo(b.width());
    assertThat(a.height()).isEqualTo(b.height());
    double sum = 0;
    for (int i = 0; i < a.data().length; i++) {
      sum += Math.abs(a.data()[i] - b.data()[i]);
    }
    return sum / a.data().length;
  }

  /** Path (relative) to size and modification time of every file under {@code dir} but {@code except}. */
  private static Map<String, String> snapshot(Path dir, Path except) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (p.startsWith(except)) {
          continue;
        }
        String attrs = Files.isSymbolicLink(p) ? "link" : Files.isDirectory(p) ? "dir"
            : Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis();
        out.put(dir.relativize(p).toString(), attrs);
      }
    }
    return out;
  }

  private static List<String> listNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The corpus, made here

  private ImageTensor picture(int channels) {
    int h = 14 + rnd.nextInt(10);
    int w = 14 + rnd.nextInt(12);
    return UpscaleJobTest.image(rnd, channels, h, w);
  }

  private Path writePng(Path p, int channels, int bits) throws Exception {
    store.write(p.toString(), picture(channels), PixelFormat.of("png", channels, bits));
    return p;
  }

  private byte[] pngBytes(int channels, int bits) throws Exception {
    Path p = tmp.getRoot().toPath().resolve("scratch-" + rnd.nextInt(1 << 30) + ".png");
    writePng(p, channels, bits);
    byte[] b = Files.readAllBytes(p);
    Files.delete(p);
    return b;
  }

  private byte[] jpegBytes() throws Exception {
    Path p = tmp.getRoot().toPath().resolve("scratch.jpg");
    store.write(p.toString(), picture(3), PixelFormat.of("jpeg", 3, 8));
    byte[] b = Files.readAllBytes(p);
    Files.delete(p);
    return b;
  }

  private byte[] tiffBytes() throws Exception {
    Path p = tmp.getRoot().toPath().resolve("scratch.tif");
    store.write(p.toString(), picture(3), PixelFormat.of("tiff", 3, 8));
    byte[] b = Files.readAllBytes(p);
    Files.delete(p);
    return b;
  }

  private byte[] oneBitPng() throws Exception {
    BufferedImage im = new BufferedImage(21, 15, BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < 15; y++) {
      for (int x = 0; x < 21; x++) {
        im.getRaster().setSample(x, y, 0, (x * x + y) % 3 == 0 ? 1 : 0);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(im, "png", out);
    return out.toByteArray();
  }

  private static BufferedImage paletteImage(int w, int h, int shift) {
    byte[] r = new byte[16];
    byte[] g = new byte[16];
    byte[] b = new byte[16];
    byte[] a = new byte[16];
    for (int i = 0; i < 16; i++) {
      r[i] = (byte) (i * 16);
      g[i] = (byte) (255 - i * 13);
      b[i] = (byte) (i * 7 + 30);
      a[i] = (byte) (i % 5 == 0 ? 0 : i % 5 == 1 ? 128 : 255);
    }
    BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(4, 16, r, g, b, a));
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        im.getRaster().setSample(x, y, 0, (x / 2 + y / 3 + shift) % 16);
      }
    }
    return im;
  }

  private static byte[] palettePng() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(paletteImage(23, 17, 0), "png", out);
    return out.toByteArray();
  }

  /** Two frames of different content (and size): only the first is upscaled. */
  private static byte[] animatedGif() throws Exception {
    return sequence("gif", paletteImage(22, 16, 0), paletteImage(12, 9, 5));
  }

  /** Two pages: only the first is upscaled. */
  private byte[] multiPageTiff() throws Exception {
    BufferedImage first = new BufferedImage(19, 15, BufferedImage.TYPE_3BYTE_BGR);
    BufferedImage second = new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 15; y++) {
      for (int x = 0; x < 19; x++) {
        first.setRGB(x, y, (x * 13 << 16) | (y * 17 << 8) | ((x + y) * 5));
      }
    }
    return sequence("tiff", first, second);
  }

  private static byte[] sequence(String format, BufferedImage... frames) throws Exception {
    ImageWriter w = ImageIO.getImageWritersByFormatName(format).next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      w.setOutput(out);
      w.prepareWriteSequence(null);
      for (BufferedImage f : frames) {
        w.writeToSequence(new IIOImage(f, null, null), null);
      }
      w.endWriteSequence();
    } finally {
      w.dispose();
    }
    return bytes.toByteArray();
  }

  /** A JPEG with an EXIF APP1 segment (after SOI) holding the orientation. */
  private byte[] exifJpeg(int orientation) throws Exception {
    byte[] jpeg = jpegBytes();
    ByteBuffer tiff = ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN);
    tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) 1)
        .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation)
        .putShort((short) 0).putInt(0);
    byte[] payload = new byte[6 + 26];
    System.arraycopy("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, payload, 0, 6);
    System.arraycopy(tiff.array(), 0, payload, 6, 26);
    // after the JFIF APP0 segment, which the JDK requires first
    int app0End = 4 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
    assertThat(jpeg[3] & 0xff).isEqualTo(0xE0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, app0End);
    out.write(0xFF);
    out.write(0xE1);
    out.write((payload.length + 2) >> 8);
    out.write((payload.length + 2) & 0xff);
    out.write(payload);
    out.write(jpeg, app0End, jpeg.length - app0End);
    return out.toByteArray();
  }
}
