package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparksr.io.metadata.Derivation;
import io.sparksr.io.metadata.MetadataReport;
import io.sparksr.io.metadata.SourceMetadata;
import io.sparksr.partitioning.image.ImageTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Node;

/**
 * Metadata carried through {@link ImageStore#write} and {@link TiledTiff#write}: sources are made
 * and outputs read back with exiftool, an independent reader (skipped without it).
 */
class MetadataWriteTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static boolean exiftool;

  @TempDir
  Path dir;

  private final Configuration conf = new Configuration();
  private final ImageStore store = new ImageStore(conf);

  @BeforeAll
  static void findExiftool() {
    exiftool = Exiftool.available();
  }

  private static void requireExiftool() {
    assumeTrue(exiftool, Exiftool.SKIPPED);
  }

  private static Derivation derivation(String source) {
    return new Derivation("sparksr 0.1.0", "plksr-x2", "ab12cd", false, 2, 128, 16, "run-7", source);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void jpegKeepsExifIptcXmpWithUprightOrientationDoubledDpiAndNoThumbnail() throws Exception {
    requireExiftool();
    Path src = jpegSource();
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    assertThat(meta.problems()).isEmpty();
    Path out = dir.resolve("out.jpg");
    // orientation 6: the 20x30 stored pixels are 30x20 upright, 60x40 at x2
    MetadataReport report = store.write(out.toString(),
        io.sparksr.partitioning.image.Quantized.of(TestImages.smooth(3, 40, 60), 8),
        PixelFormat.of("jpeg", 3, 8),
        WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));

    JsonNode s = exif(src);
    JsonNode o = exif(out);
    for (String tag : List.of("IFD0:Make", "IFD0:Model", "ExifIFD:DateTimeOriginal", "IFD0:Artist",
        "IFD0:Copyright", "GPS:GPSLatitude", "GPS:GPSLongitude", "GPS:GPSLatitudeRef",
        "IFD0:ResolutionUnit", "IPTC:Keywords", "IPTC:By-line", "IPTC:Caption-Abstract",
        "XMP-dc:Title", "XMP-dc:Rights")) {
      assertThat(o.get(tag)).as(tag + " in " + o).isNotNull().isEqualTo(s.get(tag));
    }
    assertThat(s.get("IFD0:Orientation").asInt()).isEqualTo(6);
    assertThat(o.get("IFD0:Orientation").asInt()).isEqualTo(1);
    assertThat(o.get("IFD0:XResolution").asDouble()).isEqualTo(s.get("IFD0:XResolution").asDouble() * 2);
    assertThat(o.get("IFD0:YResolution").asDouble()).isEqualTo(600);
    assertThat(o.get("JFIF:XResolution").asInt()).isEqualTo(600);
    assertThat(o.get("ExifIFD:ExifImageWidth").asInt()).isEqualTo(60);
    assertThat(o.get("ExifIFD:ExifImageHeight").asInt()).isEqualTo(40);
    assertThat(s.has("IFD1:ThumbnailImage")).isTrue();
    assertThat(o.has("IFD1:ThumbnailImage")).isFalse();
    // nor are its bytes left in the file unreferenced (the lossless EXIF rewrite starts from the
    // source's EXIF segment)
    Exiftool.run("-b", "-ThumbnailImage", "-w", dir.resolve("%f-thumb.jpg").toString(),
        src.toString());
    byte[] t = Files.readAllBytes(dir.resolve(src.getFileName().toString()
        .replaceAll("\\.[^.]*$", "") + "-thumb.jpg"));
    assertThat(t.length).isGreaterThan(100);
    // the end of its entropy-coded data (its header and tables may equal the output's)
    assertThat(indexOf(Files.readAllBytes(out), java.util.Arrays.copyOfRange(t, t.length - 90,
        t.length - 10)))
        .isNegative();
    assertProvenance(o, src);

    assertThat(report.kept()).contains("exif", "xmp", "iptc");
    assertThat(report.changed()).contains("orientation->1", "dpi x2", "dimensions->60x40");
    assertThat(report.dropped()).containsExactly("thumbnail (regenerating not supported)");
    assertThat(report.summary()).startsWith("kept ").contains("; changed ").contains("orientation->1")
        .contains("; dropped thumbnail (regenerating not supported)");
    assertThat(store.read(out.toString()).tensor().width()).isEqualTo(60);
  }

  /**
   * The self-ensemble flag: written (and in the History parameters) when used, and not passed on
   * when an ensemble output is itself the source of a plain run.
   */
  @Test
  void theSelfEnsembleFlagIsWrittenWhenUsedAndNotInheritedFromTheSource() throws Exception {
    requireExiftool();
    Path src = dir.resolve("ens-src.png");
    store.write(src.toString(), TestImages.smooth(3, 20, 16), PixelFormat.of("png", 3, 8));
    Path ens = dir.resolve("ens.png");
    store.write(ens.toString(), TestImages.smooth(3, 40, 32), PixelFormat.of("png", 3, 8),
        WriteOptions.DEFAULTS.withSource(SourceMetadata.read(conf, src.toString()))
            .withDerivation(new Derivation("sparksr 0.1.0", "archive", "ab12cd", true, 2, 128, 16,
                "run-8", src.toString())));
    JsonNode e = exif(ens);
    assertThat(e.get("XMP-sparksr:SelfEnsemble").asText()).isEqualToIgnoringCase("true");
    assertThat(e.toString()).contains("self-ensemble x8");
    Path plain = dir.resolve("plain.png");
    store.write(plain.toString(), TestImages.smooth(3, 80, 64), PixelFormat.of("png", 3, 8),
        WriteOptions.DEFAULTS.withSource(SourceMetadata.read(conf, ens.toString()))
            .withDerivation(derivation(ens.toString())));
    JsonNode p = exif(plain);
    assertThat(p.get("XMP-sparksr:SelfEnsemble")).as(p.toString()).isNull();
    assertThat(p.get("XMP-sparksr:Model").asText()).isEqualTo("plksr-x2");
  }

  @Test
  void pngKeepsTextChunksXmpAndDoubledPhys() throws Exception {
    requireExiftool();
    Path src = dir.resolve("src.png");
    store.write(src.toString(), TestImages.smooth(3, 30, 20), PixelFormat.of("png", 3, 8));
    exiftool("-overwrite_original", "-PNG:Title=Harbour at dawn", "-PNG:Author=Ann Example",
        "-PNG:Description-fr=Le port", "-XMP-dc:Rights=CC BY 4.0",
        "-PNG-pHYs:PixelsPerUnitX=11811", "-PNG-pHYs:PixelsPerUnitY=11811",
        "-PNG-pHYs:PixelUnits=meters", src.toString());
    exiftool("-overwrite_original", "-z", "-PNG:Comment=" + "compressed comment, long enough for exiftool to deflate it. ".repeat(3), src.toString());
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    Path out = dir.resolve("out.png");
    MetadataReport report = store.write(out.toString(), TestImages.smooth(3, 60, 40),
        PixelFormat.of("png", 3, 8),
        WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));

    JsonNode s = exif(src);
    JsonNode o = exif(out);
    for (String tag : List.of("PNG:Title", "PNG:Author", "PNG:Comment", "PNG:Description-fr",
        "XMP-dc:Rights", "PNG-pHYs:PixelUnits")) {
      assertThat(o.get(tag)).as(tag + " in " + o + " from " + s).isNotNull().isEqualTo(s.get(tag));
    }
    assertThat(rawChunks(out)).contains("zTXt", "iTXt", "tEXt");
    assertThat(o.get("PNG-pHYs:PixelsPerUnitX").asInt()).isEqualTo(23622);
    assertThat(o.get("PNG-pHYs:PixelsPerUnitY").asInt()).isEqualTo(23622);
    assertProvenance(o, src);
    assertThat(report.kept()).contains("text", "xmp");
    assertThat(report.changed()).contains("dpi x2");
    assertThat(report.dropped()).isEmpty();
  }

  @Test
  void tiffKeepsDescriptiveTagsXmpAndReplacesSoftware() throws Exception {
    requireExiftool();
    Path src = tiffSource();
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    Path out = dir.resolve("out.tif");
    MetadataReport report = store.write(out.toString(), TestImages.smooth(3, 60, 40),
        PixelFormat.of("tiff", 3, 16),
        WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));
    JsonNode s = exif(src);
    JsonNode o = exif(out);
    assertTiffTags(s, o);
    assertThat(o.get("IFD0:BitsPerSample").asText()).isEqualTo("16 16 16");
    assertThat(report.kept()).contains("tiff-tags", "xmp", "iptc");
    assertThat(report.changed()).contains("software->sparksr 0.1.0", "dpi x2");
    assertThat(store.read(out.toString()).format().bitDepth()).isEqualTo(16);
  }

  /**
   * Text beyond ASCII in a TIFF's descriptive tags (exiftool writes it as UTF-8) reads back equal,
   * by exiftool, from TIFF, JPEG and PNG outputs (it became U+FFFD: the JDK reader decodes ASCII
   * fields as US-ASCII; PNG tEXt and the JDK TIFF writer kept each char's low byte).
   */
  @Test
  void nonAsciiTiffTextReachesEveryOutputUnchanged() throws Exception {
    requireExiftool();
    Path src = dir.resolve("accents.tif");
    store.write(src.toString(), TestImages.smooth(3, 30, 20), PixelFormat.of("tiff", 3, 8));
    String artist = "Łukasz Żółć";
    String copyright = "© Archiv Müller";
    exiftool("-overwrite_original", "-IFD0:Artist=" + artist, "-IFD0:Copyright=" + copyright,
        src.toString());
    assertThat(exif(src).get("IFD0:Artist").asText()).isEqualTo(artist);
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    for (String ext : List.of("tif", "jpg", "png")) {
      Path out = dir.resolve("accents-out." + ext);
      store.write(out.toString(), TestImages.smooth(3, 60, 40),
          PixelFormat.of(ext.equals("tif") ? "tiff" : ext.equals("jpg") ? "jpeg" : "png", 3, 8),
          WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));
      JsonNode o = exif(out);
      if (ext.equals("png")) {
        assertThat(o.get("PNG:Author").asText()).as(ext).isEqualTo(artist);
        assertThat(o.get("PNG:Copyright").asText()).as(ext).isEqualTo(copyright);
      } else {
        assertThat(o.get("IFD0:Artist").asText()).as(ext).isEqualTo(artist);
        assertThat(o.get("IFD0:Copyright").asText()).as(ext).isEqualTo(copyright);
      }
    }
  }

  /**
   * A JPEG's XMP above 64 KB (exiftool moves its largest property to extended XMP segments) is
   * carried whole to PNG and TIFF outputs, read back by exiftool; a JPEG output, which cannot
   * hold it in one packet, reports it dropped (the extension was lost with "xmp" kept).
   */
  @Test
  void extendedXmpIsCarriedWholeOrReported() throws Exception {
    requireExiftool();
    Path src = dir.resolve("extended.jpg");
    store.write(src.toString(), TestImages.smooth(3, 30, 20), PixelFormat.of("jpeg", 3, 8));
    Path text = dir.resolve("description.txt");
    Files.writeString(text, "a long caption, word by word. ".repeat(2800));
    exiftool("-overwrite_original", "-XMP-dc:Description<=" + text, "-XMP-dc:Title=Bird",
        src.toString());
    JsonNode s = exif(src);
    assertThat(s.get("XMP-xmpNote:HasExtendedXMP")).as("exiftool wrote extended XMP").isNotNull();
    String description = s.get("XMP-dc:Description").asText();
    assertThat(description).hasSizeGreaterThan(80_000);
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    for (String format : List.of("png", "tiff")) {
      Path out = dir.resolve("extended-out." + format);
      MetadataReport report = writeWith(out, format, 60, 40, meta, src);
      JsonNode o = exif(out);
      assertThat(o.get("XMP-dc:Description").asText()).as(format).isEqualTo(description);
      assertThat(o.get("XMP-dc:Title").asText()).as(format).isEqualTo("Bird");
      assertThat(o.get("XMP-xmpNote:HasExtendedXMP")).as(format).isNull();
      assertThat(report.kept()).as(format).contains("xmp");
    }
    MetadataReport jpeg = writeWith(dir.resolve("extended-out.jpg"), "jpeg", 60, 40, meta, src);
    assertThat(jpeg.dropped()).anyMatch(d -> d.startsWith("xmp"));
  }

  /**
   * A JPEG's Photoshop resources (APP13): IPTC (with its envelope record) and its digest carried
   * byte for byte, the Photoshop resolution doubled with every other resolution, the stale
   * Photoshop thumbnail dropped and reported; a TIFF output gets the same IPTC and reports the
   * resources it cannot hold. Read back by exiftool.
   */
  @Test
  void photoshopResourcesAreEditedNotReserialised() throws Exception {
    requireExiftool();
    Path src = dir.resolve("photoshop.jpg");
    store.write(src.toString(), TestImages.smooth(3, 40, 30), PixelFormat.of("jpeg", 3, 8));
    Path thumb = dir.resolve("thumb.jpg");
    store.write(thumb.toString(), TestImages.smooth(3, 8, 6), PixelFormat.of("jpeg", 3, 8));
    exiftool("-overwrite_original", "-IPTC:Keywords=plate", "-IPTC:Keywords=Müller",
        "-IPTC:Caption-Abstract=A caption", "-IPTC:CodedCharacterSet=UTF8",
        "-Photoshop:PhotoshopThumbnail<=" + thumb, "-IPTCDigest=new", src.toString());
    addPhotoshopResolution(src, 300);
    JsonNode s = exif(src);
    assertThat(s.get("Photoshop:XResolution").asInt()).as("the block built here").isEqualTo(300);
    assertThat(s.get("Photoshop:PhotoshopThumbnail")).isNotNull();
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());

    Path jpg = dir.resolve("photoshop-out.jpg");
    MetadataReport report = writeWith(jpg, "jpeg", 80, 60, meta, src);
    JsonNode o = exif(jpg);
    assertThat(o.get("Photoshop:XResolution").asInt()).isEqualTo(600);
    assertThat(o.get("Photoshop:YResolution").asInt()).isEqualTo(600);
    assertThat(o.get("Photoshop:PhotoshopThumbnail")).isNull();
    assertThat(o.get("Photoshop:IPTCDigest").asText())
        .isEqualTo(Exiftool.run("-s3", "-CurrentIPTCDigest", jpg.toString()).strip())
        .isEqualTo(s.get("Photoshop:IPTCDigest").asText());
    assertSameIptc(s, o);
    assertThat(report.kept()).contains("iptc");
    assertThat(report.changed()).contains("photoshop resolution x2");
    assertThat(report.dropped()).contains("photoshop thumbnail (regenerating not supported)");

    Path tif = dir.resolve("photoshop-out.tif");
    MetadataReport tiff = writeWith(tif, "tiff", 80, 60, meta, src);
    assertSameIptc(s, exif(tif));
    assertThat(tiff.dropped()).anyMatch(d -> d.startsWith("photoshop resources 0x03ed, 0x040c"));
  }

  /**
   * A grey JPEG's embedded profile, which the decoder does not apply or carry, is reported dropped
   * (it was lost without a word), and an RGB JPEG's profile is reported kept.
   */
  @Test
  void aProfileTheDecoderDoesNotCarryIsReportedDropped() throws Exception {
    requireExiftool();
    Path icc = dir.resolve("gray.icc");
    Files.write(icc, java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_GRAY)
        .getData());
    Path src = dir.resolve("grey.jpg");
    store.write(src.toString(), TestImages.smooth(1, 30, 20), PixelFormat.of("jpeg", 1, 8));
    exiftool("-overwrite_original", "-ICC_Profile<=" + icc, src.toString());
    assertThat(exif(src).get("ICC-header:ColorSpaceData").asText()).isEqualTo("GRAY");
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    DecodedImage grey = store.read(src.toString());
    assertThat(grey.format().iccProfile()).as("the JDK decoder gives no profile").isNull();
    MetadataReport report = store.write(dir.resolve("grey-out.png").toString(),
        TestImages.smooth(1, 60, 40), grey.format().withFormatName("png"),
        WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));
    assertThat(report.dropped())
        .contains("icc (the source's gray profile is not applied by the decoder)");

    Path rgb = dir.resolve("rgb-icc.jpg");
    store.write(rgb.toString(), TestImages.smooth(3, 30, 20), PixelFormat.of("jpeg", 3, 8)
        .withIccProfile(java.awt.color.ICC_Profile.getInstance(
            java.awt.color.ColorSpace.CS_LINEAR_RGB).getData()));
    DecodedImage colour = store.read(rgb.toString());
    MetadataReport kept = store.write(dir.resolve("rgb-out.png").toString(),
        TestImages.smooth(3, 60, 40), colour.format().withFormatName("png"),
        WriteOptions.DEFAULTS.withSource(SourceMetadata.read(conf, rgb.toString()))
            .withDerivation(derivation(rgb.toString())));
    assertThat(kept.kept()).contains("icc");
    assertThat(kept.dropped()).noneMatch(d -> d.startsWith("icc"));
  }

  /**
   * A camera's MakerNote whose values are addressed from the TIFF header (Canon's layout, like
   * most makers') still reads right from JPEG and PNG (eXIf) outputs: exiftool reads the same
   * CanonImageType and warns of no shifted base. A rewrite that moves the MakerNote breaks those offsets.
   */
  @Test
  void aMakerNoteKeepsItsOffsetsInAJpegOutput() throws Exception {
    requireExiftool();
    Path src = dir.resolve("canon.jpg");
    store.write(src.toString(), TestImages.smooth(3, 40, 30), PixelFormat.of("jpeg", 3, 8));
    insertExif(src, canonExif("Test Image Type"));
    JsonNode s = exif(src);
    assertThat(s.get("Canon:CanonImageType").asText()).as("the EXIF built here")
        .isEqualTo("Test Image Type");
    for (String format : List.of("jpeg", "png")) {
      Path out = dir.resolve("canon-out." + format);
      writeWith(out, format, 80, 60, SourceMetadata.read(conf, src.toString()), src);
      JsonNode o = exif(out);
      assertThat(o.get("IFD0:Make").asText()).as(format).isEqualTo("Canon");
      assertThat(o.get("Canon:CanonImageType")).as(format).isNotNull();
      assertThat(o.get("Canon:CanonImageType").asText()).as(format).isEqualTo("Test Image Type");
      assertThat(Exiftool.run("-s3", "-Warning", out.toString()).strip()).as(format).isEmpty();
    }
    // a TIFF output cannot keep the offset: it says so
    MetadataReport tiff = writeWith(dir.resolve("canon-out.tif"), "tiff", 80, 60,
        SourceMetadata.read(conf, src.toString()), src);
    assertThat(tiff.changed()).anyMatch(c -> c.startsWith("makernote moved"));
  }

  /**
   * A little-endian EXIF (TIFF structure, TIFF 6.0 / Exif 2.3 layout): IFD0 with Make "Canon"
   * and the Exif IFD pointer; the Exif IFD with a MakerNote; the MakerNote a Canon IFD of one
   * entry, CanonImageType (0x0006, ASCII), whose value offset counts from the TIFF header.
   */
  private static byte[] canonExif(String imageType) {
    byte[] type = (imageType + "\0").getBytes(StandardCharsets.US_ASCII);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(80 + type.length)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {'I', 'I', 42, 0}).putInt(8);
    b.putShort((short) 2); // IFD0 at 8, ends at 38
    b.putShort((short) 0x010F).putShort((short) 2).putInt(6).putInt(38);
    b.putShort((short) 0x8769).putShort((short) 4).putInt(1).putInt(44);
    b.putInt(0);
    b.put("Canon\0".getBytes(StandardCharsets.US_ASCII)); // 38..44
    b.putShort((short) 1); // Exif IFD at 44, ends at 62
    b.putShort((short) 0x927C).putShort((short) 7).putInt(18 + type.length).putInt(62);
    b.putInt(0);
    b.putShort((short) 1); // MakerNote at 62: an IFD, ends at 80
    b.putShort((short) 0x0006).putShort((short) 2).putInt(type.length).putInt(80);
    b.putInt(0);
    b.put(type);
    return b.array();
  }

  /** Puts an APP1 "Exif" segment holding {@code tiff} right after the JPEG's SOI. */
  private static void insertExif(Path jpeg, byte[] tiff) throws IOException {
    byte[] b = Files.readAllBytes(jpeg);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(b, 0, 2);
    int length = 2 + 6 + tiff.length;
    out.write(0xFF);
    out.write(0xE1);
    out.write(length >>> 8);
    out.write(length & 0xFF);
    out.write("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
    out.write(tiff);
    out.write(b, 2, b.length - 2);
    Files.write(jpeg, out.toByteArray());
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Writes a w x h image as {@code out} in {@code format} with {@code meta}, at x2 from src. */
  private MetadataReport writeWith(Path out, String format, int w, int h, SourceMetadata meta,
      Path src) throws IOException {
    return store.write(out.toString(), TestImages.smooth(3, h, w), PixelFormat.of(format, 3, 8),
        WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));
  }

  /** Every IPTC value exiftool reads from {@code s} reads equal from {@code o}. */
  private static void assertSameIptc(JsonNode s, JsonNode o) {
    List<String> keys = new ArrayList<>();
    s.fieldNames().forEachRemaining(k -> {
      if (k.startsWith("IPTC:")) {
        keys.add(k);
      }
    });
    assertThat(keys).contains("IPTC:EnvelopeRecordVersion", "IPTC:CodedCharacterSet",
        "IPTC:Keywords");
    for (String k : keys) {
      assertThat(o.get(k)).as(k).isEqualTo(s.get(k));
    }
  }

  /**
   * Appends a ResolutionInfo block (Photoshop File Formats Specification: 8BIM, id 0x03ED, empty
   * name, 16 bytes: hRes 16.16 fixed, hResUnit 1 = ppi, widthUnit, vRes, vResUnit, heightUnit)
   * to the file's APP13 segment.
   */
  private static void addPhotoshopResolution(Path jpeg, int dpi) throws IOException {
    byte[] b = Files.readAllBytes(jpeg);
    int p = 2;
    while ((b[p + 1] & 0xFF) != 0xED) {
      p += 2 + ((b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF));
    }
    int length = (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(28);
    block.put("8BIM".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0x03ED)
        .putShort((short) 0).putInt(16).putInt(dpi << 16).putShort((short) 1)
        .putShort((short) 1).putInt(dpi << 16).putShort((short) 1).putShort((short) 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(b, 0, p + 2);
    out.write((length + 28) >>> 8);
    out.write((length + 28) & 0xFF);
    out.write(b, p + 4, length - 2);
    out.write(block.array());
    out.write(b, p + 2 + length, b.length - p - 2 - length);
    Files.write(jpeg, out.toByteArray());
  }

  @Test
  void tiledTiffCarriesTheSameTags() throws Exception {
    requireExiftool();
    Path src = tiffSource();
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    ImageTensor img = TestImages.smooth(3, 32, 32);
    TiledTiff.Layout layout = new TiledTiff.Layout(32, 32, 16, 3, 16, true, null, 1);
    List<byte[]> tiles = new ArrayList<>();
    for (int ty = 0; ty < 2; ty++) {
      for (int tx = 0; tx < 2; tx++) {
        tiles.add(TiledTiff.encodeTile(layout,
            img.crop(new io.sparksr.partitioning.tiling.Rect(tx * 16, ty * 16, 16, 16))));
      }
    }
    long[] counts = tiles.stream().mapToLong(t -> t.length).toArray();
    Path out = dir.resolve("tiled.tif");
    MetadataReport report = TiledTiff.write(conf, out.toString(), layout, counts,
        (i, o) -> o.write(tiles.get(i)), false, meta, derivation(src.toString()));
    JsonNode o = exif(out);
    assertTiffTags(exif(src), o);
    assertThat(report.changed()).contains("software->sparksr 0.1.0", "dpi x2");
    assertThat(store.read(out.toString()).tensor()).isEqualTo(TestImages.quantised(img, 16));
  }

  /** EXIF and GPS tags a camera JPEG carries: each must read back equal from every TIFF output. */
  private static final List<String> CAMERA_TAGS = List.of("IFD0:Make", "IFD0:Model",
      "ExifIFD:DateTimeOriginal", "ExifIFD:ExposureTime", "ExifIFD:FNumber", "ExifIFD:ISO",
      "ExifIFD:LensModel", "ExifIFD:UserComment", "InteropIFD:InteropIndex", "GPS:GPSLatitude",
      "GPS:GPSLongitude", "GPS:GPSLatitudeRef", "GPS:GPSLongitudeRef", "GPS:GPSAltitude",
      "GPS:GPSDateStamp", "IFD0:Artist", "IFD0:Copyright", "IFD0:Rating", "IFD0:XPTitle",
      "IFD0:ResolutionUnit", "IPTC:Keywords", "XMP-dc:Title");

  @Test
  void jpegExifAndGpsBecomeSubDirectoriesOfEveryTiffOutput() throws Exception {
    requireExiftool();
    Path src = jpegSource();
    exiftool("-overwrite_original", "-EXIF:ExposureTime=1/250", "-EXIF:FNumber=5.6",
        "-EXIF:ISO=400", "-EXIF:LensModel=EF 50mm", "-EXIF:UserComment=Low tide",
        "-EXIF:InteropIndex=R98", "-GPSAltitude=35.5", "-GPSDateStamp=2020:01:02",
        "-EXIF:Rating=4", "-EXIF:XPTitle=Harbour", src.toString());
    JsonNode s = exif(src);
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    // orientation 6: the 20x30 stored pixels are 30x20 upright, 60x40 at x2
    ImageTensor img = TestImages.smooth(3, 40, 64);
    Path plain = dir.resolve("out.tif");
    MetadataReport report = store.write(plain.toString(), img, PixelFormat.of("tiff", 3, 8),
        WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));
    assertThat(report.kept()).contains("exif", "xmp", "iptc");
    assertThat(report.changed()).contains("orientation->1", "dimensions->64x40", "dpi x2");
    assertThat(report.dropped()).containsExactly("thumbnail (regenerating not supported)");
    Path tiled = tiledTiff(img, meta, src, false, 1);
    Path big = tiledTiff(img, meta, src, true, 1);
    assertThat(TiledTiff.isBigTiff(conf, big.toString())).isTrue();
    for (Path out : List.of(plain, tiled, big)) {
      JsonNode o = exif(out);
      // exiftool reads a BigTIFF's sub-IFDs with its EXIF tag table under the pointer's name
      // (Image/ExifTool/BigTIFF.pm, ProcessBigIFD): EXIF and Interop tags keep their names in
      // groups ExifOffset / InteropOffset; the GPS IFD is compared by tag number below; and it
      // turns a BYTE array into decimal text before decoding XPTitle's UCS-2 (garbled there)
      boolean isBig = out.equals(big);
      for (String tag : CAMERA_TAGS) {
        if (isBig && (tag.startsWith("GPS:") || tag.equals("IFD0:XPTitle"))) {
          continue;
        }
        String read = isBig ? tag.replace("ExifIFD:", "ExifOffset:")
            .replace("InteropIFD:", "InteropOffset:") : tag;
        assertThat(o.get(read)).as(read + " in " + out.getFileName() + ": " + o).isNotNull()
            .isEqualTo(s.get(tag));
      }
      String exifGroup = isBig ? "ExifOffset:" : "ExifIFD:";
      assertThat(o.get(exifGroup + "ExifImageWidth").asInt()).isEqualTo(64);
      assertThat(o.get(exifGroup + "ExifImageHeight").asInt()).isEqualTo(40);
      if (isBig) {
        Map<Integer, String> sg = byTagNumber(src, "GPS:");
        Map<Integer, String> og = byTagNumber(out, "GPSInfo:");
        for (int id : List.of(1, 3, 6, 29)) { // refs, altitude, date stamp
          assertThat(og.get(id)).as("GPS tag " + id + " in " + og).isEqualTo(sg.get(id));
        }
        for (int id : List.of(2, 4)) { // latitude, longitude: degrees minutes seconds
          double[] dms = java.util.Arrays.stream(og.get(id).split(" "))
              .mapToDouble(Double::parseDouble).toArray();
          assertThat(dms[0] + dms[1] / 60 + dms[2] / 3600)
              .isCloseTo(Double.parseDouble(sg.get(id)), org.assertj.core.data.Offset.offset(1e-6));
        }
      }
      assertThat(o.get("IFD0:XResolution").asDouble()).isEqualTo(600);
      assertThat(o.has("IFD1:ThumbnailImage")).isFalse();
      assertThat(o.get("IFD0:ImageWidth").asInt()).isEqualTo(64);
      assertThat(o.has("ExifTool:Warning")).as(out.getFileName() + ": " + o.get("ExifTool:Warning"))
          .isFalse();
      assertProvenance(o, src);
      assertThat(store.read(out.toString()).tensor()).isEqualTo(TestImages.quantised(img, 8));
      if (available("tiffinfo", "-h")) { // libtiff, another reader (it warns of tags it does not know)
        assertThat(run("tiffinfo", out.toString())).doesNotContain("Error")
            .contains("Image Width: 64 Image Length: 40", "Artist: Ann Example");
      }
    }
  }

  @Test
  void aTiledTiffKeepingTheStoredPixelOrderStatesTheSourceOrientationEverywhere() throws Exception {
    requireExiftool();
    Path src = jpegSource(); // EXIF and XMP orientation 6
    ImageTensor stored = TestImages.smooth(3, 60, 40); // the 20x30 stored pixels at x2
    Path out = tiledTiff(stored, SourceMetadata.read(conf, src.toString()), src, false, 6);
    JsonNode o = exif(out);
    assertThat(o.get("IFD0:Orientation").asInt()).isEqualTo(6);
    assertThat(o.get("XMP-tiff:Orientation").asInt()).isEqualTo(6);
    assertThat(o.get("ExifIFD:ExifImageWidth").asInt()).isEqualTo(40);
  }

  @Test
  void aTiffsExifGpsAndIptcReachTiffJpegAndPngOutputs() throws Exception {
    requireExiftool();
    Path src = tiffSource();
    exiftool("-overwrite_original", "-EXIF:DateTimeOriginal=1901:05:01 10:00:00",
        "-EXIF:ExposureTime=1/30", "-EXIF:UserComment=Glass plate", "-EXIF:InteropIndex=R98",
        "-GPSLatitude=51.5", "-GPSLatitudeRef=N", "-GPSLongitude=0.12", "-GPSLongitudeRef=W",
        src.toString());
    JsonNode s = exif(src);
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    assertThat(meta.problems()).isEmpty();
    assertThat(meta.exif()).isNotNull();
    List<String> tags = List.of("ExifIFD:DateTimeOriginal", "ExifIFD:ExposureTime",
        "ExifIFD:UserComment", "InteropIFD:InteropIndex", "GPS:GPSLatitude", "GPS:GPSLatitudeRef",
        "GPS:GPSLongitude", "GPS:GPSLongitudeRef", "IFD0:Artist", "IFD0:Copyright", "IFD0:Make",
        "IPTC:Keywords");
    ImageTensor img = TestImages.smooth(3, 60, 40);
    for (String format : List.of("tiff", "jpeg", "png")) {
      Path out = dir.resolve("from-tiff." + format);
      MetadataReport report = store.write(out.toString(), img, PixelFormat.of(format, 3, 8),
          WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));
      assertThat(report.kept()).as(format).contains("exif");
      assertThat(report.dropped()).as(format).noneMatch(d -> d.startsWith("exif"));
      JsonNode o = exif(out);
      for (String tag : tags) {
        if (format.equals("png") && tag.startsWith("IPTC:")) {
          continue; // PNG has no IPTC chunk (reported)
        }
        assertThat(o.get(tag)).as(tag + " in " + format + ": " + o).isNotNull()
            .isEqualTo(s.get(tag));
      }
    }
  }

  /** exiftool's numeric values of one group, by tag number ({@code -u -D -n}). */
  private static Map<Integer, String> byTagNumber(Path file, String group) throws Exception {
    JsonNode all = JSON.readTree(Exiftool.run("-j", "-G1", "-a", "-u", "-D", "-n",
        file.toString())).get(0);
    Map<Integer, String> out = new java.util.TreeMap<>();
    all.fields().forEachRemaining(e -> {
      if (e.getKey().startsWith(group)) {
        out.put(e.getValue().get("id").asInt(), e.getValue().get("val").asText());
      }
    });
    return out;
  }

  private Path tiledTiff(ImageTensor img, SourceMetadata meta, Path src, boolean bigTiff,
      int orientation) throws Exception {
    TiledTiff.Layout layout = new TiledTiff.Layout(img.width(), img.height(), 16, 3, 8, true,
        null, orientation);
    List<byte[]> tiles = new ArrayList<>();
    for (int ty = 0; ty * 16 < img.height(); ty++) {
      for (int tx = 0; tx * 16 < img.width(); tx++) {
        int w = Math.min(16, img.width() - tx * 16);
        int h = Math.min(16, img.height() - ty * 16);
        tiles.add(TiledTiff.encodeTile(layout,
            img.crop(new io.sparksr.partitioning.tiling.Rect(tx * 16, ty * 16, w, h))));
      }
    }
    long[] counts = tiles.stream().mapToLong(t -> t.length).toArray();
    Path out = dir.resolve((bigTiff ? "big" : "tiled") + orientation + ".tif");
    TiledTiff.write(conf, out.toString(), layout, counts, (i, o) -> o.write(tiles.get(i)),
        bigTiff, meta, derivation(src.toString()));
    return out;
  }

  @Test
  void bmpGetsOnlyTheResolutionAndReportsTheRestDropped() throws Exception {
    requireExiftool();
    Path src = jpegSource();
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    Path out = dir.resolve("out.bmp");
    MetadataReport report = store.write(out.toString(), TestImages.smooth(3, 40, 60),
        PixelFormat.of("bmp", 3, 8),
        WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));
    JsonNode o = exif(out);
    assertThat(o.get("File:PixelsPerMeterX").asInt()).as(o.toString()).isEqualTo(23622);
    assertThat(report.dropped()).contains("exif (bmp cannot hold it)", "xmp (bmp cannot hold it)",
        "iptc (bmp cannot hold it)", "provenance (bmp cannot hold it)");
    assertThat(store.read(out.toString()).tensor().width()).isEqualTo(60);
  }

  @Test
  void pngSourceWrittenAsJpegCarriesXmpResolutionAndRegisteredText() throws Exception {
    requireExiftool();
    Path src = dir.resolve("src.png");
    store.write(src.toString(), TestImages.smooth(3, 30, 20), PixelFormat.of("png", 3, 8));
    exiftool("-overwrite_original", "-PNG:Title=T", "-PNG:Author=A", "-PNG:Comment=C",
        "-XMP-dc:Rights=R",
        "-PNG-pHYs:PixelsPerUnitX=11811", "-PNG-pHYs:PixelsPerUnitY=11811",
        "-PNG-pHYs:PixelUnits=meters", src.toString());
    Path out = dir.resolve("out.jpg");
    MetadataReport report = store.write(out.toString(), TestImages.smooth(3, 60, 40),
        PixelFormat.of("jpeg", 3, 8), WriteOptions.DEFAULTS
            .withSource(SourceMetadata.read(conf, src.toString()))
            .withDerivation(derivation(src.toString())));
    JsonNode o = exif(out);
    assertThat(o.get("XMP-dc:Rights").asText()).isEqualTo("R");
    assertThat(o.get("JFIF:XResolution").asInt()).isEqualTo(236); // 118.11 dots/cm x 2
    assertProvenance(o, src);
    // the registered keywords with a TIFF meaning become EXIF IFD0 tags; the others are dropped
    assertThat(o.get("IFD0:DocumentName").asText()).isEqualTo("T");
    assertThat(o.get("IFD0:Artist").asText()).isEqualTo("A");
    assertThat(report.kept()).contains("text (as tags)");
    assertThat(report.dropped()).contains("text Comment (jpeg has no text chunks)");
  }

  @Test
  void garbageExifAndMalformedXmpAreDroppedButThePixelsAreWritten() throws Exception {
    Path plain = dir.resolve("plain.jpg");
    store.write(plain.toString(), TestImages.smooth(3, 30, 20), PixelFormat.of("jpeg", 3, 8));
    byte[] jpeg = Files.readAllBytes(plain);
    byte[] exifGarbage = segment(0xE1, concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1),
        "MM\0*\0\0\0\u0008\u00ff\u00ffgarbage-not-an-ifd".getBytes(StandardCharsets.ISO_8859_1)));
    byte[] badXmp = segment(0xE1, ("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>"
        + "<rdf:RDF><unclosed").getBytes(StandardCharsets.ISO_8859_1));
    Path src = dir.resolve("bad.jpg");
    Files.write(src, concat(new byte[] {(byte) 0xFF, (byte) 0xD8}, exifGarbage, badXmp,
        java.util.Arrays.copyOfRange(jpeg, 2, jpeg.length)));
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    assertThat(meta.problems()).anySatisfy(p -> assertThat(p).startsWith("exif ("))
        .anySatisfy(p -> assertThat(p).startsWith("xmp (malformed"));
    Path out = dir.resolve("out.jpg");
    MetadataReport report = store.write(out.toString(), TestImages.smooth(3, 40, 60),
        PixelFormat.of("jpeg", 3, 8),
        WriteOptions.DEFAULTS.withSource(meta).withDerivation(derivation(src.toString())));
    assertThat(report.dropped()).anySatisfy(d -> assertThat(d).startsWith("exif ("))
        .anySatisfy(d -> assertThat(d).startsWith("xmp (malformed"));
    assertThat(report.changed()).contains("provenance added (xmp)");
    assertThat(store.read(out.toString()).tensor().width()).isEqualTo(60);
  }

  @Test
  void jpegQualityAndSubsamplingFollowTheSourceUnlessOverridden() throws Exception {
    Path src = dir.resolve("q75.jpg");
    writeJdkJpeg(src, TestImages.smooth(3, 32, 32), 0.75f, true);
    SourceMetadata meta = SourceMetadata.read(conf, src.toString());
    assertThat(meta.jpegQuality()).isEqualTo(75);
    assertThat(meta.jpegLumaSampling()).containsExactly(1, 1);
    Path out = dir.resolve("out.jpg");
    MetadataReport report = store.write(out.toString(), TestImages.smooth(3, 64, 64),
        PixelFormat.of("jpeg", 3, 8), WriteOptions.DEFAULTS.withSource(meta));
    SourceMetadata written = SourceMetadata.read(conf, out.toString());
    assertThat(written.jpegQuality()).isEqualTo(75);
    assertThat(written.jpegLumaSampling()).containsExactly(1, 1);
    assertThat(report.kept()).contains("quality 75", "sampling 4:4:4");

    Path overridden = dir.resolve("q90.jpg");
    store.write(overridden.toString(), TestImages.smooth(3, 64, 64), PixelFormat.of("jpeg", 3, 8),
        WriteOptions.DEFAULTS.withSource(meta).withJpegQuality(0.9f));
    SourceMetadata o = SourceMetadata.read(conf, overridden.toString());
    assertThat(o.jpegQuality()).isEqualTo(90);
    assertThat(o.jpegLumaSampling()).containsExactly(2, 2);

    if (available("identify", "-version")) { // ImageMagick, an independent estimate
      assertThat(run("identify", "-format", "%Q", src.toString())).isEqualTo("75");
      assertThat(run("identify", "-format", "%Q", out.toString())).isEqualTo("75");
      assertThat(run("identify", "-format", "%[jpeg:sampling-factor]", out.toString()))
          .isEqualTo("1x1,1x1,1x1");
      assertThat(run("identify", "-format", "%Q", overridden.toString())).isEqualTo("90");
    }
  }

  @Test
  void withoutSourceAndDerivationTheBytesAreThoseOfAPlainWrite() throws Exception {
    ImageTensor t = TestImages.smooth(3, 30, 20);
    for (String f : List.of("jpeg", "png", "tiff", "bmp")) {
      Path a = dir.resolve("a." + (f.equals("jpeg") ? "jpg" : f.equals("tiff") ? "tif" : f));
      Path b = dir.resolve("b." + (f.equals("jpeg") ? "jpg" : f.equals("tiff") ? "tif" : f));
      store.write(a.toString(), t, PixelFormat.of(f, 3, 8), new WriteOptions(0.95f));
      MetadataReport r = store.write(b.toString(), t, PixelFormat.of(f, 3, 8), WriteOptions.DEFAULTS);
      assertThat(r).isEqualTo(MetadataReport.none());
      assertThat(Files.readAllBytes(b)).as(f).isEqualTo(Files.readAllBytes(a));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void assertTiffTags(JsonNode s, JsonNode o) {
    for (String tag : List.of("IFD0:Artist", "IFD0:Copyright", "IFD0:ModifyDate",
        "IFD0:ImageDescription", "IFD0:Make", "IFD0:Model", "IFD0:ResolutionUnit",
        "XMP-dc:Title", "IPTC:Keywords")) {
      assertThat(o.get(tag)).as(tag + " in " + o + " from " + s).isNotNull().isEqualTo(s.get(tag));
    }
    assertThat(s.get("IFD0:Software").asText()).isEqualTo("ScanTool 2.1");
    assertThat(o.get("IFD0:Software").asText()).isEqualTo("sparksr 0.1.0");
    assertThat(o.get("IFD0:XResolution").asDouble()).isEqualTo(600);
    assertThat(o.get("IFD0:YResolution").asDouble()).isEqualTo(600);
  }

  private void assertProvenance(JsonNode o, Path src) {
    String prefix = "XMP-sparksr:";
    assertThat(o.get("XMP-xmp:CreatorTool").asText()).isEqualTo("sparksr 0.1.0");
    assertThat(o.get("XMP-xmpMM:DerivedFrom").get("FilePath").asText()).isEqualTo(src.toString());
    JsonNode history = o.get("XMP-xmpMM:History");
    JsonNode last = history.isArray() ? history.get(history.size() - 1) : history;
    assertThat(last.get("Action").asText()).isEqualTo("derived");
    assertThat(last.get("SoftwareAgent").asText()).isEqualTo("sparksr 0.1.0");
    assertThat(last.get("When")).isNotNull();
    assertThat(last.get("Parameters").asText())
        .isEqualTo("model plksr-x2 sha256 ab12cd scale x2 tile 128 halo 16 run run-7");
    assertThat(o.get(prefix + "Model").asText()).as(o.toString()).isEqualTo("plksr-x2");
    assertThat(o.get(prefix + "ModelSha256").asText()).isEqualTo("ab12cd");
    assertThat(o.get(prefix + "Scale").asInt()).isEqualTo(2);
    assertThat(o.get(prefix + "TileSize").asInt()).isEqualTo(128);
    assertThat(o.get(prefix + "Halo").asInt()).isEqualTo(16);
    assertThat(o.get(prefix + "RunId").asText()).isEqualTo("run-7");
    assertThat(o.get(prefix + "Source").asText()).isEqualTo(src.toString());
  }

  private Path jpegSource() throws Exception {
    Path thumb = dir.resolve("thumb.jpg");
    store.write(thumb.toString(), TestImages.smooth(3, 8, 8), PixelFormat.of("jpeg", 3, 8));
    Path src = dir.resolve("src.jpg");
    store.write(src.toString(), TestImages.smooth(3, 30, 20), PixelFormat.of("jpeg", 3, 8));
    exiftool("-overwrite_original", "-EXIF:Make=Canon", "-EXIF:Model=EOS 5D",
        "-EXIF:DateTimeOriginal=2020:01:02 03:04:05", "-EXIF:Artist=Ann Example",
        "-EXIF:Copyright=(c) 2020 Ann Example", "-GPSLatitude=48.8566", "-GPSLatitudeRef=N",
        "-GPSLongitude=2.3522", "-GPSLongitudeRef=E", "-EXIF:Orientation#=6",
        "-EXIF:XResolution=300", "-EXIF:YResolution=300", "-EXIF:ResolutionUnit=inches",
        "-EXIF:ExifImageWidth=20", "-EXIF:ExifImageHeight=30",
        "-IPTC:Keywords=harbour", "-IPTC:By-line=Ann Example", "-IPTC:Caption-Abstract=Boats",
        "-XMP-dc:Title=Harbour at dawn", "-XMP-dc:Rights=CC BY 4.0", "-XMP-tiff:Orientation#=6",
        "-ThumbnailImage<=" + thumb, src.toString());
    assertThat(exif(src).has("IFD1:ThumbnailImage")).isTrue();
    return src;
  }

  private Path tiffSource() throws Exception {
    Path src = dir.resolve("scan.tif");
    store.write(src.toString(), TestImages.smooth(3, 30, 20), PixelFormat.of("tiff", 3, 16));
    exiftool("-overwrite_original", "-IFD0:Artist=Ann Example", "-IFD0:Copyright=(c) Archive",
        "-IFD0:ModifyDate=2019:05:06 07:08:09", "-IFD0:ImageDescription=Plate 12",
        "-IFD0:Software=ScanTool 2.1", "-IFD0:Make=Epson", "-IFD0:Model=V850",
        "-IFD0:XResolution=300", "-IFD0:YResolution=300", "-IFD0:ResolutionUnit=inches",
        "-XMP-dc:Title=Plate 12", "-IPTC:Keywords=plate", src.toString());
    return src;
  }

  private static void writeJdkJpeg(Path path, ImageTensor t, float quality, boolean yuv444)
      throws IOException {
    java.awt.image.BufferedImage image = Pixels.toImage(t, false,
        java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB));
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(quality);
    IIOMetadata md = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
    Node root = md.getAsTree("javax_imageio_jpeg_image_1.0");
    if (yuv444) {
      for (Node n : SourceMetadataNodes.all(root, "componentSpec")) {
        ((IIOMetadataNode) n).setAttribute("HsamplingFactor", "1");
        ((IIOMetadataNode) n).setAttribute("VsamplingFactor", "1");
      }
      md.setFromTree("javax_imageio_jpeg_image_1.0", root);
    }
    try (ImageOutputStream out = ImageIO.createImageOutputStream(path.toFile())) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, md), param);
    } finally {
      writer.dispose();
    }
  }

  /** DOM helper for the JDK's metadata trees. */
  private static final class SourceMetadataNodes {
    static List<Node> all(Node root, String name) {
      List<Node> out = new ArrayList<>();
      if (root.getNodeName().equals(name)) {
        out.add(root);
      }
      for (Node c = root.getFirstChild(); c != null; c = c.getNextSibling()) {
        out.addAll(all(c, name));
      }
      return out;
    }
  }

  private static List<String> rawChunks(Path png) throws IOException {
    byte[] b = Files.readAllBytes(png);
    List<String> out = new ArrayList<>();
    for (int at = 8; at + 8 <= b.length; ) {
      int len = java.nio.ByteBuffer.wrap(b, at, 4).getInt();
      out.add(new String(b, at + 4, 4, StandardCharsets.ISO_8859_1));
      at += 12 + len;
    }
    return out;
  }

  private static byte[] segment(int marker, byte[] payload) {
    int len = payload.length + 2;
    return concat(new byte[] {(byte) 0xFF, (byte) marker, (byte) (len >> 8), (byte) len}, payload);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static JsonNode exif(Path file) throws Exception {
    return Exiftool.read(file);
  }

  private static void exiftool(String... args) throws Exception {
    Exiftool.run(args);
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    return out.trim();
  }

  private static boolean available(String tool, String arg) {
    try {
      Process p = new ProcessBuilder(tool, arg).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
