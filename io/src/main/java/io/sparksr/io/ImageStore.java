package io.sparksr.io;

import io.sparksr.io.metadata.MetadataReport;
import io.sparksr.io.metadata.OutputMetadata;
import io.sparksr.io.png.BandedPng;
import io.sparksr.io.png.PngBands;
import io.sparksr.io.png.PngRows;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.tiling.Rect;
import java.awt.Rectangle;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.stream.FileCacheImageOutputStream;
import javax.imageio.stream.FileImageOutputStream;
import javax.imageio.stream.ImageOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Node;

/**
 * The project's only image I/O: decodes and encodes images on any Hadoop file system
 * ({@code file:}, {@code hdfs:}, ...) with the JDK's own {@code javax.imageio} codecs.
 *
 * <p><b>Tensor layout.</b> Pixels are an {@link ImageTensor}: float32, planar {@code [c][y][x]},
 * channels R, G, B(, A) for colour and Y(, A) for grey, every sample {@code s / (2^bits - 1)} in
 * [0, 1]. Alpha is straight (premultiplied sources are divided out). Palette images decode to RGB(A)
 * (grey palettes to Y(A)). Pixels are never colour-converted.
 *
 * <p><b>Formats.</b> Read: PNG, JPEG, BMP, TIFF (strips and tiles, with the compressions the JDK
 * plugin reads: none, LZW, Deflate, PackBits, JPEG, CCITT), 1 to 16 bits per sample, grey,
 * grey + alpha, RGB, RGBA, palette (with {@code tRNS} transparency as alpha); other formats the JDK
 * reads (GIF, WBMP) decode too; only the first image of a multi-page file is read. CMYK and YCCK
 * JPEG decode to RGB (below). Not readable: CMYK TIFF / YCbCr-as-samples / Lab, float or signed
 * samples, more than 16 bits, 12-bit JPEG; BigTIFF only as {@link TiledTiffReader} reads it.
 * Written: PNG and TIFF with 8 or 16 bits (TIFF LZW-compressed, with the horizontal
 * predictor at 8 bits, in strips or {@linkplain #writeTiledTiff tiles}; not Deflate, whose JDK
 * encoder corrupts incompressible tiles), JPEG and BMP with 8 bits and no alpha (16-bit formats are
 * written as 8-bit; alpha in JPEG/BMP is an error).
 *
 * <p><b>Preserved</b> through {@link #read} + {@link #write} with the decoded {@link PixelFormat}:
 * format, grey vs colour, alpha, bit depth (where the format can hold it), and the ICC profile (PNG
 * {@code iCCP}, TIFF tag 34675, JPEG {@code APP2}; BMP drops it). <b>Metadata</b> (EXIF, XMP,
 * IPTC, PNG text, TIFF descriptive tags, DPI) is carried only when the write's
 * {@link WriteOptions} name the source's {@link io.sparksr.io.metadata.SourceMetadata} and/or a
 * {@link io.sparksr.io.metadata.Derivation} (rules: {@link OutputMetadata}; the JPEG quality and
 * chroma subsampling then follow the source JPEG unless overridden); without them none is, and
 * JPEG is written at {@link WriteOptions#jpegQuality()} (default 0.95) with the JDK's 4:2:0.
 * <b>Not preserved:</b> palettes (written as RGB(A): upscaling creates new colours), gamma
 * chunks, extra TIFF pages.
 *
 * <p><b>Regions.</b> {@link #readRegion} decodes only the tiles or strips a TIFF region touches and
 * reads only their bytes, also on {@code hdfs://}. For other formats the decoder still decompresses
 * every row down to the region's bottom; callers should decode such an image once per partition
 * ({@link #read}) and crop, rather than call {@code readRegion} per tile.
 *
 * <p><b>Errors.</b> A file that is missing, unreadable, empty, truncated, corrupt, not an image or
 * of an unsupported kind gives an {@link ImageDecodeException} (never a runtime exception, never a
 * silently blank image); a storage fault while reading is a plain {@link IOException}; every write
 * failure is an {@link ImageEncodeException}. All messages name the path.
 *
 * <p><b>Limits.</b> Before any pixel buffer is allocated, the size the header claims is checked
 * against {@value #MAX_MEGAPIXELS_KEY} (Hadoop configuration, default
 * {@value #DEFAULT_MAX_MEGAPIXELS} MP), by every entry point, also for region reads: a
 * 65535&times;65535 PNG "decompression bomb" of a few hundred bytes fails on its header. A whole
 * decode ({@link #read}) must also fit this JVM's heap (samples &times; (4 bytes + the decoder's
 * own raster)); larger images are read by region. A decoder that still runs out of memory or stack
 * on a hostile file gives an {@link ImageDecodeException} too.
 *
 * <p><b>CMYK and YCCK JPEG</b> (which the JDK decodes only as raw samples) are converted to RGB
 * without a colour profile: {@code R = 255 (1 - c)(1 - k)}, likewise G from m and B from y, with
 * ink values inverted when an Adobe APP14 marker is present (Photoshop's convention) and YCCK first
 * turned into CMYK as libjpeg does. The source's CMYK ICC profile is dropped.
 *
 * <p><b>Writes are atomic:</b> the image is encoded into a hidden {@code .<name>.<uuid>.tmp} next to
 * the target and renamed over it (HDFS: one atomic rename with overwrite); on failure the temporary
 * file is deleted, so the target is either the old file, the complete new one, or absent. Parent
 * folders are created. A Spark task retried or run speculatively writes the same bytes to the same
 * name, so the last rename wins harmlessly. Encoders seek back to patch headers, so on file systems
 * other than {@code file:} the image is first encoded into a cache file in {@code java.io.tmpdir}.
 *
 * <p>The decoder is chosen from the file's bytes, not its extension (a JPEG named .png decodes as
 * JPEG and reports {@code jpeg}). An instance holds only the configuration and is thread-safe; it is
 * cheap and not serializable: create one per task from the job's Hadoop configuration.
 *
 * <p><b>Why one long class:</b> it is the one door to image files. Each codec's quirks (PNG
 * metadata, JPEG colour spaces, TIFF regions, BMP) need the same checks (header limits, errors that
 * name the path, atomic writes) at every entry point; spreading the codecs over classes would
 * spread those rules too. Pixel layout conversions live apart in {@link Pixels}, CMYK in
 * {@link CmykJpeg}, EXIF orientation in {@link ExifOrientation}, tiled TIFF in {@link TiledTiff}.
 */
public final class ImageStore {
  private static final Logger LOG = LoggerFactory.getLogger(ImageStore.class);

  /** File extensions {@link #expand} picks up (case-insensitive), with the format each one implies. */
  public static final Map<String, String> IMAGE_EXTENSIONS = Map.of(
      "png", "png", "jpg", "jpeg", "jpeg", "jpeg", "bmp", "bmp", "tif", "tiff", "tiff", "tiff");

  /**
   * Hadoop configuration key of the pixel limit in megapixels (a positive number): images whose
   * header claims more are not decoded.
   */
  public static final String MAX_MEGAPIXELS_KEY = "sparksr.io.max-megapixels";

  /**
   * 2,500 MP: a 50000&times;50000 scan (2.5 GP) still passes, read by region or converted in
   * bounded memory, with room above the 1.6 GP (40000&times;40000) scans of the archives this tool
   * serves; a 65535&times;65535 header (4.3 GP, the usual PNG/TIFF bomb) does not.
   */
  public static final double DEFAULT_MAX_MEGAPIXELS = 2500;

  private static final Set<String> WRITABLE = Set.of("png", "jpeg", "bmp", "tiff");
  private static final String PNG_METADATA = "javax_imageio_png_1.0";

  private final Configuration conf;
  private final double maxMegapixels;

  /** A store with the pixel limit {@value #MAX_MEGAPIXELS_KEY} of {@code conf} (or the default). */
  public ImageStore(Configuration conf) {
    this.conf = Objects.requireNonNull(conf, "conf");
    this.maxMegapixels = conf.getDouble(MAX_MEGAPIXELS_KEY, DEFAULT_MAX_MEGAPIXELS);
    if (!(maxMegapixels > 0)) {
      throw new IllegalArgumentException("'" + MAX_MEGAPIXELS_KEY + "' is " + maxMegapixels
          + " but must be > 0");
    }
  }

  /** The pixel limit in megapixels. */
  public double maxMegapixels() {
    return maxMegapixels;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Size, pixel format, EXIF orientation and file size from the header, without decoding pixels.
   */
  public ImageInfo info(String path) throws IOException {
    return decode(path, (reader, formatName, file) -> {
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      checkPixels(path, width, height);
      ColorModel cm = reader.getImageTypes(0).next().getColorModel();
      PixelFormat format = CmykJpeg.is(formatName, cm) ? CmykJpeg.FORMAT
          : Pixels.describe(formatName, cm, iccProfile(reader, formatName, cm));
      boolean regionReadable = formatName.equals("tiff")
          && (reader.isImageTiled(0) || reader.getTileHeight(0) < height);
      return new ImageInfo(file.getPath().toString(), width, height, format, regionReadable,
          ExifOrientation.of(reader, formatName, path), file.getLen(),
          file.getModificationTime());
    }, file -> {
      TiledTiffReader.Directory d = TiledTiffReader.directory(conf, path);
      checkPixels(path, d.width(), d.height());
      return new ImageInfo(file.getPath().toString(), d.width(), d.height(), d.format(), true,
          d.orientation(), file.getLen(), file.getModificationTime());
    });
  }

  /** The whole image (first image of a multi-page file) and its format. */
  public DecodedImage read(String path) throws IOException {
    return decode(path, (reader, formatName, file) -> {
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      checkPixels(path, width, height);
      ColorModel raw = reader.getImageTypes(0).next().getColorModel();
      if (CmykJpeg.is(formatName, raw)) {
        checkWhole(path, width, height, 3, 8);
        return new DecodedImage(CmykJpeg.toRgb(reader.readRaster(0, null),
            CmykJpeg.adobeTransform(reader)), CmykJpeg.FORMAT);
      }
      PixelFormat declared = Pixels.describe(formatName, raw, null);
      checkWhole(path, width, height, declared.channels(), declared.bitDepth());
      BufferedImage image = reader.read(0, unconverted(reader, formatName,
          reader.getDefaultReadParam(), width, height));
      ColorModel cm = image.getColorModel();
      PixelFormat format = Pixels.describe(formatName, cm, iccProfile(reader, formatName, cm));
      return new DecodedImage(Pixels.toTensor(image.getRaster(), cm, format.channels()), format);
    }, file -> {
      TiledTiffReader.Directory d = TiledTiffReader.directory(conf, path);
      checkPixels(path, d.width(), d.height());
      checkWhole(path, d.width(), d.height(), d.channels(), d.bitDepth());
      return new DecodedImage(TiledTiffReader.readRegion(conf, path,
          new Rect(0, 0, d.width(), d.height())), d.format());
    });
  }

  /**
   * The pixels inside {@code region}, which must be a non-empty part of the image. For TIFF only the
   * tiles/strips the region touches are read and decoded; see the class comment for other formats.
   */
  public ImageTensor readRegion(String path, Rect region) throws IOException {
    Objects.requireNonNull(region, "region");
    if (region.isEmpty()) {
      throw new IllegalArgumentException("'region' of " + path + " is " + region + " but must not be empty");
    }
    return decode(path, (reader, formatName, file) -> {
      Rect bounds = new Rect(0, 0, reader.getWidth(0), reader.getHeight(0));
      checkPixels(path, bounds.width(), bounds.height());
      if (!bounds.contains(region)) {
        throw new CallerError("'region' " + region + " of " + path
            + " must lie inside the image " + bounds);
      }
      ImageReadParam param = reader.getDefaultReadParam();
      param.setSourceRegion(new Rectangle(region.x(), region.y(), region.width(), region.height()));
      if (CmykJpeg.is(formatName, reader.getImageTypes(0).next().getColorModel())) {
        checkSamples(region.width(), region.height(), 3);
        Raster raw = reader.readRaster(0, param);
        if (raw.getWidth() != region.width() || raw.getHeight() != region.height()) {
          throw new IIOException("decoder returned " + raw.getWidth() + "x" + raw.getHeight()
              + " pixels for region " + region);
        }
        return CmykJpeg.toRgb(raw, CmykJpeg.adobeTransform(reader));
      }
      checkDecodable(reader, formatName, region.width(), region.height());
      BufferedImage image = reader.read(0, unconverted(reader, formatName, param, region.width(),
          region.height()));
      ColorModel cm = image.getColorModel();
      if (image.getWidth() != region.width() || image.getHeight() != region.height()) {
        throw new IIOException("decoder returned " + image.getWidth() + "x" + image.getHeight()
            + " pixels for region " + region);
      }
      PixelFormat format = Pixels.describe(formatName, cm, null);
      return Pixels.toTensor(image.getRaster(), cm, format.channels());
    }, file -> {
      TiledTiffReader.Directory d = TiledTiffReader.directory(conf, path);
      checkPixels(path, d.width(), d.height());
      if (!new Rect(0, 0, d.width(), d.height()).contains(region)) {
        throw new CallerError("'region' " + region + " of " + path
            + " must lie inside the image " + new Rect(0, 0, d.width(), d.height()));
      }
      checkSamples(region.width(), region.height(), d.channels());
      return TiledTiffReader.readRegion(conf, path, region);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /** {@link #write(String, ImageTensor, PixelFormat, WriteOptions)} with {@link WriteOptions#DEFAULTS}. */
  public MetadataReport write(String path, ImageTensor tensor, PixelFormat format)
      throws IOException {
    return write(path, tensor, format, WriteOptions.DEFAULTS);
  }

  /**
   * Writes {@code tensor} (whose channel count must equal {@code format.channels()}) as
   * {@code format.formatName()}, each sample quantised to {@code round(v * max)} clamped to
   * {@code [0, max]}, atomically (see the class comment). A path whose extension names another
   * format (x.png written as jpeg) is rejected.
   *
   * <p>With {@link WriteOptions#source()} or {@link WriteOptions#derivation()} set, the output
   * carries the source's metadata and the provenance ({@link OutputMetadata} has the rules per
   * format); metadata that cannot be carried never fails the write: it is listed as dropped.
   *
   * @return what happened to each metadata kind ({@link MetadataReport#none()} without metadata)
   */
  public MetadataReport write(String path, ImageTensor tensor, PixelFormat format,
      WriteOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(tensor, "tensor");
    checkWrite(path, tensor, format, format.formatName());
    OutputMetadata meta = OutputMetadata.of(options.source(), options.derivation(),
        format.formatName(), tensor.width(), tensor.height());
    if (format.formatName().equals("png")) {
      writePng(path, tensor.width(), tensor.height(), PngRows.of(tensor, format.bitDepth()),
          format, options, meta);
    } else {
      writeAtomically(path, out -> encode(path, out,
          (sixteen, cs) -> Pixels.toImage(tensor, sixteen, cs), format, options, 0, meta));
    }
    return meta == null ? MetadataReport.none() : meta.report();
  }

  /**
   * Writes samples that are already quantised (e.g. stitched from tiles that travelled as
   * {@link Quantized}), like {@link #write(String, ImageTensor, PixelFormat)} but without a float
   * copy of the image: the encoder's raster is filled from the samples directly. The result is
   * the same as writing {@code samples.toTensor()}.
   */
  public MetadataReport write(String path, Quantized samples, PixelFormat format)
      throws IOException {
    return write(path, samples, format, WriteOptions.DEFAULTS);
  }

  /**
   * {@link #write(String, Quantized, PixelFormat)} with options: the JPEG quality and the metadata
   * to carry, as {@link #write(String, ImageTensor, PixelFormat, WriteOptions)}.
   */
  public MetadataReport write(String path, Quantized samples, PixelFormat format,
      WriteOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(samples, "samples");
    if (samples.channels() != format.channels()) {
      throw new IllegalArgumentException("samples for " + path + " have " + samples.channels()
          + " channels but 'format' " + format + " has " + format.channels());
    }
    checkWrite(path, null, format, format.formatName());
    OutputMetadata meta = OutputMetadata.of(options.source(), options.derivation(),
        format.formatName(), samples.width(), samples.height());
    if (format.formatName().equals("png")) {
      if (samples.bitDepth() != format.bitDepth()) {
        throw new IllegalArgumentException("samples for " + path + " have " + samples.bitDepth()
            + " bits but 'format' " + format + " has " + format.bitDepth());
      }
      writePng(path, samples.width(), samples.height(), PngRows.of(samples), format, options,
          meta);
    } else {
      writeAtomically(path, out -> encode(path, out,
          (sixteen, cs) -> Pixels.toImage(samples, sixteen, cs), format, options, 0, meta));
    }
    return meta == null ? MetadataReport.none() : meta.report();
  }

  /**
   * Writes a tiled, LZW-compressed TIFF ({@code format.formatName()} is ignored; channels, bit
   * depth and ICC profile are used), so that {@link #readRegion} later decodes only the tiles it needs.
   *
   * @param tileSize tile width and height, a positive multiple of 16 (TIFF 6.0)
   */
  public void writeTiledTiff(String path, ImageTensor tensor, PixelFormat format, int tileSize)
      throws IOException {
    if (tileSize <= 0 || tileSize % 16 != 0) {
      throw new IllegalArgumentException(
          "'tile-size' is " + tileSize + " but must be a positive multiple of 16 (TIFF tiles)");
    }
    checkWrite(path, tensor, format, "tiff");
    PixelFormat tiff = format.withFormatName("tiff");
    writeAtomically(path, out -> encode(path, out,
        (sixteen, cs) -> Pixels.toImage(tensor, sixteen, cs), tiff, WriteOptions.DEFAULTS,
        tileSize, null));
  }

  // ---------------------------------------------------------------------------------------------
  // Listing

  /**
   * The image files of {@code inputs} by {@link InputListing}'s rules (folders walked recursively,
   * files named as inputs taken as they are, hidden names skipped): fully qualified paths, sorted,
   * without duplicates. Runs that account for the files they ignore use {@link InputListing}.
   *
   * @throws FileNotFoundException naming the first input that yields no image
   */
  public List<String> expand(List<String> inputs) throws IOException {
    List<String> out = new ArrayList<>();
    for (InputListing.Found f : InputListing.list(conf, inputs).images()) {
      out.add(f.path());
    }
    return out;
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding machinery

  /** A bad argument found while decoding; unlike a decoder's own runtime exceptions, not a decode failure. */
  private static final class CallerError extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    CallerError(String message) {
      super(message);
    }
  }

  @FunctionalInterface
  private interface Decoding<T> {
    /** @param file the file's status (qualified path, size, modification time) */
    T apply(ImageReader reader, String formatName, FileStatus file) throws IOException;
  }

  /** The same for a BigTIFF file, which the JDK cannot decode ({@link TiledTiffReader} does). */
  @FunctionalInterface
  private interface BigTiffDecoding<T> {
    T apply(FileStatus file) throws IOException;
  }

  /**
   * Opens {@code path}, picks a decoder from the file's first bytes (the JDK's own plugin when more
   * than one claims it) and runs {@code decoding}; maps every failure to a typed exception naming
   * the path, and always closes the stream and disposes the reader.
   */
  private <T> T decode(String path, Decoding<T> decoding, BigTiffDecoding<T> bigTiff)
      throws IOException {
    Objects.requireNonNull(path, "path");
    Path p = new Path(path);
    FileSystem fs = AtomicFiles.fileSystem(conf, p);
    FileStatus status;
    try {
      status = fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      throw new ImageDecodeException(path, "no such file", e);
    } catch (IOException e) {
      throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
    }
    if (status.isDirectory()) {
      throw new ImageDecodeException(path, "is a directory, not an image file");
    }
    if (status.getLen() == 0) {
      throw new ImageDecodeException(path, "empty file (0 bytes)");
    }
    FsImageInputStream in;
    try {
      in = new FsImageInputStream(fs.open(p), status.getLen());
    } catch (FileNotFoundException | org.apache.hadoop.security.AccessControlException e) {
      // not readable (permissions) or gone since it was listed: a property of the input, not a fault
      throw new ImageDecodeException(path, "cannot be opened: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IOException("cannot open " + path + ": " + e.getMessage(), e);
    }
    ImageReader reader = null;
    try (in) {
      byte[] magic = new byte[4];
      in.mark();
      int got = in.read(magic);
      in.reset();
      if (got == 4 && TiledTiffReader.isBigTiff(magic)) {
        return bigTiff.apply(status);
      }
      reader = pickReader(in, path);
      reader.setInput(in, false, false);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener(collect(warnings));
      T result = decoding.apply(reader, PixelFormat.normalizeFormatName(reader.getFormatName()),
          status);
      checkWarnings(path, warnings);
      return result;
    } catch (ImageIoException | CallerError e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw decodeFailure(path, in, e);
    } catch (OutOfMemoryError | StackOverflowError e) {
      // a hostile file the checks above did not catch; the failed allocation left nothing behind
      throw new ImageDecodeException(path, "the decoder ran out of "
          + (e instanceof StackOverflowError ? "stack" : "memory") + " (" + e.getMessage()
          + "): corrupt or hostile file?", e);
    } finally {
      if (reader != null) {
        reader.dispose();
      }
    }
  }

  /** A storage fault stays an IOException (retryable); anything else is a decode failure. */
  private static IOException decodeFailure(String path, FsImageInputStream in, Exception e) {
    IOException storage = in.failure();
    if (storage != null) {
      return new IOException("cannot read " + path + ": " + storage.getMessage(), storage);
    }
    return new ImageDecodeException(path, reason(e), e);
  }

  private static ImageReader pickReader(FsImageInputStream in, String path) throws IOException {
    ImageReader chosen = null;
    for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
      ImageReader r = it.next();
      if (chosen == null || (!isJdkPlugin(chosen) && isJdkPlugin(r))) {
        if (chosen != null) {
          chosen.dispose();
        }
        chosen = r;
      } else {
        r.dispose();
      }
    }
    if (chosen == null) {
      throw new ImageDecodeException(path,
          "not an image in a known format (its first bytes match no decoder;"
              + " expected png, jpeg, bmp or tiff)");
    }
    return chosen;
  }

  private static boolean isJdkPlugin(ImageReader r) {
    return r.getClass().getName().startsWith("com.sun.imageio.");
  }

  private static IIOReadWarningListener collect(List<String> warnings) {
    return (source, warning) -> warnings.add(warning);
  }

  /**
   * JPEG decoders report a truncated file as a warning and fill the rest with grey: that is a
   * decode failure here. Other warnings are logged.
   */
  private static void checkWarnings(String path, List<String> warnings) throws ImageDecodeException {
    for (String w : warnings) {
      String lower = w.toLowerCase(Locale.ROOT);
      if (lower.contains("premature end") || lower.contains("truncat")
          || lower.contains("unexpected end")) {
        throw new ImageDecodeException(path, "truncated: " + w);
      }
      LOG.warn("decoder warning for {}: {}", path, w);
    }
  }

  /** Fails before decoding when the pixel kind is unsupported or the result cannot fit a tensor. */
  private static void checkDecodable(ImageReader reader, String formatName, int width, int height)
      throws IOException {
    ColorModel cm = reader.getImageTypes(0).next().getColorModel();
    checkSamples(width, height, Pixels.describe(formatName, cm, null).channels());
  }

  /** The pixel limit, from the header, before any pixel buffer exists. */
  private void checkPixels(String path, int width, int height) throws ImageDecodeException {
    if (width <= 0 || height <= 0) {
      throw new ImageDecodeException(path, "header claims " + width + "x" + height
          + " pixels: not an image size");
    }
    double mp = (double) width * height / 1e6;
    if (mp > maxMegapixels) {
      throw new ImageDecodeException(path, String.format(Locale.ROOT,
          "header claims %dx%d pixels (%.1f MP), more than the limit of %s MP ('max-megapixels',"
              + " %s): not decoded (a decompression bomb?)", width, height, mp,
          java.math.BigDecimal.valueOf(maxMegapixels).stripTrailingZeros().toPlainString(),
          MAX_MEGAPIXELS_KEY));
    }
  }

  /**
   * A whole decode holds the decoder's raster and the float tensor at once: both must fit this
   * JVM's heap, or the image is refused before decoding (read it by region instead).
   */
  private static void checkWhole(String path, int width, int height, int channels, int bitDepth)
      throws IOException {
    checkSamples(width, height, channels);
    long samples = (long) width * height * channels;
    long need = samples * (4 + (bitDepth > 8 ? 2 : 1));
    long heap = Runtime.getRuntime().maxMemory();
    if (need > heap) {
      throw new ImageDecodeException(path, "decoding " + width + "x" + height + " pixels whole "
          + "needs about " + (need >> 20) + " MiB, more than this JVM's heap (" + (heap >> 20)
          + " MiB): read it by region (e.g. convert it to a tiled TIFF) or give more heap");
    }
  }

  private static void checkSamples(int width, int height, int channels) throws IIOException {
    long samples = (long) width * height * channels;
    if (samples > Integer.MAX_VALUE - 8) {
      throw new IIOException("image is " + width + "x" + height + " with " + channels
          + " channels (" + samples + " samples): too large for one tensor; read it by region");
    }
  }

  /**
   * The source's ICC profile: from the format's own metadata (exact bytes), else from a non-standard
   * ICC colour space of the decoded or an offered image type; null for sRGB / plain grey / none.
   */
  private static byte[] iccProfile(ImageReader reader, String formatName, ColorModel cm)
      throws IOException {
    IIOMetadata md = reader.getImageMetadata(0);
    if (md != null) {
      byte[] fromMetadata = switch (formatName) {
        case "png" -> pngIccp(md);
        case "tiff" -> tiffIcc(md);
        default -> null;
      };
      if (fromMetadata != null) {
        return fromMetadata;
      }
    }
    byte[] fromCm = customProfile(cm.getColorSpace());
    if (fromCm != null || !formatName.equals("jpeg")) {
      return fromCm;
    }
    // The JDK's JPEG reader decodes to sRGB types first and offers the embedded profile's type later.
    for (Iterator<ImageTypeSpecifier> it = reader.getImageTypes(0); it.hasNext(); ) {
      byte[] p = customProfile(it.next().getColorModel().getColorSpace());
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  /**
   * {@code param}, reading the stored samples as they are: the JDK's JPEG reader converts a JPEG
   * with an embedded ICC profile to sRGB unless the destination is the profile's own type (the
   * profile is carried to the output as a label, so converted samples would be shown twice
   * converted: an Adobe RGB or Display P3 photo oversaturated).
   */
  private static ImageReadParam unconverted(ImageReader reader, String formatName,
      ImageReadParam param, int width, int height) throws IOException {
    if (!formatName.equals("jpeg")
        || customProfile(reader.getImageTypes(0).next().getColorModel().getColorSpace()) != null) {
      return param;
    }
    for (Iterator<ImageTypeSpecifier> it = reader.getImageTypes(0); it.hasNext(); ) {
      ImageTypeSpecifier type = it.next();
      if (customProfile(type.getColorModel().getColorSpace()) != null) {
        // a destination image, not a destination type: the reader matches types by identity
        param.setDestination(type.createBufferedImage(width, height));
        return param;
      }
    }
    return param;
  }

  private static byte[] customProfile(ColorSpace cs) {
    if (cs instanceof ICC_ColorSpace ics && !cs.isCS_sRGB()
        && cs != ColorSpace.getInstance(ColorSpace.CS_GRAY)) {
      return ics.getProfile().getData();
    }
    return null;
  }

  private static byte[] pngIccp(IIOMetadata md) throws IIOException {
    if (!List.of(md.getMetadataFormatNames()).contains(PNG_METADATA)) {
      return null;
    }
    for (Node n = md.getAsTree(PNG_METADATA).getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeName().equals("iCCP") && n instanceof IIOMetadataNode m
          && m.getUserObject() instanceof byte[] bytes) {
        return isIccProfile(bytes) ? bytes.clone() : inflate(bytes);
      }
    }
    return null;
  }

  /** An ICC profile carries the signature "acsp" at offset 36 (ICC.1 7.2.9). */
  private static boolean isIccProfile(byte[] b) {
    return b.length > 40 && b[36] == 'a' && b[37] == 'c' && b[38] == 's' && b[39] == 'p';
  }

  /**
   * The JDK's PNG plugin passes the iCCP payload through untouched: the reader returns it
   * zlib-compressed, and the writer stores whatever it is given (so it must be compressed first).
   */
  private static byte[] inflate(byte[] zlib) throws IIOException {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(zlib);
      ByteArrayOutputStream out = new ByteArrayOutputStream(zlib.length * 3);
      byte[] buf = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IIOException("iCCP chunk: compressed ICC profile is truncated");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new IIOException("iCCP chunk: compressed ICC profile is corrupt: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try {
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
      byte[] buf = new byte[8192];
      while (!deflater.finished()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static byte[] tiffIcc(IIOMetadata md) throws IIOException {
    TIFFField f = TIFFDirectory.createFromMetadata(md).getTIFFField(BaselineTIFFTagSet.TAG_ICC_PROFILE);
    return f == null ? null : f.getAsBytes();
  }

  /** The messages of the exception and its causes, without repeats; a bare EOF says "truncated". */
  static String reason(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      String msg = t.getMessage();
      if (msg == null || msg.isBlank()) {
        msg = t instanceof EOFException ? "unexpected end of file (truncated)"
            : t == e || t.getCause() == null ? t.getClass().getSimpleName() : null;
      }
      if (msg != null && sb.indexOf(msg) < 0) {
        sb.append(sb.length() == 0 ? "" : ": ").append(msg);
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding machinery

  @FunctionalInterface
  private interface Encoding {
    void writeTo(ImageOutputStream out) throws IOException;
  }

  private static void checkWrite(String path, ImageTensor tensor, PixelFormat format,
      String formatName) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    if (tensor != null && tensor.channels() != format.channels()) {
      throw new IllegalArgumentException("tensor for " + path + " has " + tensor.channels()
          + " channels but 'format' " + format + " has " + format.channels());
    }
    String implied = IMAGE_EXTENSIONS.get(extension(new Path(path).getName()));
    if (implied != null && !implied.equals(formatName)) {
      throw new IllegalArgumentException("path " + path + " has the extension of " + implied
          + " but the format to write is '" + formatName + "': they must agree");
    }
  }

  /**
   * Encodes through {@link AtomicFiles}. Local files are written through a random-access file;
   * other file systems through a local disk cache (encoders seek back to patch headers).
   */
  private void writeAtomically(String path, Encoding encoding) throws IOException {
    try {
      AtomicFiles.write(conf, path, (fs, tmp) -> {
        if (fs instanceof RawLocalFileSystem local) {
          File file = local.pathToFile(tmp);
          try (ImageOutputStream out = new FileImageOutputStream(file)) {
            encoding.writeTo(out);
          }
        } else {
          try (FSDataOutputStream stream = fs.create(tmp, false);
              ImageOutputStream out = new FileCacheImageOutputStream(stream, null)) {
            encoding.writeTo(out);
          }
        }
      });
      LOG.debug("wrote {}", path);
    } catch (ImageEncodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImageEncodeException(path, reason(e), e);
    }
  }

  /**
   * A PNG: its pixels filtered and deflated in parallel bands ({@link PngBands#encodeParallel}),
   * written with the chunks of a 1&times;1 template the JDK encoder makes with the same metadata
   * ({@link #pngTemplate}).
   */
  private void writePng(String path, int width, int height, PngBands.Rows rows,
      PixelFormat format, WriteOptions options, OutputMetadata meta) throws IOException {
    byte[] template = pngTemplate(path, format, options, meta);
    List<PngBands.Band> bands = PngBands.encodeParallel(rows, 0, height, width,
        format.channels(), format.bitDepth(), options.pngCompression());
    writePng(path, template, width, height, bands.stream().map(BandedPng.BandInfo::of).toList(),
        (i, out) -> out.write(bands.get(i).deflated()));
  }

  /**
   * Writes a PNG whose bands were deflated elsewhere ({@link PngBands#encode} at
   * {@code options.pngCompression()}, e.g. by the tasks that upscaled their rows), with the
   * metadata and provenance of {@code options} as {@link #write(String, Quantized, PixelFormat,
   * WriteOptions)} would carry them.
   *
   * @return what happened to each metadata kind
   */
  public MetadataReport writePng(String path, PixelFormat format, WriteOptions options,
      int width, int height, List<BandedPng.BandInfo> bands, BandedPng.BandBytes bytes)
      throws IOException {
    Objects.requireNonNull(options, "options");
    if (!format.formatName().equals("png")) {
      throw new IllegalArgumentException("format " + format + " is not png");
    }
    checkWrite(path, null, format, "png");
    OutputMetadata meta = OutputMetadata.of(options.source(), options.derivation(), "png",
        width, height);
    writePng(path, pngTemplate(path, format, options, meta), width, height, bands, bytes);
    return meta == null ? MetadataReport.none() : meta.report();
  }


  /**
   * Writes a PNG from deflated bands (kept anywhere: {@code bytes} copies band {@code i}) and a
   * template from {@link #pngTemplate}, atomically.
   */
  public void writePng(String path, byte[] template, int width, int height,
      List<BandedPng.BandInfo> bands, BandedPng.BandBytes bytes) throws IOException {
    try {
      AtomicFiles.write(conf, path, (fs, tmp) -> {
        // larger writes (the bands) pass the buffer by
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(AtomicFiles.create(fs, tmp),
            1 << 16)) {
          BandedPng.write(out, template, width, height, bands, bytes);
        }
      });
      LOG.debug("wrote {}", path);
    } catch (IOException | RuntimeException e) {
      throw new ImageEncodeException(path, reason(e), e);
    }
  }

  /**
   * A 1&times;1 PNG of {@code format} written by the JDK encoder with the metadata and ICC
   * profile the real output gets: the chunks {@link BandedPng} copies around the image data.
   *
   * @param meta the output's metadata (sized for the real image), or null
   */
  public byte[] pngTemplate(String path, PixelFormat format, WriteOptions options,
      OutputMetadata meta) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(4096);
    Quantized one = new Quantized(format.channels(), 1, 1, format.bitDepth(),
        new byte[format.channels() * format.bitDepth() / 8]);
    try (ImageOutputStream out = new javax.imageio.stream.MemoryCacheImageOutputStream(b)) {
      encode(path, out, (sixteen, cs) -> Pixels.toImage(one, sixteen, cs), format, options, 0,
          meta);
    }
    return b.toByteArray();
  }

  /** Makes the raster an encoder writes: 8 or 16 bits per sample, in the given colour space. */
  @FunctionalInterface
  private interface ImageSource {
    BufferedImage toImage(boolean sixteenBit, ColorSpace cs);
  }

  /** Encodes the image; {@code meta} (nullable) adds the source's metadata and the provenance. */
  private void encode(String path, ImageOutputStream out, ImageSource source, PixelFormat format,
      WriteOptions options, int tileSize, OutputMetadata meta) throws IOException {
    String name = format.formatName();
    if (!WRITABLE.contains(name)) {
      throw new ImageEncodeException(path,
          "format '" + name + "' cannot be written (writable: bmp, jpeg, png, tiff)");
    }
    boolean eightBitOnly = name.equals("jpeg") || name.equals("bmp");
    if (eightBitOnly && format.alpha()) {
      throw new ImageEncodeException(path, name + " cannot store alpha (" + format.channels()
          + " channels): write png or tiff, or drop the alpha channel");
    }
    ImageWriter writer = jdkWriter(name);
    try {
      byte[] icc = format.iccProfile();
      // TIFF and JPEG encoders embed a non-standard ICC colour space; PNG gets an iCCP chunk below.
      boolean iccInColorModel = icc != null && (name.equals("tiff") || name.equals("jpeg"));
      ColorSpace cs = iccInColorModel ? iccColorSpace(path, icc, format.gray())
          : ColorSpace.getInstance(format.gray() ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
      if (icc != null && name.equals("bmp")) {
        LOG.debug("bmp cannot hold an ICC profile: dropped for {}", path);
      }
      BufferedImage image = source.toImage(format.bitDepth() == 16 && !eightBitOnly, cs);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (name.equals("jpeg")) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(meta != null ? meta.jpegQuality(options.jpegQuality())
            : options.jpegQuality() != null ? options.jpegQuality() : 0.95f);
      } else if (name.equals("tiff")) {
        // LZW, not Deflate: the JDK's TIFF Deflate encoder sizes its output buffer too small and
        // silently drops the last byte of every strip or tile that does not compress.
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionType("LZW");
        if (tileSize > 0) {
          param.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
          param.setTiling(tileSize, tileSize, 0, 0);
        }
      }
      IIOMetadata metadata = null;
      if (name.equals("tiff") && image.getSampleModel().getSampleSize(0) == 8) {
        // Horizontal differencing (the JDK encoder supports it for 8-bit samples): ~35 % smaller.
        metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
        TIFFDirectory dir = TIFFDirectory.createFromMetadata(metadata);
        dir.addTIFFField(new TIFFField(
            BaselineTIFFTagSet.getInstance().getTag(BaselineTIFFTagSet.TAG_PREDICTOR),
            BaselineTIFFTagSet.PREDICTOR_HORIZONTAL_DIFFERENCING));
        metadata = dir.getAsMetadata();
      }
      if (icc != null && name.equals("png")) {
        metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
        IIOMetadataNode root = new IIOMetadataNode(PNG_METADATA);
        IIOMetadataNode iccp = new IIOMetadataNode("iCCP");
        iccp.setAttribute("profileName", "ICC profile");
        iccp.setAttribute("compressionMethod", "deflate");
        iccp.setUserObject(deflate(icc));
        root.appendChild(iccp);
        metadata.mergeTree(PNG_METADATA, root);
      }
      if (meta != null) {
        meta.icc(icc != null);
        switch (name) {
          case "jpeg" -> {
            jpegWithMetadata(writer, image, param, meta, options, out);
            return;
          }
          case "bmp" -> {
            bmpWithResolution(writer, image, param, meta, out);
            return;
          }
          case "png" -> {
            if (metadata == null) {
              metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
            }
            IIOMetadataNode root = new IIOMetadataNode(PNG_METADATA);
            meta.addToPng(root);
            metadata.mergeTree(PNG_METADATA, root);
          }
          default -> {
            if (metadata == null) {
              metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
            }
            TIFFDirectory dir = TIFFDirectory.createFromMetadata(metadata);
            meta.addToTiff(dir);
            metadata = dir.getAsMetadata();
          }
        }
      }
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, metadata), param);
    } finally {
      writer.dispose();
    }
  }

  /**
   * A JPEG with the source's chroma subsampling and JFIF density, encoded in memory, then given
   * EXIF / XMP / IPTC by {@link OutputMetadata#rewriteJpeg} (Commons Imaging rewrites segments of
   * a complete file).
   */
  private static void jpegWithMetadata(ImageWriter writer, BufferedImage image,
      ImageWriteParam param, OutputMetadata meta, WriteOptions options, ImageOutputStream out)
      throws IOException {
    String jpegFormat = "javax_imageio_jpeg_image_1.0";
    IIOMetadata md = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
    Node root = md.getAsTree(jpegFormat);
    int[] sampling = meta.jpegLumaSampling(options.jpegQuality());
    int[] density = meta.jfifDensity();
    for (Node n : descendants(root)) {
      if (sampling != null && n.getNodeName().equals("componentSpec")
          && n instanceof IIOMetadataNode c && c.getAttribute("componentId").equals("1")) {
        c.setAttribute("HsamplingFactor", Integer.toString(sampling[0]));
        c.setAttribute("VsamplingFactor", Integer.toString(sampling[1]));
      }
      if (density != null && n.getNodeName().equals("app0JFIF") && n instanceof IIOMetadataNode j) {
        j.setAttribute("resUnits", Integer.toString(density[0]));
        j.setAttribute("Xdensity", Integer.toString(density[1]));
        j.setAttribute("Ydensity", Integer.toString(density[2]));
      }
    }
    md.setFromTree(jpegFormat, root);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight());
    try (ImageOutputStream mem = new javax.imageio.stream.MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(mem);
      writer.write(null, new IIOImage(image, null, md), param);
    }
    out.write(meta.rewriteJpeg(bytes.toByteArray()));
  }

  /** A BMP whose header (biXPelsPerMeter, biYPelsPerMeter at bytes 38..45) states the resolution. */
  private static void bmpWithResolution(ImageWriter writer, BufferedImage image,
      ImageWriteParam param, OutputMetadata meta, ImageOutputStream out) throws IOException {
    int[] ppm = meta.bmpPixelsPerMetre();
    if (ppm == null) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
      return;
    }
    // the JDK encoder flushes as it goes: encode in memory, then set the two header fields
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight() * 3 + 64);
    try (ImageOutputStream mem = new javax.imageio.stream.MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(mem);
      writer.write(null, new IIOImage(image, null, null), param);
    }
    byte[] bmp = bytes.toByteArray();
    java.nio.ByteBuffer.wrap(bmp, 38, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(ppm[0]).putInt(ppm[1]);
    out.write(bmp);
  }

  private static List<Node> descendants(Node root) {
    List<Node> out = new ArrayList<>();
    java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      out.add(n);
      for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
        todo.add(c);
      }
    }
    return out;
  }

  private static ColorSpace iccColorSpace(String path, byte[] icc, boolean gray)
      throws ImageEncodeException {
    ICC_Profile profile;
    try {
      profile = ICC_Profile.getInstance(icc);
    } catch (IllegalArgumentException e) {
      throw new ImageEncodeException(path, "the format's ICC profile is invalid: " + e.getMessage(), e);
    }
    ColorSpace cs = new ICC_ColorSpace(profile);
    int expected = gray ? 1 : 3;
    if (cs.getNumComponents() != expected) {
      throw new ImageEncodeException(path, "the ICC profile has " + cs.getNumComponents()
          + " colour components but the image has " + expected);
    }
    return cs;
  }

  private static ImageWriter jdkWriter(String formatName) throws IIOException {
    ImageWriter chosen = null;
    for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName(formatName); it.hasNext(); ) {
      ImageWriter w = it.next();
      if (chosen == null && w.getClass().getName().startsWith("com.sun.imageio.")) {
        chosen = w;
      } else {
        w.dispose();
      }
    }
    if (chosen == null) {
      throw new IIOException("the JDK has no " + formatName + " encoder");
    }
    return chosen;
  }
}
