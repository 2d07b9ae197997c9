package io.sparksr.io;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * What a writer needs to give an output the same kind of file as its source.
 *
 * @param formatName codec name, lower case: {@code png}, {@code jpeg}, {@code bmp}, {@code tiff}
 *     ({@code jpg} and {@code tif} are normalised; other names may come from decoding, e.g.
 *     {@code gif}, but cannot be written)
 * @param channels channels as decoded: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
 * @param bitDepth bits per sample, 8 or 16 (sources with fewer bits report 8)
 * @param alpha whether the last channel is (straight, not premultiplied) alpha; follows from
 *     {@code channels}
 * @param palette the source was indexed colour. It decodes to RGB(A) and is written back as RGB(A),
 *     not re-quantised to a palette: upscaling creates colours the palette does not have. Palettes
 *     holding only greys decode as grey and do not set this flag.
 * @param iccProfile the source's ICC profile, or {@code null} for sRGB / none. Pixels are never
 *     colour-converted; the profile travels with them.
 */
public record PixelFormat(String formatName, int channels, int bitDepth, boolean alpha,
    boolean palette, byte[] iccProfile) implements Serializable {

  public PixelFormat {
    Objects.requireNonNull(formatName, "formatName");
    formatName = normalizeFormatName(formatName);
    if (formatName.isEmpty()) {
      throw new IllegalArgumentException(
          "'formatName' is empty but must name a codec (png, jpeg, bmp, tiff)");
    }
    if (channels < 1 || channels > 4) {
      throw new IllegalArgumentException("'channels' is " + channels + " but must be in 1..4");
    }
    if (bitDepth != 8 && bitDepth != 16) {
      throw new IllegalArgumentException("'bitDepth' is " + bitDepth + " but must be 8 or 16");
    }
    if (alpha != hasAlpha(channels)) {
      throw new IllegalArgumentException("'alpha' is " + alpha + " but " + channels
          + " channels mean alpha = " + hasAlpha(channels) + " (2 and 4 channels carry alpha)");
    }
    iccProfile = iccProfile == null ? null : iccProfile.clone();
  }

  /** A non-palette, sRGB format; alpha follows from the channel count. */
  public static PixelFormat of(String formatName, int channels, int bitDepth) {
    return new PixelFormat(formatName, channels, bitDepth, hasAlpha(channels), false, null);
  }

  /** Lower case, {@code jpg -> jpeg}, {@code tif -> tiff}. */
  public static String normalizeFormatName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "jpg" -> "jpeg";
      case "tif" -> "tiff";
      default -> n;
    };
  }

  static boolean hasAlpha(int channels) {
    return channels == 2 || channels == 4;
  }

  /** A copy of the profile bytes, or null. */
  @Override
  public byte[] iccProfile() {
    return iccProfile == null ? null : iccProfile.clone();
  }

  public boolean gray() {
    return channels <= 2;
  }

  public PixelFormat withFormatName(String newFormatName) {
    return new PixelFormat(newFormatName, channels, bitDepth, alpha, palette, iccProfile);
  }

  public PixelFormat withIccProfile(byte[] newIccProfile) {
    return new PixelFormat(formatName, channels, bitDepth, alpha, palette, newIccProfile);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PixelFormat p && formatName.equals(p.formatName) && channels == p.channels
        && bitDepth == p.bitDepth && alpha == p.alpha && palette == p.palette
        && Arrays.equals(iccProfile, p.iccProfile);
  }

  @Override
  public int hashCode() {
    return Objects.hash(formatName, channels, bitDepth, alpha, palette) * 31
        + Arrays.hashCode(iccProfile);
  }

  @Override
  public String toString() {
    return "PixelFormat[" + formatName + ", channels=" + channels + ", bitDepth=" + bitDepth
        + ", alpha=" + alpha + ", palette=" + palette + ", icc="
        + (iccProfile == null ? "none" : iccProfile.length + " bytes") + "]";
  }
}
