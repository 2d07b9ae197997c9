package io.sparksr.io.metadata;

import com.adobe.internal.xmp.XMPConst;
import com.adobe.internal.xmp.XMPException;
import com.adobe.internal.xmp.XMPMeta;
import com.adobe.internal.xmp.XMPMetaFactory;
import com.adobe.internal.xmp.XMPPathFactory;
import com.adobe.internal.xmp.options.PropertyOptions;
import com.adobe.internal.xmp.options.SerializeOptions;
import java.time.temporal.ChronoUnit;

/**
 * The output's XMP: the source's packet (parsed with Adobe XMPCore, merged into, never replaced)
 * with the geometry edits of an upscale, plus the provenance of the derivative in standard
 * properties: {@code xmp:CreatorTool}, {@code xmpMM:DerivedFrom/stRef:filePath}, one
 * {@code xmpMM:History} {@code stEvt} appended (action "derived", softwareAgent, when, parameters),
 * and the {@value #NS} namespace (prefix {@code sparksr:}) with model, modelSha256, scale,
 * tileSize, halo, runId and source as separate properties (and selfEnsemble "True" when the x8
 * self-ensemble was used).
 *
 * <p>Geometry edits, each only where the property exists: {@code tiff:Orientation} set to the
 * output's (1, upright pixels, except a tiled TIFF that keeps the stored order and its tag),
 * {@code exif:PixelXDimension}/{@code PixelYDimension} and {@code tiff:ImageWidth}/{@code ImageLength}
 * set to the output size, {@code tiff:XResolution}/{@code YResolution} multiplied by the scale.
 */
public final class XmpProvenance {
  /** The sparksr XMP namespace. */
  public static final String NS = "http://sparksr.io/ns/1.0/";

  static {
    try {
      XMPMetaFactory.getSchemaRegistry().registerNamespace(NS, "sparksr");
    } catch (XMPException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private XmpProvenance() {}

  /**
   * @param sourceXmp the source packet (it parses: {@link SourceMetadata} checked), or null
   * @param derivation the provenance, or null (then only the geometry edits)
   * @param width output width
   * @param height output height
   * @param scale resolution factor
   * @param orientation the output's orientation (1 unless its pixels keep the stored order)
   * @param changes receives the geometry edits made
   * @return the serialised packet (with the xpacket wrapper), or null when there is nothing to write
   */
  static String merge(String sourceXmp, Derivation derivation, int width, int height, int scale,
      int orientation, MetadataReport.Builder changes) throws XMPException {
    if (sourceXmp == null && derivation == null) {
      return null;
    }
    XMPMeta meta = sourceXmp == null ? XMPMetaFactory.create()
        : XMPMetaFactory.parseFromString(sourceXmp);
    if (sourceXmp != null) {
      editGeometry(meta, width, height, scale, orientation, changes);
    }
    if (derivation != null) {
      addProvenance(meta, derivation);
    }
    return XMPMetaFactory.serializeToString(meta,
        new SerializeOptions().setUseCompactFormat(true).setPadding(512));
  }

  private static void editGeometry(XMPMeta meta, int width, int height, int scale,
      int orientation, MetadataReport.Builder changes) throws XMPException {
    String o = meta.getPropertyString(XMPConst.NS_TIFF, "Orientation");
    if (o != null && !o.equals(Integer.toString(orientation))) {
      meta.setProperty(XMPConst.NS_TIFF, "Orientation", Integer.toString(orientation));
      changes.changed("xmp orientation->" + orientation);
    }
    boolean dims = false;
    dims |= setIfPresent(meta, XMPConst.NS_EXIF, "PixelXDimension", width);
    dims |= setIfPresent(meta, XMPConst.NS_EXIF, "PixelYDimension", height);
    dims |= setIfPresent(meta, XMPConst.NS_TIFF, "ImageWidth", width);
    dims |= setIfPresent(meta, XMPConst.NS_TIFF, "ImageLength", height);
    if (dims) {
      changes.changed("xmp dimensions->" + width + "x" + height);
    }
    boolean res = scaleRational(meta, "XResolution", scale) | scaleRational(meta, "YResolution", scale);
    if (res && scale != 1) {
      changes.changed("xmp resolution x" + scale);
    }
  }

  private static boolean setIfPresent(XMPMeta meta, String ns, String name, int value)
      throws XMPException {
    if (!meta.doesPropertyExist(ns, name)) {
      return false;
    }
    meta.setProperty(ns, name, Integer.toString(value));
    return true;
  }

  /** "300/1" x 2 = "600/1"; a plain number is multiplied too. */
  private static boolean scaleRational(XMPMeta meta, String name, int scale) throws XMPException {
    String v = meta.getPropertyString(XMPConst.NS_TIFF, name);
    if (v == null) {
      return false;
    }
    try {
      int slash = v.indexOf('/');
      String scaled = slash < 0 ? Long.toString(Math.round(Double.parseDouble(v.trim()) * scale))
          : Math.multiplyExact(Long.parseLong(v.substring(0, slash).trim()), scale) + "/"
              + v.substring(slash + 1).trim();
      meta.setProperty(XMPConst.NS_TIFF, name, scaled);
      return true;
    } catch (NumberFormatException | ArithmeticException e) {
      return false;
    }
  }

  private static void addProvenance(XMPMeta meta, Derivation d) throws XMPException {
    meta.setProperty(XMPConst.NS_XMP, "CreatorTool", d.software());
    if (d.source() != null) {
      meta.deleteProperty(XMPConst.NS_XMP_MM, "DerivedFrom");
      meta.setStructField(XMPConst.NS_XMP_MM, "DerivedFrom", XMPConst.TYPE_RESOURCEREF, "filePath",
          d.source());
    }
    meta.appendArrayItem(XMPConst.NS_XMP_MM, "History", new PropertyOptions().setArrayOrdered(true),
        null, new PropertyOptions().setStruct(true));
    String event = XMPPathFactory.composeArrayItemPath("History", XMPConst.ARRAY_LAST_ITEM);
    // ISO 8601 in UTC with seconds always written (OffsetDateTime.toString drops ":00" seconds,
    // which made the packet 3 bytes shorter once a minute)
    String when = java.time.Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    meta.setStructField(XMPConst.NS_XMP_MM, event, XMPConst.TYPE_RESOURCEEVENT, "action", "derived");
    meta.setStructField(XMPConst.NS_XMP_MM, event, XMPConst.TYPE_RESOURCEEVENT, "softwareAgent",
        d.software());
    meta.setStructField(XMPConst.NS_XMP_MM, event, XMPConst.TYPE_RESOURCEEVENT, "when", when);
    meta.setStructField(XMPConst.NS_XMP_MM, event, XMPConst.TYPE_RESOURCEEVENT, "parameters",
        d.parameters());
    set(meta, "model", d.model());
    set(meta, "modelSha256", d.modelSha256());
    if (d.selfEnsemble()) {
      set(meta, "selfEnsemble", "True");
    } else { // a source that is itself an ensemble output must not pass its flag on
      meta.deleteProperty(NS, "selfEnsemble");
    }
    set(meta, "scale", Integer.toString(d.scale()));
    set(meta, "tileSize", Integer.toString(d.tileSize()));
    set(meta, "halo", Integer.toString(d.halo()));
    set(meta, "runId", d.runId());
    set(meta, "source", d.source());
  }

  private static void set(XMPMeta meta, String name, String value) throws XMPException {
    if (value != null) {
      meta.setProperty(NS, name, value);
    }
  }
}
