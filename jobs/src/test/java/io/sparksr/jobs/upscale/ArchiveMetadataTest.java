package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparksr.io.Exiftool;
import io.sparksr.io.ImageStore;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.pipeline.ImageOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The record an archive keeps in its files survives upscaling: an archive tree whose JPEGs carry
 * EXIF (camera, date, author, copyright, GPS, a thumbnail, orientation 6, 300 dpi), IPTC and XMP,
 * a PNG with text chunks and XMP, a 16-bit TIFF with descriptive tags, all written with exiftool;
 * upscaled from its root; every tag read back from the outputs with exiftool equals the source's,
 * resolution times the scale, orientation applied and reset, provenance present.
 */
public class ArchiveMetadataTest extends SharedSpark {
  private static final int SCALE = 2;
  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private final ImageStore store = new ImageStore(new Configuration());

  private void image(Path p, int c, int h, int w, String format, int bits) throws Exception {
    ArchiveTreeTest.writeImage(store, p, c, h, w, format, bits);
  }

  private static void tag(Path file, String... tags) throws Exception {
    String[] args = new String[tags.length + 2];
    args[0] = "-overwrite_original";
    System.arraycopy(tags, 0, args, 1, tags.length);
    args[args.length - 1] = file.toString();
    Exiftool.run(args);
  }

  @Test
  public void everyTagSurvivesResolutionScalesAndProvenanceIsAdded() throws Exception {
    Assume.assumeTrue(Exiftool.SKIPPED, Exiftool.available());
    Path root = tmp.newFolder("archive").toPath();
    Path jpg = root.resolve("2019/paris/IMG_0001.jpg");
    Path jpg2 = root.resolve("2020/paris/IMG_0001.jpg");
    Path png = root.resolve("scans/poster.png");
    Path tif = root.resolve("scans/1901/plate.tif");
    image(jpg, 3, 40, 56, "jpeg", 8);
    image(jpg2, 3, 32, 32, "jpeg", 8);
    image(png, 3, 36, 44, "png", 8);
    image(tif, 3, 30, 34, "tiff", 16);
    image(root.resolve(".trash/old.png"), 3, 8, 8, "png", 8);
    Files.writeString(root.resolve("2019/paris/IMG_0001.xmp"), "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>");
    Files.writeString(root.resolve("2020/paris/IMG_0002.HEIC"), "heic");
    Path thumb = tmp.newFile("thumb.jpg").toPath();
    image(thumb, 3, 8, 8, "jpeg", 8);
    tag(jpg, "-EXIF:Make=Canon", "-EXIF:Model=EOS 5D", "-EXIF:DateTimeOriginal=2019:07:14 10:11:12",
        "-EXIF:Artist=Ann Archivist", "-EXIF:Copyright=(c) 2019 City Museum",
        "-GPSLatitude=48.8566", "-GPSLatitudeRef=N", "-GPSLongitude=2.3522",
        "-GPSLongitudeRef=E", "-EXIF:Orientation#=6", "-EXIF:XResolution=300",
        "-EXIF:YResolution=300", "-EXIF:ResolutionUnit=inches", "-IPTC:Keywords=paris",
        "-IPTC:Keywords=tower", "-IPTC:By-line=Ann Archivist",
        "-IPTC:Caption-Abstract=The tower at noon", "-XMP-dc:Title=Tower",
        "-XMP-dc:Rights=CC BY 4.0", "-ThumbnailImage<=" + thumb);
    tag(jpg2, "-EXIF:Make=Nikon", "-EXIF:Artist=Bo Other");
    tag(png, "-PNG:Title=Harbour poster", "-PNG:Author=Print shop", "-XMP-dc:Rights=Public domain",
        "-EXIF:Artist=Poster artist", "-EXIF:Copyright=(c) Print shop",
        "-PNG:PixelsPerUnitX=11811", "-PNG:PixelsPerUnitY=11811", "-PNG:PixelUnits=meters");
    tag(tif, "-IFD0:Artist=Plate maker", "-IFD0:Copyright=(c) 1901", "-IFD0:ModifyDate=1901:05:01 00:00:00",
        "-IFD0:ImageDescription=Glass plate 12", "-IFD0:Make=Scanner Co", "-IFD0:Model=S-1",
        "-IFD0:XResolution=300", "-IFD0:YResolution=300", "-IFD0:ResolutionUnit=inches",
        "-XMP-dc:Title=Plate 12", "-IPTC:Keywords=plate", "-EXIF:DateTimeOriginal=1901:05:01 10:00:00",
        "-EXIF:UserComment=Glass negative", "-GPSLatitude=51.5", "-GPSLatitudeRef=N");

    String out = tmp.getRoot() + "/out";
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(root.toString())).output(out)
        .scale(SCALE).model("bicubic").tileSize(16).partitionMegapixels(0.005).build();
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);

    Map<String, ImageOutcome> rows = r.images().stream()
        .collect(Collectors.toMap(ImageOutcome::relative, o -> o));
    assertThat(rows.keySet()).containsExactlyInAnyOrder("2019/paris/IMG_0001.jpg",
        "2020/paris/IMG_0001.jpg", "scans/poster.png", "scans/1901/plate.tif",
        "2019/paris/IMG_0001.xmp", "2020/paris/IMG_0002.HEIC", ".trash");
    assertThat(r.succeeded()).isEqualTo(4);
    assertThat(r.ignored()).isEqualTo(3);
    assertThat(rows.get(".trash").reason()).startsWith("hidden folder");
    assertThat(r.succeeded() + r.failed() + r.skipped() + r.ignored()).isEqualTo(rows.size());

    // JPEG: EXIF, GPS, IPTC, XMP equal; orientation applied (40x56 turned: 112 wide, 80 high)
    JsonNode s = Exiftool.read(jpg);
    JsonNode o = Exiftool.read(Path.of(out, "2019/paris/IMG_0001_x2.jpg"));
    for (String k : List.of("IFD0:Make", "IFD0:Model", "ExifIFD:DateTimeOriginal", "IFD0:Artist",
        "IFD0:Copyright", "GPS:GPSLatitude", "GPS:GPSLongitude", "GPS:GPSLatitudeRef",
        "GPS:GPSLongitudeRef", "IPTC:Keywords", "IPTC:By-line", "IPTC:Caption-Abstract",
        "XMP-dc:Title", "XMP-dc:Rights", "IFD0:ResolutionUnit")) {
      assertThat(o.get(k)).as(k).isNotNull().isEqualTo(s.get(k));
    }
    assertThat(o.get("IFD0:Orientation").asInt()).isEqualTo(1);
    assertThat(o.get("IFD0:XResolution").asDouble()).isEqualTo(300.0 * SCALE);
    assertThat(o.get("IFD0:YResolution").asDouble()).isEqualTo(300.0 * SCALE);
    assertThat(o.get("File:ImageWidth").asInt()).isEqualTo(40 * SCALE);
    assertThat(o.get("File:ImageHeight").asInt()).isEqualTo(56 * SCALE);
    assertThat(s.has("IFD1:ThumbnailImage")).isTrue();
    assertThat(o.has("IFD1:ThumbnailImage")).as("the source's thumbnail is not carried").isFalse();
    assertProvenance(o, jpg);
    assertThat(rows.get("2019/paris/IMG_0001.jpg").metadata()).contains("kept")
        .contains("orientation->1").contains("thumbnail");

    // the other IMG_0001.jpg keeps its own record
    assertThat(Exiftool.read(Path.of(out, "2020/paris/IMG_0001_x2.jpg")).get("IFD0:Artist")
        .asText()).isEqualTo("Bo Other");

    // PNG: text chunks and XMP equal, pHYs times the scale
    JsonNode ps = Exiftool.read(png);
    JsonNode po = Exiftool.read(Path.of(out, "scans/poster_x2.png"));
    for (String k : List.of("PNG:Title", "PNG:Author", "XMP-dc:Rights", "PNG-pHYs:PixelUnits",
        "IFD0:Artist", "IFD0:Copyright")) {
      assertThat(po.get(k)).as(k).isNotNull().isEqualTo(ps.get(k));
    }
    assertThat(po.get("PNG-pHYs:PixelsPerUnitX").asDouble()).isCloseTo(11811.0 * SCALE,
        within(1.0));
    assertThat(po.get("PNG-pHYs:PixelsPerUnitY").asDouble()).isCloseTo(11811.0 * SCALE,
        within(1.0));
    assertProvenance(po, png);

    // 16-bit TIFF: descriptive tags, IPTC, EXIF and GPS sub-IFDs equal, resolution times the
    // scale, 16 bits kept
    JsonNode ts = Exiftool.read(tif);
    JsonNode to = Exiftool.read(Path.of(out, "scans/1901/plate_x2.tif"));
    for (String k : List.of("IFD0:Artist", "IFD0:Copyright", "IFD0:ModifyDate",
        "IFD0:ImageDescription", "IFD0:Make", "IFD0:Model", "IFD0:ResolutionUnit",
        "XMP-dc:Title", "IPTC:Keywords", "ExifIFD:DateTimeOriginal", "ExifIFD:UserComment",
        "GPS:GPSLatitude", "GPS:GPSLatitudeRef")) {
      assertThat(to.get(k)).as("%s: source %s, output %s", k, ts, to).isNotNull()
          .isEqualTo(ts.get(k));
    }
    assertThat(to.get("IFD0:XResolution").asDouble()).isEqualTo(300.0 * SCALE);
    assertThat(to.get("IFD0:BitsPerSample").asText()).startsWith("16");
    assertProvenance(to, tif);

    // a second run does no work
    UpscaleJobResult again = UpscaleJob.run(spark(), cfg);
    assertThat(again.skipped()).isEqualTo(4);
    assertThat(again.tiles()).isZero();
  }

  private static void assertProvenance(JsonNode o, Path source) {
    assertThat(o.get("XMP-xmp:CreatorTool").asText()).startsWith("sparksr ");
    assertThat(o.toString()).contains(source.toString());
    assertThat(o.get("XMP-sparksr:Scale").asText()).contains("2");
    assertThat(o.get("XMP-sparksr:Model").asText()).isEqualTo("bicubic");
    assertThat(o.has("XMP-sparksr:RunId")).isTrue();
    assertThat(o.has("XMP-sparksr:Halo")).isTrue();
    assertThat(o.has("XMP-sparksr:TileSize")).isTrue();
  }
}
