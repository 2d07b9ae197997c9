package io.sparksr.io.metadata;

import io.sparksr.io.metadata.SourceMetadata.Resolution;
import io.sparksr.io.metadata.SourceMetadata.TextEntry;
import io.sparksr.io.metadata.SourceMetadata.Unit;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.common.RationalNumber;
import org.apache.commons.imaging.formats.jpeg.exif.ExifRewriter;
import org.apache.commons.imaging.formats.jpeg.iptc.IptcParser;
import org.apache.commons.imaging.formats.jpeg.iptc.JpegIptcRewriter;
import org.apache.commons.imaging.formats.jpeg.xmp.JpegXmpRewriter;
import org.apache.commons.imaging.formats.tiff.TiffImageMetadata;
import org.apache.commons.imaging.formats.tiff.constants.ExifTagConstants;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.tiff.fieldtypes.AbstractFieldType;
import org.apache.commons.imaging.formats.tiff.taginfos.TagInfo;
import org.apache.commons.imaging.formats.tiff.taginfos.TagInfoAscii;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputDirectory;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputField;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a {@link SourceMetadata} and a {@link Derivation} into one output of an upscale (pixels
 * {@code scale} times larger, already upright) and records a {@link MetadataReport}. One instance
 * per output file; the encoder calls the method of its format.
 *
 * <p>Rules, per target: <b>JPEG</b> ({@link #rewriteJpeg}, Commons Imaging): EXIF kept with
 * Orientation 1, PixelX/YDimension (and ImageWidth/Length) = the output size, X/YResolution
 * &times; scale, the thumbnail (IFD1) dropped; XMP merged with provenance
 * ({@link XmpProvenance}); the Photoshop APP13 (IPTC) kept; a TIFF source's descriptive tags become
 * EXIF IFD0. <b>PNG</b> ({@link #addToPng}): text chunks and XMP (iTXt) kept, pHYs &times; scale;
 * a TIFF's or EXIF's descriptive tags become tEXt. <b>TIFF</b> ({@link #tiffEntries}): descriptive
 * tags kept (Software replaced by the derivation's), resolution &times; scale, XMP (700) and IPTC
 * (33723) kept. <b>BMP</b>: only the resolution. Whatever a target cannot hold, or whatever fails,
 * is dropped and reported with the reason; metadata never fails the pixels.
 */
public final class OutputMetadata {
  private static final Logger LOG = LoggerFactory.getLogger(OutputMetadata.class);

  /** JPEG APPn payload limit (65535 minus the length field) minus the XMP namespace header. */
  static final int JPEG_XMP_LIMIT = 65533 - 29;

  private static final Map<Integer, TagInfoAscii> EXIF_TEXT = Map.of(
      269, TiffTagConstants.TIFF_TAG_DOCUMENT_NAME, 270, TiffTagConstants.TIFF_TAG_IMAGE_DESCRIPTION,
      271, TiffTagConstants.TIFF_TAG_MAKE, 272, TiffTagConstants.TIFF_TAG_MODEL,
      285, TiffTagConstants.TIFF_TAG_PAGE_NAME, 305, TiffTagConstants.TIFF_TAG_SOFTWARE,
      306, TiffTagConstants.TIFF_TAG_DATE_TIME, 315, TiffTagConstants.TIFF_TAG_ARTIST,
      316, TiffTagConstants.TIFF_TAG_HOST_COMPUTER, 33432, TiffTagConstants.TIFF_TAG_COPYRIGHT);

  /** PNG's registered keywords for the descriptive TIFF tags (PNG 1.2, 11.3.4.2). */
  private static final Map<Integer, String> PNG_KEYWORD = Map.of(269, "Title", 270, "Description",
      315, "Author", 33432, "Copyright", 306, "Creation Time", 271, "Source", 272, "Source");

  private final SourceMetadata src;
  private final Derivation derivation;
  private final String target;
  private final int width;
  private final int height;
  private final int scale;
  private final MetadataReport.Builder report = new MetadataReport.Builder();

  private OutputMetadata(SourceMetadata src, Derivation derivation, String target, int width,
      int height) {
    this.src = src;
    this.derivation = derivation;
    this.target = target;
    this.width = width;
    this.height = height;
    this.scale = derivation == null ? 1 : derivation.scale();
    if (src != null) {
      for (String p : src.problems()) {
        int paren = p.indexOf(" (");
        report.dropped(p.substring(0, paren), p.substring(paren + 2, p.length() - 1));
      }
    }
  }

  /**
   * @param source     the source's metadata, or null
   * @param derivation the provenance (and the scale), or null (then scale 1)
   * @param target     format written: png, jpeg, tiff, bmp
   * @return null when both are null (an output without metadata: today's behaviour)
   */
  public static OutputMetadata of(SourceMetadata source, Derivation derivation, String target,
      int width, int height) {
    return source == null && derivation == null ? null
        : new OutputMetadata(source, derivation, target, width, height);
  }

  /** What was carried, changed and dropped so far (complete once the file is written). */
  public MetadataReport report() {
    return report.build();
  }

  /** Records the ICC profile as carried (ImageStore embeds it) or dropped. */
  public void icc(boolean present) {
    if (!present) {
      return;
    }
    if (target.equals("bmp")) {
      report.dropped("icc", "bmp cannot hold it");
    } else {
      report.kept("icc");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // JPEG

  /** The quality to encode at: the override, else the source JPEG's estimate, else 0.95. */
  public float jpegQuality(Float override) {
    if (override != null) {
      return override;
    }
    if (src != null && src.jpegQuality() != null) {
      report.kept("quality " + src.jpegQuality());
      return src.jpegQuality() / 100f;
    }
    return 0.95f;
  }

  /** The luma sampling factors {h, v} to encode with (the source JPEG's), or null for the default. */
  public int[] jpegLumaSampling(Float override) {
    int[] s = override == null && src != null ? src.jpegLumaSampling() : null;
    if (s != null) {
      report.kept("sampling " + (s[0] == 1 && s[1] == 1 ? "4:4:4" : s[0] == 2 && s[1] == 2 ? "4:2:0"
          : s[0] + "x" + s[1]));
    }
    return s;
  }

  /** JFIF density {units (1 dpi, 2 dpcm), x, y}, the source's &times; scale; null when none. */
  public int[] jfifDensity() {
    Resolution r = src == null ? null : src.resolution();
    if (r == null || r.unit() == Unit.NONE) {
      return null;
    }
    double f = r.unit() == Unit.METRE ? scale / 100.0 : scale;
    long x = Math.round(r.x() * f);
    long y = Math.round(r.y() * f);
    if (x < 1 || y < 1 || x > 65535 || y > 65535) {
      report.dropped("jfif-density", "x" + scale + " does not fit 16 bits");
      return null;
    }
    noteDpi();
    return new int[] {r.unit() == Unit.INCH ? 1 : 2, (int) x, (int) y};
  }

  /** Adds EXIF, XMP and IPTC to a JPEG the JDK encoded; a kind that fails is dropped and reported. */
  public byte[] rewriteJpeg(byte[] jpeg) {
    byte[] out = jpeg;
    // XMP first: Commons Imaging's XMP rewriter also removes the EXIF APP1 segment.
    String xmp = xmp(JPEG_XMP_LIMIT);
    if (xmp != null) {
      try {
        ByteArrayOutputStream b = new ByteArrayOutputStream(out.length + xmp.length() + 64);
        new JpegXmpRewriter().updateXmpXml(out, b, xmp);
        out = b.toByteArray();
      } catch (Exception e) {
        report.dropped("xmp", "not writable: " + message(e));
      }
    }
    if (src != null && src.photoshop() != null) {
      try {
        ByteArrayOutputStream b = new ByteArrayOutputStream(out.length + 65536);
        new JpegIptcRewriter().writeIptc(out, b,
            new IptcParser().parsePhotoshopSegment(src.photoshop(), false));
        out = b.toByteArray();
        report.kept("iptc");
      } catch (Exception e) {
        report.dropped("iptc", "not writable: " + message(e));
      }
    } else if (src != null && src.iptc() != null) {
      report.dropped("iptc", "tiff iptc into jpeg is not supported");
    }
    try {
      TiffOutputSet exif = exifForJpeg();
      if (exif != null) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(out.length + 65536);
        new ExifRewriter().updateExifMetadataLossless(out, b, exif);
        out = b.toByteArray();
        report.kept(src.exif() != null ? "exif" : "tiff-tags (as exif)");
      }
    } catch (Exception e) {
      report.dropped(src.exif() != null ? "exif" : "tiff-tags", "not writable: " + message(e));
    }
    dropTexts("jpeg has no text chunks");
    return out;
  }

  /** The source's EXIF edited for the output, or IFD0 made from a TIFF's tags; null if neither. */
  private TiffOutputSet exifForJpeg() throws Exception {
    if (src == null) {
      return null;
    }
    if (src.exif() != null) {
      return editedExif(src.exif());
    }
    if (src.tiffText().isEmpty()) {
      return null;
    }
    TiffOutputSet set = new TiffOutputSet();
    TiffOutputDirectory root = set.getOrCreateRootDirectory();
    for (Map.Entry<Integer, String> e : src.tiffText().entrySet()) {
      String v = e.getKey() == 305 && derivation != null ? derivation.software() : e.getValue();
      root.add(EXIF_TEXT.get(e.getKey()), v);
    }
    Resolution r = src.resolution();
    if (r != null && r.unit() != Unit.METRE) {
      root.add(TiffTagConstants.TIFF_TAG_XRESOLUTION, RationalNumber.valueOf(r.x() * scale));
      root.add(TiffTagConstants.TIFF_TAG_YRESOLUTION, RationalNumber.valueOf(r.y() * scale));
      root.add(TiffTagConstants.TIFF_TAG_RESOLUTION_UNIT, (short) (r.unit() == Unit.INCH ? 2
          : r.unit() == Unit.CENTIMETRE ? 3 : 1));
    }
    return set;
  }

  /**
   * The source EXIF without its thumbnail, with Orientation 1, the output's dimensions and the
   * resolution &times; scale.
   */
  TiffOutputSet editedExif(byte[] raw) throws Exception {
    // TiffImageParser fills the metadata's directory list, which getOutputSet() copies
    TiffImageMetadata md = (TiffImageMetadata) new org.apache.commons.imaging.formats.tiff
        .TiffImageParser().getMetadata(ByteSource.array(raw),
            new org.apache.commons.imaging.formats.tiff.TiffImagingParameters());
    TiffOutputSet all = md.getOutputSet();
    TiffOutputSet set = new TiffOutputSet(all.byteOrder);
    for (TiffOutputDirectory d : all.getDirectories()) {
      if (d.getType() == 1 /* IFD1; DIRECTORY_TYPE_THUMBNAIL is 2 */) {
        report.dropped("thumbnail", "regenerating not supported");
      } else {
        set.addDirectory(d);
      }
    }
    TiffOutputDirectory root = set.getOrCreateRootDirectory();
    TiffOutputField o = root.findField(TiffTagConstants.TIFF_TAG_ORIENTATION);
    if (o != null) {
      boolean wasOne = ByteBuffer.wrap(o.getData()).order(all.byteOrder).getShort() == 1;
      root.removeField(TiffTagConstants.TIFF_TAG_ORIENTATION);
      root.add(TiffTagConstants.TIFF_TAG_ORIENTATION, (short) 1);
      if (!wasOne) {
        report.changed("orientation->1");
      }
    }
    boolean dims = replaceLong(root, TiffTagConstants.TIFF_TAG_IMAGE_WIDTH, width, all.byteOrder)
        | replaceLong(root, TiffTagConstants.TIFF_TAG_IMAGE_LENGTH, height, all.byteOrder);
    TiffOutputDirectory exifDir = set.getExifDirectory();
    if (exifDir != null) {
      dims |= replaceLong(exifDir, ExifTagConstants.EXIF_TAG_EXIF_IMAGE_WIDTH, width, all.byteOrder);
      dims |= replaceLong(exifDir, ExifTagConstants.EXIF_TAG_EXIF_IMAGE_LENGTH, height, all.byteOrder);
    }
    if (dims) {
      report.changed("dimensions->" + width + "x" + height);
    }
    if (scaleResolution(root, TiffTagConstants.TIFF_TAG_XRESOLUTION, all.byteOrder)
        | scaleResolution(root, TiffTagConstants.TIFF_TAG_YRESOLUTION, all.byteOrder)) {
      noteDpi();
    }
    return set;
  }

  private static boolean replaceLong(TiffOutputDirectory dir, TagInfo tag, int value,
      ByteOrder order) throws Exception {
    if (dir.findField(tag) == null) {
      return false;
    }
    dir.removeField(tag);
    dir.add(new TiffOutputField(tag, AbstractFieldType.LONG, 1,
        AbstractFieldType.LONG.writeData(new int[] {value}, order)));
    return true;
  }

  private boolean scaleResolution(TiffOutputDirectory dir, TagInfo tag, ByteOrder order)
      throws Exception {
    TiffOutputField f = dir.findField(tag);
    if (f == null || f.abstractFieldType != AbstractFieldType.RATIONAL || scale == 1) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(f.getData()).order(order);
    long num = b.getInt() & 0xFFFF_FFFFL;
    long den = b.getInt() & 0xFFFF_FFFFL;
    long scaled = num * scale;
    RationalNumber r = scaled <= 0xFFFF_FFFFL && den != 0
        ? new RationalNumber((int) scaled, (int) den, true)
        : RationalNumber.valueOf((double) scaled / Math.max(1, den));
    f.setData(AbstractFieldType.RATIONAL.writeData(new RationalNumber[] {r}, order));
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // PNG

  /** Adds text chunks, XMP (iTXt) and pHYs to a {@code javax_imageio_png_1.0} tree to merge. */
  public void addToPng(IIOMetadataNode root) {
    IIOMetadataNode text = new IIOMetadataNode("tEXt");
    IIOMetadataNode ztxt = new IIOMetadataNode("zTXt");
    IIOMetadataNode itxt = new IIOMetadataNode("iTXt");
    if (src != null) {
      for (TextEntry t : src.texts()) {
        switch (t.kind()) {
          case "tEXt" -> text.appendChild(textEntry(t.keyword(), t.text()));
          case "zTXt" -> {
            IIOMetadataNode e = new IIOMetadataNode("zTXtEntry");
            e.setAttribute("keyword", t.keyword());
            e.setAttribute("text", t.text());
            e.setAttribute("compressionMethod", "deflate");
            ztxt.appendChild(e);
          }
          default -> itxt.appendChild(itxtEntry(t.keyword(), t.language(), t.translatedKeyword(),
              t.text()));
        }
      }
      if (!src.texts().isEmpty()) {
        report.kept("text");
      }
      if (!src.format().equals("png") && !src.tiffText().isEmpty()) {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (Map.Entry<Integer, String> e : src.tiffText().entrySet()) {
          String keyword = PNG_KEYWORD.get(e.getKey());
          if (keyword != null && used.add(keyword)) {
            text.appendChild(textEntry(keyword, e.getValue()));
          }
        }
        report.kept("tiff-tags (as png text)");
      }
      if (src.exif() != null) {
        // an eXIf chunk (PNG 1.5 extension): the edited EXIF as a TIFF structure; the JDK writer
        // puts unknown chunks before the image data, as the chunk must be
        try {
          TiffOutputSet set = editedExif(src.exif());
          java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
          new org.apache.commons.imaging.formats.tiff.write.TiffImageWriterLossy(set.byteOrder)
              .write(b, set);
          IIOMetadataNode chunks = new IIOMetadataNode("UnknownChunks");
          IIOMetadataNode chunk = new IIOMetadataNode("UnknownChunk");
          chunk.setAttribute("type", "eXIf");
          chunk.setUserObject(b.toByteArray());
          chunks.appendChild(chunk);
          root.appendChild(chunks);
          report.kept("exif");
        } catch (Exception e) {
          report.dropped("exif", "not writable: " + message(e));
        }
      }
      if (src.photoshop() != null || src.iptc() != null) {
        report.dropped("iptc", "png has no iptc chunk");
      }
      dropSubIfds();
      Resolution r = src.resolution();
      if (r != null) {
        IIOMetadataNode phys = new IIOMetadataNode("pHYs");
        phys.setAttribute("pixelsPerUnitXAxis", Long.toString(Math.round(r.perMetre(r.x()) * scale)));
        phys.setAttribute("pixelsPerUnitYAxis", Long.toString(Math.round(r.perMetre(r.y()) * scale)));
        phys.setAttribute("unitSpecifier", r.unit() == Unit.NONE ? "unknown" : "meter");
        root.appendChild(phys);
        noteDpi();
      }
    }
    String xmp = xmp(Integer.MAX_VALUE);
    if (xmp != null) {
      itxt.appendChild(itxtEntry(SourceMetadata.XMP_KEYWORD, "", "", xmp));
    }
    for (IIOMetadataNode n : List.of(text, ztxt, itxt)) {
      if (n.getLength() > 0) {
        root.appendChild(n);
      }
    }
  }

  private static IIOMetadataNode textEntry(String keyword, String value) {
    IIOMetadataNode e = new IIOMetadataNode("tEXtEntry");
    e.setAttribute("keyword", keyword);
    e.setAttribute("value", value);
    return e;
  }

  private static IIOMetadataNode itxtEntry(String keyword, String lang, String translated,
      String text) {
    IIOMetadataNode e = new IIOMetadataNode("iTXtEntry");
    e.setAttribute("keyword", keyword);
    e.setAttribute("compressionFlag", "FALSE");
    e.setAttribute("compressionMethod", "0");
    e.setAttribute("languageTag", lang == null ? "" : lang);
    e.setAttribute("translatedKeyword", translated == null ? "" : translated);
    e.setAttribute("text", text);
    return e;
  }

  // ---------------------------------------------------------------------------------------------
  // TIFF

  /** One TIFF directory entry: ASCII (String), RATIONAL (long[]{num, den}), SHORT (Integer), BYTE (byte[]). */
  public record TiffEntry(int tag, int type, Object value) {}

  /**
   * The entries a TIFF output gets (both the JDK writer, {@link #addToTiff}, and
   * {@code TiledTiff}): descriptive tags (Software = the derivation's), resolution &times; scale
   * with its unit, XMP (700, BYTE) and IPTC (33723, UNDEFINED).
   */
  public List<TiffEntry> tiffEntries() {
    List<TiffEntry> out = new ArrayList<>();
    if (src != null) {
      for (Map.Entry<Integer, String> e : src.tiffText().entrySet()) {
        if (e.getKey() == 305 && derivation != null) {
          continue;
        }
        out.add(new TiffEntry(e.getKey(), TIFFTag.TIFF_ASCII, e.getValue()));
      }
      if (src.tiffText().containsKey(305) && derivation != null) {
        report.changed("software->" + derivation.software());
      }
      if (src.tiffText().size() > (src.tiffText().containsKey(305) ? 1 : 0)) {
        report.kept(src.format().equals("tiff") ? "tiff-tags" : "tiff-tags (from exif)");
      }
      Resolution r = src.resolution();
      if (r != null) {
        boolean metre = r.unit() == Unit.METRE;
        out.add(new TiffEntry(282, TIFFTag.TIFF_RATIONAL, rational((metre ? r.x() / 100 : r.x()) * scale)));
        out.add(new TiffEntry(283, TIFFTag.TIFF_RATIONAL, rational((metre ? r.y() / 100 : r.y()) * scale)));
        out.add(new TiffEntry(296, TIFFTag.TIFF_SHORT, switch (r.unit()) {
          case INCH -> 2;
          case CENTIMETRE, METRE -> 3;
          default -> 1;
        }));
        noteDpi();
      }
      if (src.exif() != null) {
        report.dropped("exif", "not written into tiff (its descriptive tags are)");
        if (src.exifThumbnail()) {
          report.dropped("thumbnail", "regenerating not supported");
        }
      }
      dropSubIfds();
      byte[] iim = src.iptc();
      if (iim == null && src.photoshop() != null) {
        try {
          IptcParser p = new IptcParser();
          iim = p.writeIptcBlock(p.parsePhotoshopSegment(src.photoshop(), false).getRecords());
        } catch (Exception e) {
          report.dropped("iptc", "not convertible: " + message(e));
        }
      }
      if (iim != null) {
        out.add(new TiffEntry(SourceMetadata.TAG_IPTC, TIFFTag.TIFF_UNDEFINED, iim));
        report.kept("iptc");
      }
      dropTexts("tiff has no place for them");
    }
    if (derivation != null) {
      out.add(new TiffEntry(305, TIFFTag.TIFF_ASCII, derivation.software()));
    }
    String xmp = xmp(Integer.MAX_VALUE);
    if (xmp != null) {
      out.add(new TiffEntry(SourceMetadata.TAG_XMP, TIFFTag.TIFF_BYTE,
          xmp.getBytes(StandardCharsets.UTF_8)));
    }
    out.sort(java.util.Comparator.comparingInt(TiffEntry::tag));
    return out;
  }

  /** Adds {@link #tiffEntries} to a directory the JDK TIFF writer will write (replacing its own). */
  public void addToTiff(TIFFDirectory dir) {
    BaselineTIFFTagSet base = BaselineTIFFTagSet.getInstance();
    for (TiffEntry e : tiffEntries()) {
      TIFFTag tag = base.getTag(e.tag());
      if (tag == null) {
        tag = new TIFFTag(e.tag() == SourceMetadata.TAG_XMP ? "XMP" : "IPTC", e.tag(),
            1 << TIFFTag.TIFF_BYTE | 1 << TIFFTag.TIFF_UNDEFINED);
      }
      TIFFField f = switch (e.type()) {
        case TIFFTag.TIFF_ASCII -> new TIFFField(tag, TIFFTag.TIFF_ASCII, 1,
            new String[] {(String) e.value()});
        case TIFFTag.TIFF_RATIONAL -> new TIFFField(tag, TIFFTag.TIFF_RATIONAL, 1,
            new long[][] {(long[]) e.value()});
        case TIFFTag.TIFF_SHORT -> new TIFFField(tag, TIFFTag.TIFF_SHORT, 1,
            new char[] {(char) (int) (Integer) e.value()});
        default -> new TIFFField(tag, e.type(), ((byte[]) e.value()).length, e.value());
      };
      dir.removeTIFFField(e.tag());
      dir.addTIFFField(f);
    }
  }

  private static long[] rational(double v) {
    RationalNumber r = RationalNumber.valueOf(v);
    return new long[] {r.numerator, r.divisor};
  }

  // ---------------------------------------------------------------------------------------------
  // BMP

  /** {x, y} pixels per metre for the BMP header (the source's &times; scale), or null. */
  public int[] bmpPixelsPerMetre() {
    String why = "bmp cannot hold it";
    if (src != null) {
      if (src.exif() != null) {
        report.dropped("exif", why);
      }
      if (src.exifThumbnail()) {
        report.dropped("thumbnail", why);
      }
      if (src.xmp() != null) {
        report.dropped("xmp", why);
      }
      if (src.photoshop() != null || src.iptc() != null) {
        report.dropped("iptc", why);
      }
      if (!src.texts().isEmpty()) {
        report.dropped("text", why);
      }
      if (!src.tiffText().isEmpty() && src.exif() == null) {
        report.dropped("tiff-tags", why);
      }
      for (String s : src.tiffSubIfds()) {
        report.dropped(s, why);
      }
    }
    if (derivation != null) {
      report.dropped("provenance", why);
    }
    Resolution r = src == null ? null : src.resolution();
    if (r == null || r.unit() == Unit.NONE) {
      return null;
    }
    noteDpi();
    return new int[] {(int) Math.min(Integer.MAX_VALUE, Math.round(r.perMetre(r.x()) * scale)),
        (int) Math.min(Integer.MAX_VALUE, Math.round(r.perMetre(r.y()) * scale))};
  }

  // ---------------------------------------------------------------------------------------------

  /** The merged XMP, or null; a packet over {@code limit} bytes keeps only the provenance. */
  private String xmp(int limit) {
    String sourceXmp = src == null ? null : src.xmp();
    try {
      String packet = XmpProvenance.merge(sourceXmp, derivation, width, height, scale, report);
      if (packet != null && packet.getBytes(StandardCharsets.UTF_8).length > limit) {
        report.dropped(sourceXmp != null ? "xmp" : "provenance", "packet of "
            + packet.getBytes(StandardCharsets.UTF_8).length + " bytes exceeds the " + limit
            + "-byte jpeg APP1 limit (extended xmp not supported)");
        if (sourceXmp == null) {
          return null;
        }
        packet = XmpProvenance.merge(null, derivation, width, height, scale, report);
      } else if (sourceXmp != null) {
        report.kept("xmp");
      }
      if (packet != null && derivation != null) {
        report.changed("provenance added (xmp)");
      }
      return packet;
    } catch (Exception e) {
      LOG.warn("xmp for {} not written: {}", derivation == null ? "output" : derivation.source(),
          message(e));
      report.dropped("xmp", "not writable: " + message(e));
      return null;
    }
  }

  private void noteDpi() {
    if (scale != 1) {
      report.changed("dpi x" + scale);
    } else {
      report.kept("dpi");
    }
  }

  private void dropTexts(String why) {
    if (src != null && !src.texts().isEmpty()) {
      report.dropped("text", why);
    }
  }

  private void dropSubIfds() {
    for (String s : src.tiffSubIfds()) {
      report.dropped(s, "sub-IFDs are not carried");
    }
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
  }
}
