package io.sparksr.io.metadata;

import ar.com.hjg.pngj.PngReader;
import ar.com.hjg.pngj.chunks.ChunkLoadBehaviour;
import ar.com.hjg.pngj.chunks.PngChunk;
import ar.com.hjg.pngj.chunks.PngChunkUNKNOWN;
import com.adobe.internal.xmp.XMPMetaFactory;
import io.sparksr.io.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.jpeg.JPEGQTable;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import javax.imageio.stream.ImageInputStream;
import org.apache.commons.imaging.FormatCompliance;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.common.RationalNumber;
import org.apache.commons.imaging.formats.jpeg.JpegConstants;
import org.apache.commons.imaging.formats.jpeg.JpegImageParser;
import org.apache.commons.imaging.formats.jpeg.segments.AbstractGenericSegment;
import org.apache.commons.imaging.formats.jpeg.segments.AbstractSegment;
import org.apache.commons.imaging.formats.jpeg.segments.App13Segment;
import org.apache.commons.imaging.formats.tiff.TiffContents;
import org.apache.commons.imaging.formats.tiff.TiffDirectory;
import org.apache.commons.imaging.formats.tiff.TiffField;
import org.apache.commons.imaging.formats.tiff.TiffHeader;
import org.apache.commons.imaging.formats.tiff.TiffReader;
import org.apache.commons.imaging.formats.tiff.constants.TiffDirectoryConstants;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.tiff.write.TiffImageWriterLossy;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputDirectory;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputField;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputSet;
import org.apache.commons.io.IOUtils;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.w3c.dom.Node;

/**
 * Metadata read from a source image file, kept as raw bytes and strings (so it is
 * {@link Serializable} and travels with a Spark task) until an output is written
 * ({@link OutputMetadata}).
 *
 * <p>What is read, per source format:
 * <ul>
 * <li>JPEG (Commons Imaging): EXIF (the APP1 TIFF structure), XMP, the Photoshop APP13 segment
 *     (IPTC); (JDK reader) quantisation tables, turned into an estimated IJG quality
 *     ({@link JpegQuality}), the luma sampling factors, the JFIF density.</li>
 * <li>PNG (JDK reader): tEXt / zTXt / iTXt (the iTXt {@code XML:com.adobe.xmp} is the XMP),
 *     pHYs; (PNGJ) an eXIf chunk.</li>
 * <li>TIFF (JDK reader): the descriptive ASCII tags ({@link #TIFF_TEXT_TAGS}), X/YResolution and
 *     ResolutionUnit; (Commons Imaging) XMP (700), IPTC (33723), and the EXIF (34665), GPS (34853)
 *     and Interoperability IFDs, kept as an EXIF structure like a JPEG's ({@link #exif()}).</li>
 * <li>BMP: the resolution.</li>
 * </ul>
 * The descriptive tags are also taken from a JPEG's or PNG's EXIF IFD0 and from a PNG's registered
 * text keywords ({@link #PNG_TEXT_TAGS}), so that they can go into any output (cross-format writes).
 *
 * <p><b>Reading never fails for bad metadata:</b> a kind that cannot be parsed (an EXIF segment
 * Commons Imaging rejects, XMP that XMPCore cannot parse, ...) is left out and named in
 * {@link #problems()}, which every output's {@link MetadataReport} lists as dropped. Only a file
 * that cannot be read at all gives an {@link IOException}.
 */
public final class SourceMetadata implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Descriptive TIFF ASCII tags carried between TIFF, EXIF and PNG text: DocumentName 269,
   * ImageDescription 270, Make 271, Model 272, PageName 285, Software 305, DateTime 306, Artist
   * 315, HostComputer 316, Copyright 33432.
   */
  public static final List<Integer> TIFF_TEXT_TAGS =
      List.of(269, 270, 271, 272, 285, 305, 306, 315, 316, 33432);

  /**
   * PNG's registered text keywords (PNG 1.2, 11.3.4.2) that have a TIFF tag of the same meaning:
   * Title = DocumentName, Description = ImageDescription, Author = Artist, Copyright. Their text
   * also fills {@link #tiffText()} where the EXIF has no such tag, so JPEG and TIFF outputs carry it.
   */
  public static final Map<String, Integer> PNG_TEXT_TAGS =
      Map.of("Title", 269, "Description", 270, "Author", 315, "Copyright", 33432);

  static final int TAG_XMP = 700;
  static final int TAG_IPTC = 33723;
  static final String XMP_KEYWORD = "XML:com.adobe.xmp";

  /** A resolution as the source states it. */
  public enum Unit { NONE, INCH, CENTIMETRE, METRE }

  /** Pixels per {@code unit} along x and y ({@link Unit#NONE}: only the aspect ratio is meaningful). */
  public record Resolution(double x, double y, Unit unit) implements Serializable {
    /** Pixels per metre (NONE: the values as they are). */
    double perMetre(double v) {
      return switch (unit) {
        case INCH -> v / 0.0254;
        case CENTIMETRE -> v * 100;
        default -> v;
      };
    }
  }

  /** One PNG text chunk: kind is {@code tEXt}, {@code zTXt} or {@code iTXt}. */
  public record TextEntry(String kind, String keyword, String language, String translatedKeyword,
      String text) implements Serializable {}

  private final String path;
  private final String format;
  private final byte[] exif;
  private final boolean exifThumbnail;
  private final String xmp;
  private final byte[] photoshop;
  private final byte[] iptc;
  private final List<TextEntry> texts;
  private final Map<Integer, String> tiffText;
  private final Resolution resolution;
  private final Integer jpegQuality;
  private final String iccSpace;
  private final int lumaH;
  private final int lumaV;
  private final List<String> problems;
  /** TIFF NewSubfileType: bit 0 marks a reduced-resolution version of another image. */
  private static final int TAG_NEW_SUBFILE_TYPE = 254;

  private SourceMetadata(Reading r) {
    this.path = r.path;
    this.format = r.format;
    this.exif = r.exif;
    this.exifThumbnail = r.exifThumbnail;
    this.xmp = r.xmp;
    this.photoshop = r.photoshop;
    this.iptc = r.iptc;
    this.texts = List.copyOf(r.texts);
    this.tiffText = Collections.unmodifiableMap(new LinkedHashMap<>(r.tiffText));
    this.resolution = r.resolution;
    this.jpegQuality = r.jpegQuality;
    this.iccSpace = r.iccSpace;
    this.lumaH = r.lumaH;
    this.lumaV = r.lumaV;
    this.problems = List.copyOf(r.problems);
  }

  /**
   * Reads the metadata of {@code path} (any Hadoop file system). The format is recognised from the
   * file's first bytes.
   *
   * @throws IOException only when the file itself cannot be read
   */
  public static SourceMetadata read(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = AtomicFiles.fileSystem(conf, p);
    byte[] head = new byte[8];
    int got;
    try (FSDataInputStream in = fs.open(p)) {
      got = IOUtils.read(in, head);
    } catch (IOException e) {
      throw new IOException("cannot read metadata of " + path + ": " + e.getMessage(), e);
    }
    Reading r = new Reading(path);
    if (got >= 3 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8) {
      r.format = "jpeg";
      r.readJpeg(readJpegHead(fs, p, path));
    } else if (got == 8 && head[0] == (byte) 0x89 && head[1] == 'P' && head[2] == 'N'
        && head[3] == 'G') {
      r.format = "png";
      r.readPng(fs, p);
    } else if (got >= 4 && (head[0] == 'I' && head[1] == 'I' || head[0] == 'M' && head[1] == 'M')) {
      r.format = "tiff";
      int magic = head[0] == 'I' ? (head[2] & 0xFF) | (head[3] & 0xFF) << 8
          : (head[2] & 0xFF) << 8 | (head[3] & 0xFF);
      if (magic == 43) {
        r.problems.add("all metadata (BigTIFF source: its tags are not read)");
      } else {
        r.readWithJdk(fs, p);
        r.readTiffBlobs(fs, p);
      }
    } else if (got >= 2 && head[0] == 'B' && head[1] == 'M') {
      r.format = "bmp";
      r.readWithJdk(fs, p);
    } else {
      r.format = "unknown";
      r.problems.add("all metadata (not a png, jpeg, tiff or bmp file)");
    }
    return new SourceMetadata(r);
  }

  private static byte[] readJpegHead(FileSystem fs, Path p, String path) throws IOException {
    try (FSDataInputStream in = fs.open(p)) {
      return jpegHead(new java.io.BufferedInputStream(in, 1 << 16));
    } catch (IOException e) {
      throw new IOException("cannot read metadata of " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * A JPEG's marker segments up to and including its first scan header (SOS), then EOI: all its
   * metadata (APPn, DQT, SOF, ...) without the entropy-coded image data, so that a gigapixel JPEG
   * is not read whole into the heap for its metadata. Stray bytes between segments (padding left
   * by an in-place edit) are skipped to the next marker, as libjpeg does, up to 64 KiB of them. A
   * stream that ends early gives the whole segments before the end.
   */
  static byte[] jpegHead(java.io.InputStream in) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1 << 16);
    java.io.DataInputStream d = new java.io.DataInputStream(in);
    try {
      out.write(d.readUnsignedByte());
      out.write(d.readUnsignedByte()); // SOI
      while (true) {
        int b = d.readUnsignedByte();
        for (int stray = 0; b != 0xFF; stray++) {
          if (stray == 1 << 16) {
            return out.toByteArray(); // not a JPEG's segments: the parsers say what is missing
          }
          b = d.readUnsignedByte();
        }
        int marker = d.readUnsignedByte();
        while (marker == 0xFF) { // fill bytes
          marker = d.readUnsignedByte();
        }
        if (marker == 0xD9) { // EOI
          out.write(0xFF);
          out.write(marker);
          return out.toByteArray();
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
          out.write(0xFF);
          out.write(marker);
          continue; // markers without a length
        }
        int length = d.readUnsignedShort();
        byte[] payload = new byte[Math.max(0, length - 2)];
        d.readFully(payload);
        // a segment is written only once whole
        out.write(0xFF);
        out.write(marker);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.write(payload);
        if (marker == 0xDA) { // SOS: the image data follows
          break;
        }
      }
    } catch (java.io.EOFException e) {
      return out.toByteArray();
    }
    out.write(0xFF);
    out.write(0xD9);
    return out.toByteArray();
  }

  /** The source path. */
  public String path() {
    return path;
  }

  /** png, jpeg, tiff, bmp (or unknown). */
  public String format() {
    return format;
  }

  /**
   * The EXIF TIFF structure (JPEG APP1 after "Exif\0\0", PNG eXIf; for a TIFF source its EXIF,
   * GPS and Interoperability IFDs under an IFD0 of pointers), or null.
   */
  public byte[] exif() {
    return exif == null ? null : exif.clone();
  }

  /** Whether the EXIF holds a thumbnail (IFD1). */
  public boolean exifThumbnail() {
    return exifThumbnail;
  }

  /**
   * The data colour space of the ICC profile a JPEG embeds ("RGB", "GRAY", "CMYK", ...), or null
   * without one (whether the decoded pixels carry it is the decoder's: RGB profiles only).
   */
  public String iccSpace() {
    return iccSpace;
  }

  /** The XMP packet (it parses), or null. */
  public String xmp() {
    return xmp;
  }

  /** A JPEG's Photoshop APP13 segment payload (holds the IPTC), or null. */
  public byte[] photoshop() {
    return photoshop == null ? null : photoshop.clone();
  }

  /** A TIFF's IPTC-NAA record bytes (tag 33723), or null. */
  public byte[] iptc() {
    return iptc == null ? null : iptc.clone();
  }

  /** PNG text chunks other than XMP, in file order. */
  public List<TextEntry> texts() {
    return texts;
  }

  /** Descriptive ASCII tags by number ({@link #TIFF_TEXT_TAGS}): a TIFF's, or a JPEG's/PNG's EXIF IFD0. */
  public Map<Integer, String> tiffText() {
    return tiffText;
  }

  /** The resolution, or null when the source states none. */
  public Resolution resolution() {
    return resolution;
  }

  /** A JPEG's estimated IJG quality 1..100 ({@link JpegQuality}), or null. */
  public Integer jpegQuality() {
    return jpegQuality;
  }

  /** A JPEG's luma sampling factors {h, v} (chroma 1x1): {1,1} is 4:4:4, {2,2} 4:2:0; null if not JPEG. */
  public int[] jpegLumaSampling() {
    return lumaH == 0 ? null : new int[] {lumaH, lumaV};
  }

  /** Kinds that were present but could not be read, each with the reason: "exif (unparseable: ...)". */
  public List<String> problems() {
    return problems;
  }

  @Override
  public String toString() {
    return "SourceMetadata[" + path + " " + format + (exif != null ? " exif" : "")
        + (xmp != null ? " xmp" : "") + (photoshop != null || iptc != null ? " iptc" : "")
        + (texts.isEmpty() ? "" : " text") + (resolution != null ? " dpi" : "")
        + (problems.isEmpty() ? "" : " problems=" + problems) + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /** Mutable state while reading. */
  private static final class Reading {
    final String path;
    String format;
    byte[] exif;
    boolean exifThumbnail;
    String xmp;
    byte[] photoshop;
    byte[] iptc;
    final List<TextEntry> texts = new ArrayList<>();
    final Map<Integer, String> tiffText = new LinkedHashMap<>();
    Resolution resolution;
    Integer jpegQuality;
    String iccSpace;
    int lumaH;
    int lumaV;
    final List<String> problems = new ArrayList<>();

    Reading(String path) {
      this.path = path;
    }

    void problem(String kind, String what, Exception e) {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      problems.add(kind + " (" + what + ": " + msg.replace('\n', ' ') + ")");
    }

    void readJpeg(byte[] bytes) {
      JpegImageParser parser = new JpegImageParser();
      ByteSource src = ByteSource.array(bytes);
      try {
        byte[] raw = parser.getExifRawData(src);
        if (raw != null) {
          setExif(raw);
        }
      } catch (Exception e) {
        problem("exif", "unparseable", e);
      }
      try {
        setXmp(parser.getXmpXml(src, null));
      } catch (Exception e) {
        problem("xmp", "unreadable", e);
      }
      try {
        for (AbstractSegment seg : parser.readSegments(src,
            new int[] {JpegConstants.JPEG_APP2_MARKER}, false)) {
          // "ICC_PROFILE\0", sequence number, count, then the profile: its data colour space
          // signature is at profile bytes 16..19 (ICC.1 7.2.6)
          if (seg instanceof AbstractGenericSegment g && g.getSegmentData().length >= 14 + 20
              && new String(g.getSegmentData(), 0, 12, StandardCharsets.US_ASCII)
                  .equals("ICC_PROFILE\0") && g.getSegmentData()[12] == 1) {
            iccSpace = new String(g.getSegmentData(), 14 + 16, 4, StandardCharsets.US_ASCII)
                .strip();
          }
        }
      } catch (Exception e) {
        problem("icc", "unreadable", e);
      }
      try {
        mergeExtendedXmp(parser, src);
      } catch (Exception e) {
        problem("xmp", "extended XMP not read", e);
      }
      try {
        for (AbstractSegment s : parser.readSegments(src,
            new int[] {JpegConstants.JPEG_APP13_MARKER}, false)) {
          if (s instanceof App13Segment app13 && app13.isPhotoshopJpegSegment()) {
            byte[] data = app13.getSegmentData();
            PhotoshopResources.parse(data); // must parse to be carried
            photoshop = data;
            break;
          }
        }
      } catch (Exception e) {
        photoshop = null;
        problem("iptc", "unparseable", e);
      }
      readJpegTables(bytes);
    }

    /** Quantisation tables, sampling factors and JFIF density, from the JDK reader's metadata. */
    private void readJpegTables(byte[] bytes) {
      ImageReader reader = jdkReader("jpeg");
      if (reader == null) {
        return;
      }
      try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
        reader.setInput(in, true, false);
        IIOMetadata md = reader.getImageMetadata(0);
        Node root = md.getAsTree("javax_imageio_jpeg_image_1.0");
        List<int[]> tables = new ArrayList<>();
        for (Node n : nodes(root, "dqtable")) {
          if (n instanceof IIOMetadataNode m && m.getUserObject() instanceof JPEGQTable t) {
            tables.add(t.getTable());
          }
        }
        if (!tables.isEmpty()) {
          jpegQuality = JpegQuality.estimate(tables);
        }
        List<Node> comps = nodes(root, "componentSpec");
        if (!comps.isEmpty()) {
          IIOMetadataNode c = (IIOMetadataNode) comps.get(0);
          lumaH = Integer.parseInt(c.getAttribute("HsamplingFactor"));
          lumaV = Integer.parseInt(c.getAttribute("VsamplingFactor"));
        }
        List<Node> jfif = nodes(root, "app0JFIF");
        if (resolution == null && !jfif.isEmpty()) {
          IIOMetadataNode j = (IIOMetadataNode) jfif.get(0);
          int units = Integer.parseInt(j.getAttribute("resUnits"));
          if (units == 1 || units == 2) {
            resolution = new Resolution(Integer.parseInt(j.getAttribute("Xdensity")),
                Integer.parseInt(j.getAttribute("Ydensity")), units == 1 ? Unit.INCH : Unit.CENTIMETRE);
          }
        }
      } catch (Exception e) {
        problem("jpeg-tables", "unreadable", e);
      } finally {
        reader.dispose();
      }
    }

    /** Keeps EXIF bytes only if Commons Imaging parses them; takes IFD0's resolution and text tags. */
    private void setExif(byte[] raw) throws Exception {
      TiffContents contents = new TiffReader(false).readDirectories(ByteSource.array(raw), true,
          FormatCompliance.getDefault());
      for (TiffDirectory d : contents.directories) {
        if (d.type == 1 /* IFD1 */) {
          exifThumbnail = true;
        }
        if (d.type != TiffDirectoryConstants.DIRECTORY_TYPE_ROOT) {
          continue;
        }
        for (TiffField f : d.getDirectoryEntries()) {
          if (TIFF_TEXT_TAGS.contains(f.getTag()) && f.getValue() instanceof String s) {
            tiffText.put(f.getTag(), s); // EXIF before a PNG text of the same meaning
          }
        }
        TiffField x = d.findField(TiffTagConstants.TIFF_TAG_XRESOLUTION);
        TiffField y = d.findField(TiffTagConstants.TIFF_TAG_YRESOLUTION);
        TiffField u = d.findField(TiffTagConstants.TIFF_TAG_RESOLUTION_UNIT);
        // a PNG's own pHYs is its resolution; EXIF in an eXIf chunk only fills in without one
        boolean pngWithPhys = "png".equals(format) && resolution != null;
        if (x != null && y != null && x.getValue() instanceof RationalNumber rx
            && y.getValue() instanceof RationalNumber ry && rx.doubleValue() > 0
            && !pngWithPhys) {
          resolution = new Resolution(rx.doubleValue(), ry.doubleValue(),
              tiffUnit(u == null ? 2 : u.getIntValue()));
        }
      }
      exif = raw;
    }

    /**
     * Extended XMP (XMP spec part 3, 1.1.3.1: the properties of a packet above 64 KB in APP1
     * segments "http://ns.adobe.com/xmp/extension/", each GUID, full length, offset, a part) is
     * merged into the main packet, so outputs without JPEG's limit carry it whole (a JPEG
     * output reports an XMP it cannot hold). Commons Imaging reads the main packet only.
     */
    private void mergeExtendedXmp(JpegImageParser parser, ByteSource src) throws Exception {
      byte[] sig = "http://ns.adobe.com/xmp/extension/\0".getBytes(StandardCharsets.US_ASCII);
      Map<String, byte[]> whole = new java.util.HashMap<>();
      Map<String, Long> got = new java.util.HashMap<>();
      for (AbstractSegment seg : parser.readSegments(src,
          new int[] {JpegConstants.JPEG_APP1_MARKER}, false)) {
        if (!(seg instanceof AbstractGenericSegment g)) {
          continue;
        }
        byte[] d = g.getSegmentData();
        if (d.length < sig.length + 40 || !java.util.Arrays.equals(d, 0, sig.length, sig, 0,
            sig.length)) {
          continue;
        }
        String guid = new String(d, sig.length, 32, StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d, sig.length + 32, 8);
        long full = b.getInt() & 0xFFFF_FFFFL;
        long offset = b.getInt() & 0xFFFF_FFFFL;
        int n = d.length - sig.length - 40;
        if (full > Integer.MAX_VALUE - 8 || offset + n > full) {
          throw new IOException("an extended XMP part lies outside its " + full + " bytes");
        }
        byte[] all = whole.computeIfAbsent(guid, k -> new byte[(int) full]);
        if (all.length != full) {
          throw new IOException("extended XMP parts disagree on its length");
        }
        System.arraycopy(d, sig.length + 40, all, (int) offset, n);
        got.merge(guid, (long) n, Long::sum);
      }
      if (whole.isEmpty()) {
        return;
      }
      if (xmp == null) {
        throw new IOException("extended XMP without a main XMP packet");
      }
      com.adobe.internal.xmp.XMPMeta main = XMPMetaFactory.parseFromString(xmp);
      String guid = main.getPropertyString(com.adobe.internal.xmp.XMPConst.NS_XMP_NOTE,
          "HasExtendedXMP");
      byte[] ext = guid == null ? null : whole.get(guid);
      if (ext == null || got.get(guid) != ext.length) {
        throw new IOException(guid == null ? "the main packet names no extended XMP"
            : "extended XMP " + guid + " is incomplete or missing");
      }
      com.adobe.internal.xmp.XMPUtils.appendProperties(XMPMetaFactory.parseFromBuffer(ext), main,
          true, true, false);
      main.deleteProperty(com.adobe.internal.xmp.XMPConst.NS_XMP_NOTE, "HasExtendedXMP");
      xmp = XMPMetaFactory.serializeToString(main,
          new com.adobe.internal.xmp.options.SerializeOptions().setOmitPacketWrapper(true));
    }

    private void setXmp(String packet) {
      if (packet == null || packet.isBlank()) {
        return;
      }
      try {
        XMPMetaFactory.parseFromString(packet);
        xmp = packet;
      } catch (Exception e) {
        problem("xmp", "malformed", e);
      }
    }

    void readPng(FileSystem fs, Path p) throws IOException {
      readWithJdk(fs, p);
      try (InputStream in = fs.open(p)) {
        PngReader png = new PngReader(in, false);
        try {
          png.setChunkLoadBehaviour(ChunkLoadBehaviour.LOAD_CHUNK_ALWAYS);
          png.getChunksList(); // chunks before IDAT are read with the header
          for (PngChunk c : png.getChunksList().getChunks()) {
            if (c.id.equals("eXIf") && c instanceof PngChunkUNKNOWN u) {
              try {
                setExif(u.getData());
              } catch (Exception e) {
                problem("exif", "unparseable eXIf", e);
              }
            }
          }
        } finally {
          png.close();
        }
      } catch (RuntimeException e) {
        problem("exif", "png chunks unreadable", e);
      }
    }

    /** PNG text and pHYs, TIFF tags, any format's resolution: the JDK reader's metadata. */
    void readWithJdk(FileSystem fs, Path p) throws IOException {
      // seekable over the file itself: ImageIO's own stream over an InputStream caches it in a
      // temporary file, one per image read
      long length = fs.getFileStatus(p).getLen();
      try (FSDataInputStream raw = fs.open(p);
          ImageInputStream in = new io.sparksr.io.FsImageInputStream(raw, length)) {
        ImageReader reader = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
          ImageReader r = it.next();
          if (reader == null && r.getClass().getName().startsWith("com.sun.imageio.")) {
            reader = r;
          } else {
            r.dispose();
          }
        }
        if (reader == null) {
          problems.add("all metadata (no decoder for the file)");
          return;
        }
        try {
          // a TIFF's later directories are read too (morePages): not forward-only
          reader.setInput(in, !format.equals("tiff"), false);
          IIOMetadata md = reader.getImageMetadata(0);
          switch (format) {
            case "png" -> readPngTree(md.getAsTree("javax_imageio_png_1.0"));
            case "tiff" -> {
              readTiff(TIFFDirectory.createFromMetadata(md), in.getByteOrder());
              morePages(reader);
            }
            default -> readStandardResolution(md);
          }
        } catch (Exception e) {
          problem("metadata", "unreadable", e);
        } finally {
          reader.dispose();
        }
      }
    }

    private void readPngTree(Node root) {
      for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
        switch (n.getNodeName()) {
          case "tEXt", "zTXt", "iTXt" -> {
            for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
              IIOMetadataNode m = (IIOMetadataNode) e;
              String kind = n.getNodeName();
              String keyword = m.getAttribute("keyword");
              String text = kind.equals("tEXt") ? m.getAttribute("value") : m.getAttribute("text");
              if (kind.equals("iTXt") && keyword.equals(XMP_KEYWORD)) {
                setXmp(text);
              } else {
                texts.add(new TextEntry(kind, keyword,
                    kind.equals("iTXt") ? m.getAttribute("languageTag") : null,
                    kind.equals("iTXt") ? m.getAttribute("translatedKeyword") : null, text));
                Integer tag = PNG_TEXT_TAGS.get(keyword);
                if (tag != null) {
                  tiffText.putIfAbsent(tag, text);
                }
              }
            }
          }
          case "pHYs" -> {
            IIOMetadataNode m = (IIOMetadataNode) n;
            resolution = new Resolution(Double.parseDouble(m.getAttribute("pixelsPerUnitXAxis")),
                Double.parseDouble(m.getAttribute("pixelsPerUnitYAxis")),
                m.getAttribute("unitSpecifier").equals("meter") ? Unit.METRE : Unit.NONE);
          }
          default -> { }
        }
      }
    }

    private void readTiff(TIFFDirectory dir, ByteOrder order) {
      for (int tag : TIFF_TEXT_TAGS) {
        TIFFField f = dir.getTIFFField(tag);
        if (f != null && f.getType() == TIFFTag.TIFF_ASCII) {
          tiffText.put(tag, f.getAsString(0));
        }
      }
      TIFFField x = dir.getTIFFField(282);
      TIFFField y = dir.getTIFFField(283);
      TIFFField u = dir.getTIFFField(296);
      if (x != null && y != null && x.getAsDouble(0) > 0) {
        resolution = new Resolution(x.getAsDouble(0), y.getAsDouble(0),
            tiffUnit(u == null ? 2 : u.getAsInt(0)));
      }
    }

    /**
     * XMP (700) and IPTC (33723) of a TIFF's first directory, through Commons Imaging: the JDK
     * reader skips tags outside its tag sets unless pixels are read. Local files are read at the
     * offsets the directory names; other file systems through a stream that Commons Imaging
     * caches up to the furthest value read.
     */
    void readTiffBlobs(FileSystem fs, Path p) throws IOException {
      FSDataInputStream stream = null;
      try {
        ByteSource source;
        if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
          source = ByteSource.file(local.pathToFile(p));
        } else if (fs instanceof org.apache.hadoop.fs.RawLocalFileSystem raw) {
          source = ByteSource.file(raw.pathToFile(p));
        } else {
          stream = fs.open(p);
          source = ByteSource.inputStream(stream, p.getName());
        }
        FirstWithSubDirectories first = new FirstWithSubDirectories();
        new TiffReader(false).read(source, FormatCompliance.getDefault(), first);
        if (first.directories.isEmpty()) {
          throw new IOException("no directory");
        }
        for (TiffField f : first.directories.get(0).getDirectoryEntries()) {
          try {
            if (f.getTag() == TAG_XMP) {
              setXmp(new String(f.getByteArrayValue(), StandardCharsets.UTF_8).trim());
            } else if (f.getTag() == TAG_IPTC) {
              iptc = f.getByteArrayValue();
            } else if (TIFF_TEXT_TAGS.contains(f.getTag())
                && f.getFieldType() == org.apache.commons.imaging.formats.tiff.fieldtypes
                    .AbstractFieldType.ASCII) {
              // the JDK reader decodes ASCII fields as US-ASCII: a byte >= 0x80 became U+FFFD
              tiffText.put(f.getTag(), tiffAscii(f.getByteArrayValue()));
            }
          } catch (RuntimeException e) {
            problem(f.getTag() == TAG_XMP ? "xmp" : "iptc", "unreadable", e);
          }
        }
        if (first.directories.size() > 1) {
          try {
            exif = exifOfSubDirectories(first.directories, first.order);
          } catch (Exception e) {
            problem("exif", "sub-IFDs unreadable", e);
          }
        }
      } catch (Exception e) {
        problem("xmp", "tiff directory unreadable", e);
      } finally {
        if (stream != null) {
          stream.close();
        }
      }
    }

    /**
     * The text of a TIFF ASCII field's bytes (up to its first NUL): UTF-8 where the bytes are
     * valid UTF-8 (what exiftool and most tools write), else ISO-8859-1 (older scanner software).
     */
    static String tiffAscii(byte[] b) {
      int n = 0;
      while (n < b.length && b[n] != 0) {
        n++;
      }
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
            .decode(java.nio.ByteBuffer.wrap(b, 0, n)).toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
      }
    }

    /**
     * A TIFF's EXIF, GPS and Interoperability sub-IFDs as an EXIF structure (the form a JPEG's
     * APP1 holds, with an IFD0 of pointers only), so that every writer carries a TIFF's EXIF the
     * way it carries a JPEG's. The values keep the file's byte order.
     */
    private static byte[] exifOfSubDirectories(List<TiffDirectory> dirs, ByteOrder order)
        throws Exception {
      TiffOutputSet set = new TiffOutputSet(order);
      set.addRootDirectory();
      for (TiffDirectory d : dirs.subList(1, dirs.size())) {
        TiffOutputDirectory out = switch (d.type) {
          case TiffDirectoryConstants.DIRECTORY_TYPE_EXIF -> set.addExifDirectory();
          case TiffDirectoryConstants.DIRECTORY_TYPE_GPS -> set.addGpsDirectory();
          case TiffDirectoryConstants.DIRECTORY_TYPE_INTEROPERABILITY ->
              set.addInteroperabilityDirectory();
          default -> null;
        };
        if (out == null) {
          continue;
        }
        for (TiffField f : d.getDirectoryEntries()) {
          if (f.getTag() != 34665 && f.getTag() != 34853 && f.getTag() != 40965) {
            out.add(new TiffOutputField(f.getTag(), f.getTagInfo(), f.getFieldType(),
                (int) f.getCount(), f.getByteArrayValue()));
          }
        }
      }
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      new TiffImageWriterLossy(order).write(b, set);
      return b.toByteArray();
    }

    /**
     * A TIFF's pages after the first, which no output holds (only the first image is read):
     * reported as dropped. Reduced-resolution images (NewSubfileType bit 0: previews,
     * thumbnails of the first page) are not pages.
     */
    void morePages(ImageReader reader) {
      try {
        int n = reader.getNumImages(true);
        int pages = 0;
        for (int i = 1; i < n; i++) {
          TIFFField type = TIFFDirectory.createFromMetadata(reader.getImageMetadata(i))
              .getTIFFField(TAG_NEW_SUBFILE_TYPE);
          if (type == null || (type.getAsLong(0) & 1) == 0) {
            pages++;
          }
        }
        if (pages > 0) {
          problems.add("pages (" + pages + " more page(s) of a multi-page TIFF: only the first "
              + "is read)");
        }
      } catch (Exception e) {
        problem("pages", "after the first unreadable", e);
      }
    }

    /** Collects a TIFF's first directory and its EXIF / GPS / Interoperability sub-IFDs. */
    private static final class FirstWithSubDirectories implements TiffReader.Listener {
      final List<TiffDirectory> directories = new ArrayList<>();
      ByteOrder order = ByteOrder.BIG_ENDIAN;

      @Override
      public boolean setTiffHeader(TiffHeader header) {
        order = header.byteOrder;
        return true;
      }

      @Override
      public boolean addDirectory(TiffDirectory d) {
        if (d.type >= 1) { // the second image's directory (IFD1, ...): stop
          return false;
        }
        directories.add(d);
        return true;
      }

      @Override
      public boolean addField(TiffField f) {
        return true;
      }

      @Override
      public boolean readImageData() {
        return false;
      }

      @Override
      public boolean readOffsetDirectories() {
        return true;
      }
    }

    /** Standard metadata: HorizontalPixelSize / VerticalPixelSize in millimetres per pixel. */
    private void readStandardResolution(IIOMetadata md) {
      if (!md.isStandardMetadataFormatSupported()) {
        return;
      }
      Node root = md.getAsTree("javax_imageio_1.0");
      List<Node> h = nodes(root, "HorizontalPixelSize");
      List<Node> v = nodes(root, "VerticalPixelSize");
      if (!h.isEmpty() && !v.isEmpty()) {
        double mmX = Double.parseDouble(((IIOMetadataNode) h.get(0)).getAttribute("value"));
        double mmY = Double.parseDouble(((IIOMetadataNode) v.get(0)).getAttribute("value"));
        if (mmX > 0 && mmY > 0) {
          resolution = new Resolution(1000 / mmX, 1000 / mmY, Unit.METRE);
        }
      }
    }
  }

  static Unit tiffUnit(int code) {
    return switch (code) {
      case 2 -> Unit.INCH;
      case 3 -> Unit.CENTIMETRE;
      default -> Unit.NONE;
    };
  }

  static ImageReader jdkReader(String formatName) {
    ImageReader chosen = null;
    for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(formatName); it.hasNext(); ) {
      ImageReader r = it.next();
      if (chosen == null && r.getClass().getName().startsWith("com.sun.imageio.")) {
        chosen = r;
      } else {
        r.dispose();
      }
    }
    return chosen;
  }

  /** All descendants named {@code name}, depth first. */
  static List<Node> nodes(Node root, String name) {
    List<Node> out = new ArrayList<>();
    collect(root, name, out);
    return out;
  }

  private static void collect(Node n, String name, List<Node> out) {
    if (n.getNodeName().equals(name)) {
      out.add(n);
    }
    for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
      collect(c, name, out);
    }
  }
}
