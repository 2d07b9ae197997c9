package io.sparksr.io.metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * A JPEG's Photoshop APP13 payload ("Photoshop 3.0", then image resource blocks: "8BIM", a
 * 16-bit id, a Pascal name padded to even length, a 32-bit size, the data padded to even length;
 * Adobe Photoshop File Formats Specification, "Image Resource Blocks"), edited for an upscaled
 * output at the block level: the IPTC-NAA block (0x0404) and its digest (0x0425) are carried
 * byte for byte (a parse and re-serialisation loses records and extended datasets, and breaks the
 * digest), the resolution (0x03ED) is multiplied by the scale like every other resolution, the
 * thumbnails (0x0409, 0x040C) are dropped (they show the old image), every other block is kept.
 */
final class PhotoshopResources {
  static final byte[] SIGNATURE = "Photoshop 3.0\0".getBytes(StandardCharsets.US_ASCII);
  static final int IPTC = 0x0404;
  static final int IPTC_DIGEST = 0x0425;
  static final int RESOLUTION = 0x03ED;
  static final List<Integer> THUMBNAILS = List.of(0x0409, 0x040C);

  /** One block: its resource id, its name field (Pascal string with padding) and its data. */
  record Block(int id, byte[] name, byte[] data) {}

  private PhotoshopResources() {}

  /** The blocks of an APP13 payload; an IOException when it is not well formed. */
  static List<Block> parse(byte[] payload) throws IOException {
    if (payload.length < SIGNATURE.length
        || !Arrays.equals(payload, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
      throw new IOException("not a Photoshop 3.0 resource segment");
    }
    List<Block> blocks = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(payload, SIGNATURE.length,
        payload.length - SIGNATURE.length);
    while (b.remaining() >= 12) {
      byte[] type = new byte[4];
      b.get(type);
      if (!new String(type, StandardCharsets.US_ASCII).equals("8BIM")) {
        throw new IOException("resource block of type '"
            + new String(type, StandardCharsets.ISO_8859_1) + "' at byte " + (b.position() - 4));
      }
      int id = b.getShort() & 0xFFFF;
      int nameLength = b.get() & 0xFF;
      int nameField = 1 + nameLength + ((1 + nameLength) & 1);
      if (b.remaining() < nameField - 1 + 4) {
        throw new IOException("resource block 0x" + Integer.toHexString(id) + " is cut");
      }
      byte[] name = new byte[nameField];
      name[0] = (byte) nameLength;
      b.get(name, 1, nameField - 1);
      long size = b.getInt() & 0xFFFF_FFFFL;
      if (size > b.remaining()) {
        throw new IOException("resource block 0x" + Integer.toHexString(id) + " says " + size
            + " bytes but " + b.remaining() + " are left");
      }
      byte[] data = new byte[(int) size];
      b.get(data);
      if ((size & 1) == 1 && b.hasRemaining()) {
        b.get();
      }
      blocks.add(new Block(id, name, data));
    }
    return blocks;
  }

  /** The APP13 payload of {@code blocks}. */
  static byte[] payload(List<Block> blocks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(SIGNATURE);
    for (Block k : blocks) {
      out.writeBytes("8BIM".getBytes(StandardCharsets.US_ASCII));
      out.write(k.id() >>> 8);
      out.write(k.id() & 0xFF);
      out.writeBytes(k.name());
      out.writeBytes(ByteBuffer.allocate(4).putInt(k.data().length).array());
      out.writeBytes(k.data());
      if ((k.data().length & 1) == 1) {
        out.write(0);
      }
    }
    return out.toByteArray();
  }

  /** The data of the first block with {@code id}, or null. */
  static byte[] data(List<Block> blocks, int id) {
    return blocks.stream().filter(k -> k.id() == id).map(Block::data).findFirst().orElse(null);
  }

  /**
   * {@code blocks} for an output {@code scale} times larger: the resolution scaled, thumbnails
   * left out; what changed or was dropped goes to {@code report}.
   */
  static List<Block> forOutput(List<Block> blocks, int scale, MetadataReport.Builder report) {
    List<Block> out = new ArrayList<>();
    for (Block k : blocks) {
      if (THUMBNAILS.contains(k.id())) {
        report.dropped("photoshop thumbnail", "regenerating not supported");
      } else if (k.id() == RESOLUTION && k.data().length >= 16 && scale != 1) {
        // ResolutionInfo: hRes (16.16 fixed, pixels per inch), hResUnit, widthUnit, vRes, ...
        ByteBuffer d = ByteBuffer.wrap(k.data().clone());
        long h = (d.getInt(0) & 0xFFFF_FFFFL) * scale;
        long v = (d.getInt(8) & 0xFFFF_FFFFL) * scale;
        if (h > 0xFFFF_FFFFL || v > 0xFFFF_FFFFL) {
          report.dropped("photoshop resolution", "x" + scale + " does not fit 16.16 bits");
          continue;
        }
        d.putInt(0, (int) h);
        d.putInt(8, (int) v);
        out.add(new Block(k.id(), k.name(), d.array()));
        report.changed("photoshop resolution x" + scale);
      } else {
        out.add(k);
      }
    }
    return out;
  }

  /** The ids of {@code blocks} other than IPTC and its digest, e.g. "0x03ed, 0x07d0". */
  static String otherIds(List<Block> blocks) {
    TreeSet<Integer> ids = new TreeSet<>();
    for (Block k : blocks) {
      if (k.id() != IPTC && k.id() != IPTC_DIGEST) {
        ids.add(k.id());
      }
    }
    return String.join(", ", ids.stream().map(i -> String.format("0x%04x", i)).toList());
  }
}
