package io.sparksr.io.metadata;

import io.sparksr.io.metadata.SourceMetadata.Resolution;
import io.sparksr.io.metadata.SourceMetadata.TextEntry;
import io.sparksr.io.metadata.SourceMetadata.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
  private int orientation = 1;
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

  /**
   * For an output that keeps the source's stored pixel order and writes this orientation tag (a
   * tiled TIFF): EXIF and XMP then state it too, instead of 1.
   */
  public OutputMetadata storedWithOrientation(int o) {
    this.orientation = o;
    return this;
  }

  /** What was carried, changed and dropped so far (complete once the file is written). */
  public MetadataReport report() {
    return report.build();
  }

  /** Records the ICC profile as carried (ImageStore embeds it) or dropped. */
  public void icc(boolean present) {
    if (!present) {
      if (src != null && src.iccSpace() != null) { // a grey or CMYK JPEG's profile
        report.dropped("icc", "the source's " + src.iccSpace().toLowerCase(java.util.Locale.ROOT)
            + " profile is not applied by the decoder");
      }
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
    byte[] photoshop = src == null ? null
        : src.photoshop() != null ? src.photoshop() : src.iptc() != null ? photoshopOf(src.iptc())
        : null;
    if (photoshop != null) {
      // the resource blocks edited as bytes (PhotoshopResources): IPTC and its digest unchanged
      try {
        List<PhotoshopResources.Block> blocks = PhotoshopResources.forOutput(
            PhotoshopResources.parse(photoshop), scale, report);
        out = JpegSegments.insert(out, 0xED, PhotoshopResources.payload(blocks), m -> true,
            m -> m == 0xED); // after the APPn segments, where Photoshop writes it
        if (PhotoshopResources.data(blocks, PhotoshopResources.IPTC) != null) {
          report.kept("iptc");
        }
        String others = PhotoshopResources.otherIds(blocks);
        if (!others.isEmpty()) {
          report.kept("photoshop resources " + others);
        }
      } catch (Exception e) {
        report.dropped("iptc", "not writable: " + message(e));
      }
    }
    try {
      TiffOutputSet exif = exifWithTiffTags();
      if (exif != null) {
        byte[] raw = src.exif();
        byte[] base = out;
        if (raw != null && !src.format().equals("tiff") // a JPEG's APP1 or a PNG's eXIf
            && raw.length + 6 <= JpegSegments.SEGMENT_MAX) {
          // the source's EXIF segment first, so that the rewrite below is Commons Imaging's
          // lossless one: a MakerNote stays at its offset (its values are addressed from the
          // TIFF header in most makers' layouts; a moved one reads as garbage). Only the
          // rewritten result is kept: the unedited EXIF alone would state the old orientation.
          byte[] app1 = new byte[6 + raw.length];
          System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, app1, 0, 6);
          System.arraycopy(raw, 0, app1, 6, raw.length);
          base = JpegSegments.insert(out, 0xE1, app1, m -> m == 0xE0, m -> false);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(base.length + 65536);
        new ExifRewriter().updateExifMetadataLossless(base, b, exif);
        out = b.toByteArray();
        if (src.exif() != null) {
          report.kept("exif");
        }
        if (src.format().equals("tiff") && !src.tiffText().isEmpty()) {
          report.kept("tiff-tags (as exif)");
        }
      }
    } catch (Exception e) {
      report.dropped(src.exif() != null ? "exif" : "tiff-tags", "not writable: " + message(e));
    }
    dropTexts("jpeg has no text chunks");
    return out;
  }

  /** Reports the source's Photoshop resources other than IPTC dropped, if it has any. */
  private void photoshopOthersDropped(String why) {
    if (src.photoshop() == null) {
      return;
    }
    try {
      String others = PhotoshopResources.otherIds(PhotoshopResources.parse(src.photoshop()));
      if (!others.isEmpty()) {
        report.dropped("photoshop resources " + others, why);
      }
    } catch (IOException e) {
      report.dropped("photoshop resources", why);
    }
  }

  /**
   * A TIFF's IPTC-IIM block (tag 33723) as the Photoshop APP13 payload a JPEG carries it in: the
   * "Photoshop 3.0" signature and one image resource block, 8BIM 0x0404 (IPTC-NAA), empty name.
   */
  static byte[] photoshopOf(byte[] iim) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(iim.length + 32);
    b.writeBytes("Photoshop 3.0\0".getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("8BIM".getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(new byte[] {0x04, 0x04, 0, 0}); // resource id, empty Pascal name padded to even
    b.writeBytes(ByteBuffer.allocate(4).putInt(iim.length).array());
    b.writeBytes(iim);
    if ((iim.length & 1) == 1) {
      b.write(0);
    }
    return b.toByteArray();
  }

  /**
   * The source's EXIF edited for the output ({@link #editedExif}), with a TIFF source's descriptive
   * tags and resolution added to IFD0 where the EXIF has none (a TIFF's EXIF holds only its
   * sub-IFDs); null if the source has neither.
   */
  private TiffOutputSet exifWithTiffTags() throws Exception {
    if (src == null || src.exif() == null && src.tiffText().isEmpty()) {
      return null;
    }
    TiffOutputSet set = src.exif() != null ? editedExif(src.exif()) : new TiffOutputSet();
    TiffOutputDirectory root = set.getOrCreateRootDirectory();
    // a PNG's text chunks stay text chunks in a PNG output, not EXIF too
    boolean pngToPng = src.format().equals("png") && target.equals("png");
    for (Map.Entry<Integer, String> e : src.tiffText().entrySet()) {
      if (root.findField(e.getKey()) == null && !pngToPng) {
        String v = e.getKey() == 305 && derivation != null ? derivation.software() : e.getValue();
        root.add(EXIF_TEXT.get(e.getKey()), v);
      }
    }
    Resolution r = src.resolution();
    if (r != null && r.unit() != Unit.METRE
        && root.findField(TiffTagConstants.TIFF_TAG_XRESOLUTION) == null) {
      root.add(TiffTagConstants.TIFF_TAG_XRESOLUTION, RationalNumber.valueOf(r.x() * scale));
      root.add(TiffTagConstants.TIFF_TAG_YRESOLUTION, RationalNumber.valueOf(r.y() * scale));
      root.add(TiffTagConstants.TIFF_TAG_RESOLUTION_UNIT, (short) (r.unit() == Unit.INCH ? 2
          : r.unit() == Unit.CENTIMETRE ? 3 : 1));
    }
    return set;
  }

  /**
   * The source EXIF without its thumbnail, with the output's orientation (1 unless
   * {@link #storedWithOrientation}) and dimensions, and the
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
      int was = ByteBuffer.wrap(o.getData()).order(all.byteOrder).getShort();
      root.removeField(TiffTagConstants.TIFF_TAG_ORIENTATION);
      root.add(TiffTagConstants.TIFF_TAG_ORIENTATION, (short) orientation);
      if (was != orientation) {
        report.changed("orientation->" + orientation);
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
            if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(e.getValue())) {
              text.appendChild(textEntry(keyword, e.getValue()));
            } else { // tEXt is Latin-1 only (the JDK writer keeps each char's low byte)
              itxt.appendChild(itxtEntry(keyword, "", "", e.getValue()));
            }
          }
        }
        report.kept("tiff-tags (as png text)");
      }
      if (src.exif() != null || src.format().equals("tiff") && !src.tiffText().isEmpty()) {
        // an eXIf chunk (PNG 1.5 extension): the edited EXIF as a TIFF structure (a TIFF's
        // descriptive tags in its IFD0); the JDK writer puts unknown chunks before the image
        // data, as the chunk must be
        try {
          TiffOutputSet set = exifWithTiffTags();
          java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
          byte[] raw = src.exif();
          if (raw != null && !src.format().equals("tiff")) {
            // laid out over the source's EXIF (Commons Imaging's lossless writer), so a MakerNote
            // stays at its offset from the TIFF header, as in a JPEG output
            new org.apache.commons.imaging.formats.tiff.write.TiffImageWriterLossless(
                set.byteOrder, raw).write(b, set);
          } else {
            new org.apache.commons.imaging.formats.tiff.write.TiffImageWriterLossy(set.byteOrder)
                .write(b, set);
          }
          IIOMetadataNode chunks = new IIOMetadataNode("UnknownChunks");
          IIOMetadataNode chunk = new IIOMetadataNode("UnknownChunk");
          chunk.setAttribute("type", "eXIf");
          chunk.setUserObject(b.toByteArray());
          chunks.appendChild(chunk);
          root.appendChild(chunks);
          report.kept(src.exif() != null ? "exif" : "tiff-tags (as exif)");
        } catch (Exception e) {
          report.dropped(src.exif() != null ? "exif" : "tiff-tags", "not writable: " + message(e));
        }
      }
      if (src.photoshop() != null || src.iptc() != null) {
        report.dropped("iptc", "png has no iptc chunk");
        photoshopOthersDropped("png has no place for them");
      }
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

  /**
   * One TIFF directory entry: tag, TIFF 6.0 field type and count, the value's bytes little-endian
   * (the order of every TIFF this project writes); an IFD pointer ({@link #IFD}: EXIF 34665, GPS
   * 34853, Interoperability 40965) has the entries of its sub-directory instead of a value.
   */
  public record TiffEntry(int tag, int type, long count, byte[] value, List<TiffEntry> children) {
    public static final int BYTE = 1;
    public static final int ASCII = 2;
    public static final int SHORT = 3;
    public static final int LONG = 4;
    public static final int RATIONAL = 5;
    public static final int UNDEFINED = 7;
    /** TIFF_IFD (Adobe TIFF Tech Note 1): a LONG offset of a sub-directory. */
    public static final int IFD = 13;

    static TiffEntry ascii(int tag, String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return new TiffEntry(tag, ASCII, b.length + 1L, java.util.Arrays.copyOf(b, b.length + 1), null);
    }

    static TiffEntry rational(int tag, double v) {
      RationalNumber r = RationalNumber.valueOf(v);
      return new TiffEntry(tag, RATIONAL, 1, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
          .putInt((int) r.numerator).putInt((int) r.divisor).array(), null);
    }

    static TiffEntry shortValue(int tag, int v) {
      return new TiffEntry(tag, SHORT, 1,
          ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array(), null);
    }

    static TiffEntry bytes(int tag, int type, byte[] v) {
      return new TiffEntry(tag, type, v.length, v, null);
    }

    static TiffEntry ifd(int tag, List<TiffEntry> children) {
      return new TiffEntry(tag, IFD, 1, null, List.copyOf(children));
    }

    /** Whether this entry points to a sub-directory ({@link #children}). */
    public boolean isIfd() {
      return children != null;
    }
  }

  /** EXIF / GPS / Interoperability IFD pointers. */
  static final int TAG_EXIF_IFD = 34665;
  static final int TAG_GPS_IFD = 34853;
  static final int TAG_INTEROP_IFD = 40965;

  /**
   * IFD0 tags that describe a file's own pixels and layout (TIFF 6.0 baseline and extension
   * structure, JPEG-in-TIFF, YCbCr, SubIFDs, the ICC profile a writer embeds itself), the
   * resolution and orientation this class sets, the pointers, XMP and IPTC: never copied from a
   * source's EXIF IFD0 into a TIFF output. Every other IFD0 tag (Rating, the Windows XP* tags,
   * PrintIM, ...) is.
   */
  private static final java.util.Set<Integer> STRUCTURAL = java.util.Set.of(254, 255, 256, 257,
      258, 259, 262, 263, 264, 265, 266, 273, 274, 277, 278, 279, 280, 281, 282, 283, 284, 288, 289,
      290, 291, 292, 293, 296, 297, 301, 317, 318, 319, 320, 321, 322, 323, 324, 325, 330, 332, 338,
      339, 340, 341, 342, 347, 512, 513, 514, 515, 517, 518, 519, 520, 521, 529, 530, 531, 532,
      SourceMetadata.TAG_XMP, SourceMetadata.TAG_IPTC, 34675, TAG_EXIF_IFD, TAG_GPS_IFD,
      TAG_INTEROP_IFD);

  /**
   * The entries a TIFF output gets (both the JDK writer, {@link #addToTiff}, and
   * {@code TiledTiff}): descriptive tags (Software = the derivation's), resolution &times; scale
   * with its unit, XMP (700) and IPTC (33723), and the source's EXIF: its IFD0 tags that are not
   * {@link #STRUCTURAL}, the EXIF IFD (with the Interoperability IFD) and the GPS IFD as
   * sub-directories, edited as for a JPEG ({@link #editedExif}: dimensions, no thumbnail).
   */
  public List<TiffEntry> tiffEntries() {
    List<TiffEntry> out = new ArrayList<>();
    if (src != null) {
      for (Map.Entry<Integer, String> e : src.tiffText().entrySet()) {
        if (e.getKey() == 305 && derivation != null) {
          continue;
        }
        out.add(TiffEntry.ascii(e.getKey(), e.getValue()));
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
        out.add(TiffEntry.rational(282, (metre ? r.x() / 100 : r.x()) * scale));
        out.add(TiffEntry.rational(283, (metre ? r.y() / 100 : r.y()) * scale));
        out.add(TiffEntry.shortValue(296, switch (r.unit()) {
          case INCH -> 2;
          case CENTIMETRE, METRE -> 3;
          default -> 1;
        }));
        noteDpi();
      }
      if (src.exif() != null) {
        try {
          out.addAll(exifEntries(out));
          report.kept("exif");
        } catch (Exception e) {
          report.dropped("exif", "not writable: " + message(e));
        }
      }
      byte[] iim = src.iptc();
      if (iim == null && src.photoshop() != null) {
        try { // the IPTC block's bytes as they are (a re-serialisation loses records)
          List<PhotoshopResources.Block> blocks = PhotoshopResources.parse(src.photoshop());
          iim = PhotoshopResources.data(blocks, PhotoshopResources.IPTC);
          String others = PhotoshopResources.otherIds(blocks);
          if (!others.isEmpty()) {
            report.dropped("photoshop resources " + others, "a tiff output carries the iptc only");
          }
        } catch (Exception e) {
          report.dropped("iptc", "not convertible: " + message(e));
        }
      }
      if (iim != null) {
        out.add(TiffEntry.bytes(SourceMetadata.TAG_IPTC, TiffEntry.UNDEFINED, iim));
        report.kept("iptc");
      }
      dropTexts("tiff has no place for them");
    }
    if (derivation != null) {
      out.add(TiffEntry.ascii(305, derivation.software()));
    }
    String xmp = xmp(Integer.MAX_VALUE);
    if (xmp != null) {
      out.add(TiffEntry.bytes(SourceMetadata.TAG_XMP, TiffEntry.BYTE,
          xmp.getBytes(StandardCharsets.UTF_8)));
    }
    out.sort(java.util.Comparator.comparingInt(TiffEntry::tag));
    return out;
  }

  /** The edited EXIF as TIFF entries: IFD0 extras not already in {@code present}, then the sub-IFDs. */
  private List<TiffEntry> exifEntries(List<TiffEntry> present) throws Exception {
    TiffOutputSet set = editedExif(src.exif());
    java.util.Set<Integer> have = new java.util.HashSet<>();
    present.forEach(e -> have.add(e.tag()));
    if (derivation != null) {
      have.add(305);
    }
    List<TiffEntry> out = new ArrayList<>();
    TiffOutputDirectory root = set.getRootDirectory();
    if (root != null) {
      for (TiffOutputField f : root.getFields()) {
        if (!STRUCTURAL.contains(f.tag) && !have.contains(f.tag)) {
          out.add(raw(f, set.byteOrder));
        }
      }
    }
    TiffOutputDirectory exif = set.getExifDirectory();
    if (exif != null) {
      if (exif.findField(ExifTagConstants.EXIF_TAG_MAKER_NOTE.tag) != null) {
        // in a TIFF output the MakerNote cannot keep its offset from the file's header
        report.changed("makernote moved (values a maker addresses from the TIFF header may not "
            + "read)");
      }
      List<TiffEntry> children = entries(exif, set.byteOrder);
      TiffOutputDirectory interop = set.getInteroperabilityDirectory();
      if (interop != null) {
        children.add(TiffEntry.ifd(TAG_INTEROP_IFD, entries(interop, set.byteOrder)));
      }
      children.sort(java.util.Comparator.comparingInt(TiffEntry::tag));
      out.add(TiffEntry.ifd(TAG_EXIF_IFD, children));
    }
    TiffOutputDirectory gps = set.getGpsDirectory();
    if (gps != null) {
      out.add(TiffEntry.ifd(TAG_GPS_IFD, entries(gps, set.byteOrder)));
    }
    return out;
  }

  /** A sub-directory's fields without its pointers (the writer makes its own), in tag order. */
  private static List<TiffEntry> entries(TiffOutputDirectory dir, ByteOrder order) {
    List<TiffEntry> out = new ArrayList<>();
    for (TiffOutputField f : dir.getFields()) {
      if (f.tag != TAG_EXIF_IFD && f.tag != TAG_GPS_IFD && f.tag != TAG_INTEROP_IFD) {
        out.add(raw(f, order));
      }
    }
    out.sort(java.util.Comparator.comparingInt(TiffEntry::tag));
    return out;
  }

  /** A Commons Imaging field as an entry, its bytes turned little-endian element by element. */
  private static TiffEntry raw(TiffOutputField f, ByteOrder order) {
    int type = f.abstractFieldType.getType();
    byte[] v = f.getData().clone();
    int unit = switch (type) {
      case 3, 8 -> 2; // SHORT, SSHORT
      case 4, 5, 9, 10, 11, 13 -> 4; // LONG, RATIONAL and SRATIONAL (two LONGs), SLONG, FLOAT, IFD
      case 12, 16, 17, 18 -> 8; // DOUBLE, LONG8, SLONG8, IFD8
      default -> 1;
    };
    if (order == ByteOrder.BIG_ENDIAN && unit > 1) {
      for (int i = 0; i + unit <= v.length; i += unit) {
        for (int a = i, b = i + unit - 1; a < b; a++, b--) {
          byte t = v[a];
          v[a] = v[b];
          v[b] = t;
        }
      }
    }
    return new TiffEntry(f.tag, type, f.count, v, null);
  }

  /** Adds {@link #tiffEntries} to a directory the JDK TIFF writer will write (replacing its own). */
  public void addToTiff(TIFFDirectory dir) {
    for (TiffEntry e : tiffEntries()) {
      dir.removeTIFFField(e.tag());
      dir.addTIFFField(jdkField(e, BaselineTIFFTagSet.getInstance()));
    }
  }

  /** An entry as a JDK field; a sub-directory becomes a {@link TIFFDirectory} the writer writes. */
  private static TIFFField jdkField(TiffEntry e, javax.imageio.plugins.tiff.TIFFTagSet known) {
    if (e.isIfd()) {
      List<TIFFTag> tags = new ArrayList<>();
      List<TIFFField> fields = new ArrayList<>();
      for (TiffEntry c : e.children()) {
        TIFFField f = jdkField(c, null);
        tags.add(f.getTag());
        fields.add(f);
      }
      javax.imageio.plugins.tiff.TIFFTagSet set = new javax.imageio.plugins.tiff.TIFFTagSet(tags);
      TIFFDirectory sub = new TIFFDirectory(new javax.imageio.plugins.tiff.TIFFTagSet[] {set},
          null);
      fields.forEach(sub::addTIFFField);
      // the offset is a placeholder: the writer puts the sub-directory after the main one
      return new TIFFField(new TIFFTag("IFD" + e.tag(), e.tag(), set), TIFFTag.TIFF_LONG, 1L, sub);
    }
    TIFFTag tag = known == null ? null : known.getTag(e.tag());
    if (tag == null || !tag.isDataTypeOK(e.type())) {
      tag = new TIFFTag("Tag" + e.tag(), e.tag(), 1 << e.type());
    }
    ByteBuffer b = ByteBuffer.wrap(e.value()).order(ByteOrder.LITTLE_ENDIAN);
    int n = (int) e.count();
    Object data = switch (e.type()) {
      // the bytes as they are (UTF-8 text stays UTF-8): the JDK writer writes each char's low
      // byte, so each byte is passed as one char
      case TIFFTag.TIFF_ASCII -> new String[] {new String(e.value(), 0,
          Math.max(0, e.value().length - (e.value().length > 0
              && e.value()[e.value().length - 1] == 0 ? 1 : 0)), StandardCharsets.ISO_8859_1)};
      case TIFFTag.TIFF_SHORT -> {
        char[] a = new char[n];
        for (int i = 0; i < n; i++) {
          a[i] = b.getChar();
        }
        yield a;
      }
      case TIFFTag.TIFF_SSHORT -> {
        short[] a = new short[n];
        b.asShortBuffer().get(a);
        yield a;
      }
      case TIFFTag.TIFF_LONG, TIFFTag.TIFF_IFD_POINTER -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          a[i] = b.getInt() & 0xFFFF_FFFFL;
        }
        yield a;
      }
      case TIFFTag.TIFF_SLONG -> {
        int[] a = new int[n];
        b.asIntBuffer().get(a);
        yield a;
      }
      case TIFFTag.TIFF_RATIONAL -> {
        long[][] a = new long[n][2];
        for (int i = 0; i < n; i++) {
          a[i][0] = b.getInt() & 0xFFFF_FFFFL;
          a[i][1] = b.getInt() & 0xFFFF_FFFFL;
        }
        yield a;
      }
      case TIFFTag.TIFF_SRATIONAL -> {
        int[][] a = new int[n][2];
        for (int i = 0; i < n; i++) {
          a[i][0] = b.getInt();
          a[i][1] = b.getInt();
        }
        yield a;
      }
      case TIFFTag.TIFF_FLOAT -> {
        float[] a = new float[n];
        b.asFloatBuffer().get(a);
        yield a;
      }
      case TIFFTag.TIFF_DOUBLE -> {
        double[] a = new double[n];
        b.asDoubleBuffer().get(a);
        yield a;
      }
      default -> e.value(); // BYTE, SBYTE, UNDEFINED
    };
    // ASCII: the JDK counts strings, not bytes
    return new TIFFField(tag, e.type(), e.type() == TIFFTag.TIFF_ASCII ? 1 : n, data);
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
        photoshopOthersDropped(why);
      }
      if (!src.texts().isEmpty()) {
        report.dropped("text", why);
      }
      if (!src.tiffText().isEmpty() && src.format().equals("tiff")) {
        report.dropped("tiff-tags", why);
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
      String packet = XmpProvenance.merge(sourceXmp, derivation, width, height, scale,
          orientation, report);
      if (packet != null && packet.getBytes(StandardCharsets.UTF_8).length > limit) {
        report.dropped(sourceXmp != null ? "xmp" : "provenance", "packet of "
            + packet.getBytes(StandardCharsets.UTF_8).length + " bytes exceeds the " + limit
            + "-byte jpeg APP1 limit (extended xmp not supported)");
        if (sourceXmp == null) {
          return null;
        }
        packet = XmpProvenance.merge(null, derivation, width, height, scale, orientation,
            report);
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

  /**
   * PNG text in a format without text chunks: the registered keywords with a TIFF tag
   * ({@link SourceMetadata#PNG_TEXT_TAGS}) went into the tags; the others are dropped, by name.
   */
  private void dropTexts(String why) {
    if (src == null || src.texts().isEmpty()) {
      return;
    }
    java.util.Set<String> lost = new java.util.TreeSet<>();
    for (TextEntry t : src.texts()) {
      if (!SourceMetadata.PNG_TEXT_TAGS.containsKey(t.keyword())) {
        lost.add(t.keyword());
      }
    }
    if (lost.size() < src.texts().size()) {
      report.kept("text (as tags)");
    }
    if (!lost.isEmpty()) {
      report.dropped("text " + String.join(",", lost), why);
    }
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
  }
}
