package io.sparksr.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Node;

/**
 * The EXIF / TIFF orientation of an image: how its stored pixels must be turned to be displayed
 * upright. Read from JPEG (APP1 "Exif" segment, IFD0 tag 0x0112), PNG (eXIf chunk) and TIFF
 * (tag 274); other formats, and files without the tag, are 1. A malformed EXIF block is logged and
 * taken as 1: it never fails a decode.
 *
 * <pre>
 *   1 as stored            2 mirrored left-right    3 rotated 180           4 mirrored top-bottom
 *   5 transposed           6 display rotated 90 cw  7 transversed           8 display rotated 90 ccw
 * </pre>
 */
public final class ExifOrientation {
  private static final Logger LOG = LoggerFactory.getLogger(ExifOrientation.class);
  static final int TAG = 0x0112;

  private ExifOrientation() {}

  /**
   * The {@link io.sparksr.partitioning.image.Dihedral} transform that turns the stored pixels upright
   * for orientation {@code o}: 1→0, 2→1 (flip x), 3→3 (flip x and y), 4→2 (flip y), 5→4
   * (transpose), 6→6 (rotate 90° clockwise), 7→7 (transverse), 8→5 (rotate 90° counter-clockwise).
   */
  public static int toDihedral(int o) {
    return switch (o) {
      case 1 -> 0;
      case 2 -> 1;
      case 3 -> 3;
      case 4 -> 2;
      case 5 -> 4;
      case 6 -> 6;
      case 7 -> 7;
      case 8 -> 5;
      default -> throw new IllegalArgumentException("orientation is " + o + " but must be in 1..8");
    };
  }

  /** The orientation of the image the reader is set to (1 when none is recorded). */
  static int of(ImageReader reader, String formatName, String path) {
    try {
      IIOMetadata md = reader.getImageMetadata(0);
      if (md == null) {
        return 1;
      }
      int o = switch (formatName) {
        case "jpeg" -> fromJpeg(md);
        case "png" -> fromPng(md);
        case "tiff" -> fromTiff(md);
        default -> 1;
      };
      if (o < 1 || o > 8) {
        LOG.warn("{}: EXIF orientation {} is not in 1..8; taken as 1", path, o);
        return 1;
      }
      return o;
    } catch (Exception e) {
      LOG.warn("{}: cannot read the EXIF orientation ({}); taken as 1", path, e.toString());
      return 1;
    }
  }

  private static int fromJpeg(IIOMetadata md) {
    String name = "javax_imageio_jpeg_image_1.0";
    if (!List.of(md.getMetadataFormatNames()).contains(name)) {
      return 1;
    }
    for (Node n = md.getAsTree(name).getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!n.getNodeName().equals("markerSequence")) {
        continue;
      }
      for (Node m = n.getFirstChild(); m != null; m = m.getNextSibling()) {
        if (m.getNodeName().equals("unknown") && m instanceof IIOMetadataNode node
            && "225".equals(node.getAttribute("MarkerTag"))
            && node.getUserObject() instanceof byte[] data && data.length > 6
            && data[0] == 'E' && data[1] == 'x' && data[2] == 'i' && data[3] == 'f'
            && data[4] == 0 && data[5] == 0) {
          return parseTiff(data, 6);
        }
      }
    }
    return 1;
  }

  private static int fromPng(IIOMetadata md) {
    String name = "javax_imageio_png_1.0";
    if (!List.of(md.getMetadataFormatNames()).contains(name)) {
      return 1;
    }
    for (Node n = md.getAsTree(name).getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!n.getNodeName().equals("UnknownChunks")) {
        continue;
      }
      for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
        if (c instanceof IIOMetadataNode node && "eXIf".equals(node.getAttribute("type"))
            && node.getUserObject() instanceof byte[] data) {
          return parseTiff(data, 0);
        }
      }
    }
    return 1;
  }

  private static int fromTiff(IIOMetadata md) throws Exception {
    TIFFField f = TIFFDirectory.createFromMetadata(md)
        .getTIFFField(BaselineTIFFTagSet.TAG_ORIENTATION);
    return f == null ? 1 : f.getAsInt(0);
  }

  /**
   * The orientation tag of IFD0 of the TIFF structure starting at {@code start} of {@code b} (the
   * body of an EXIF block), or 1 when it has none.
   *
   * @throws IllegalArgumentException when the structure is malformed
   */
  static int parseTiff(byte[] b, int start) {
    if (b.length < start + 8) {
      throw new IllegalArgumentException("EXIF block of " + (b.length - start) + " bytes is too short");
    }
    ByteOrder order;
    if (b[start] == 'I' && b[start + 1] == 'I') {
      order = ByteOrder.LITTLE_ENDIAN;
    } else if (b[start] == 'M' && b[start + 1] == 'M') {
      order = ByteOrder.BIG_ENDIAN;
    } else {
      throw new IllegalArgumentException("EXIF block has no II/MM byte order mark");
    }
    ByteBuffer buf = ByteBuffer.wrap(b).order(order);
    if ((buf.getShort(start + 2) & 0xffff) != 42) {
      throw new IllegalArgumentException("EXIF block is not a TIFF structure (no 42)");
    }
    long ifd = buf.getInt(start + 4) & 0xffffffffL;
    long at = start + ifd;
    if (at + 2 > b.length) {
      throw new IllegalArgumentException("EXIF IFD0 offset " + ifd + " is past the block");
    }
    int entries = buf.getShort((int) at) & 0xffff;
    for (int i = 0; i < entries; i++) {
      int e = (int) at + 2 + 12 * i;
      if (e + 12 > b.length) {
        throw new IllegalArgumentException("EXIF IFD0 entry " + i + " is past the block");
      }
      if ((buf.getShort(e) & 0xffff) == TAG) {
        int type = buf.getShort(e + 2) & 0xffff;
        return type == 4 ? buf.getInt(e + 8) : buf.getShort(e + 8) & 0xffff;
      }
    }
    return 1;
  }
}
