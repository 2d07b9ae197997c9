package io.sparksr.jobs.upscale;

import io.sparksr.io.ImageInfo;
import io.sparksr.io.InputListing;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.inference.TileBatcher;
import io.sparksr.partitioning.tiling.CostPacker;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.TileTask;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plans an upscale run on the driver, in pure Java (no Spark, no I/O): from the inputs' headers and
 * the names already in the output folder to output names, skipped and failed rows, tiles, and
 * partitions packed by cost. The rules:
 * <ul>
 *   <li>Output name: {@code <name><suffix>.<ext>}; the extension is the forced format's, else the
 *       input's (inputs in a format that cannot be written become PNG). Outputs above
 *       {@code tiff-threshold-mp} are tiled TIFF ({@code .tif}) whatever the format: they are
 *       assembled from tiles compressed on executors. Two inputs with one output name: the second
 *       fails.</li>
 *   <li>An output that exists is {@code skipped} (no inference) unless {@code overwrite}.</li>
 *   <li>JPEG cannot hold alpha: forcing jpg on an image with alpha fails that image.</li>
 *   <li>Inputs that cannot be read by region (PNG, JPEG, BMP, single-strip TIFF) above
 *       {@code convert-threshold-mp} are converted once, streaming, to a tiled TIFF in
 *       {@code workDir}; smaller ones are decoded once per partition (only the band of rows the
 *       partition's tiles need).</li>
 *   <li>Tiles: {@link io.sparksr.partitioning.tiling.TilePlanner} with the tile size (for a tiled output,
 *       rounded down to a multiple of 16 so each tile's output is exactly one TIFF tile); the
 *       tiles of all images in input order, packed into contiguous partitions of about
 *       {@code partition-megapixels} of output each ({@link CostPacker}).</li>
 * </ul>
 */
final class UpscalePlanner {
  private UpscalePlanner() {}

  /**
   * Header of one input, or why it cannot be read.
   *
   * @param relative the input's path below its input root (the output mirrors it)
   */
  record Probe(String path, String relative, ImageInfo info, String error)
      implements Serializable {

    /** An input found directly in its root: its relative path is its name. */
    Probe(String path, ImageInfo info, String error) {
      this(path, path.substring(path.lastIndexOf('/') + 1), info, error);
    }
  }

  /**
   * What a plan of one part of the inputs (a Spark partition) knows of the rest.
   *
   * @param indexBase        the first image index of this part (indexes are unique in the run)
   * @param claimedElsewhere final output paths (in their shard) claimed by more than one input
   *                         of the run, with the input (first in path order) that gets each
   * @param shards           output folders (below the output folder, "" for itself) holding too
   *                         many outputs, with the hex digits of their shard names
   */
  record Context(int indexBase, Map<String, String> claimedElsewhere,
      Map<String, Integer> shards) implements Serializable {
    static final Context WHOLE = new Context(0, Map.of(), Map.of());
  }

  /**
   * @param outputDir           qualified output folder
   * @param existing            paths below the output folder (and sizes) of the files in it
   * @param existingFolders     paths below it of its hidden folders (compressed tiles of
   *                            interrupted runs)
   * @param flopsPerOutputPixel the model's, NaN when unknown
   * @param modelId             identifies the model's weights (name and checksum): names the
   *                            compressed-tile folders, so tiles of another model are never reused
   * @param parallelism         the cluster's default parallelism (minimum partition count)
   * @param workDir             where converted inputs go
   */
  static UpscalePlan plan(UpscaleJobConfig cfg, String outputDir, List<Probe> probes,
      Map<String, Long> existing, java.util.Set<String> existingFolders,
      double flopsPerOutputPixel, String modelId, int parallelism, String workDir) {
    return plan(cfg, outputDir, probes, List.of(), existing, existingFolders, flopsPerOutputPixel,
        modelId, parallelism, workDir);
  }

  /** @param ignored files found under the inputs that are not read: rows with the reason */
  static UpscalePlan plan(UpscaleJobConfig cfg, String outputDir, List<Probe> probes,
      List<InputListing.Found> ignored, Map<String, Long> existing,
      java.util.Set<String> existingFolders, double flopsPerOutputPixel, String modelId,
      int parallelism, String workDir) {
    return plan(cfg, outputDir, probes, ignored, existing, existingFolders, flopsPerOutputPixel,
        modelId, parallelism, workDir, Context.WHOLE);
  }

  /** The plan of one part of a run's inputs ({@code context}: what it knows of the rest). */
  static UpscalePlan plan(UpscaleJobConfig cfg, String outputDir, List<Probe> probes,
      List<InputListing.Found> ignored, Map<String, Long> existing,
      java.util.Set<String> existingFolders, double flopsPerOutputPixel, String modelId,
      int parallelism, String workDir, Context context) {
    String dir = outputDir.replaceAll("/+$", "");
    List<ImageOutcome> settled = new ArrayList<>();
    for (InputListing.Found f : ignored) {
      settled.add(ImageOutcome.ignored(f.path(), f.relative(), -1, f.reason()));
    }
    List<ImageJob> images = new ArrayList<>();
    Map<String, String> claimed = new HashMap<>();
    String setting = setting(cfg, modelId);
    for (Probe p : probes) {
      if (p.error() != null) {
        settled.add(ImageOutcome.failed(p.path(), p.relative(), outputPath(dir, mirrored(cfg, p),
            cfg.effectiveSuffix(), extension(cfg.format(), p.path(), null, false)), p.error()));
        continue;
      }
      ImageInfo info = p.info();
      boolean tiled = tiled(cfg, info);
      String ext = extension(cfg.format(), p.path(), info.format().formatName(), tiled);
      String out = sharded(dir, outputOf(cfg, dir, p), context.shards());
      String relOut = out.substring(dir.length() + 1);
      String name = out.substring(out.lastIndexOf('/') + 1);
      String unsafe = unsafePath(relOut);
      if (unsafe != null) {
        settled.add(ImageOutcome.failed(p.path(), p.relative(), out, unsafe));
        continue;
      }
      String first = context.claimedElsewhere().get(out);
      if (first == null || first.equals(p.path())) {
        first = claimed.get(out);
      }
      if (first != null) {
        settled.add(ImageOutcome.failed(p.path(), p.relative(), out,
            "output name collides with that of " + first));
        continue;
      }
      claimed.put(out, p.path());
      PixelFormat format = info.format().withFormatName(formatOf(ext));
      if (format.formatName().equals("jpeg") && format.alpha()) {
        settled.add(new ImageOutcome(p.path(), p.relative(), out, ImageOutcome.FAILED, "jpeg "
            + "cannot store the alpha channel of this image: use --format png or tiff",
            info.width(), info.height(), info.bytes(), 0, 0, -1, null, 0, 0, null, -1));
        continue;
      }
      String tooLarge = outputTooLarge((long) info.width() * cfg.scale(),
          (long) info.height() * cfg.scale(), format.formatName());
      if (tooLarge != null) {
        settled.add(new ImageOutcome(p.path(), p.relative(), out, ImageOutcome.FAILED, tooLarge,
            info.width(), info.height(), info.bytes(), 0, 0, -1, null, 0, 0, null, -1));
        continue;
      }
      if (!cfg.overwrite() && existing.containsKey(relOut)) {
        settled.add(new ImageOutcome(p.path(), p.relative(), out, ImageOutcome.SKIPPED,
            "output exists (use --overwrite to replace it)", info.width(), info.height(),
            info.bytes(), 0, 0, existing.get(relOut), format.formatName(), 0, 0, null, -1));
        continue;
      }
      boolean convert = !info.regionReadable()
          && (long) info.width() * info.height() > cfg.convertThresholdMp() * 1e6;
      int tileSize = tiled ? Math.max(16, cfg.tileSize() / 16 * 16) : cfg.tileSize();
      int index = context.indexBase() + images.size();
      String source = convert ? workDir.replaceAll("/+$", "") + "/" + index + "-"
          + hash(identity(p)) + ".tif" : p.path();
      String relParts = relOut.substring(0, relOut.length() - name.length())
          + partsName(name, setting, p);
      ImageJob.Parts parts = tiled
          ? new ImageJob.Parts(dir + "/" + relParts, existingFolders.contains(relParts)) : null;
      ImageJob.Access access = convert ? ImageJob.Access.CONVERT
          : info.regionReadable() ? ImageJob.Access.REGION : ImageJob.Access.DECODE;
      images.add(new ImageJob(index,
          new ImageJob.Input(p.path(), p.relative(), info.width(), info.height(), info.bytes(),
              info.orientation()),
          new ImageJob.Source(source, access), out, format, tileSize, parts));
    }
    List<TileTask> tasks = new ArrayList<>();
    double flops = 0;
    long outputPixels = 0;
    long outputBytes = 0;
    int standard = cfg.tileSize() + 2 * cfg.halo();
    for (ImageJob im : images) {
      TilePlan plan = im.plan(cfg.halo(), cfg.scale());
      for (TileSpec t : plan.tiles()) {
        tasks.add(new TileTask(im, t));
        long inferred = (long) TileBatcher.inferenceExtent(t.padded().width(), standard)
            * TileBatcher.inferenceExtent(t.padded().height(), standard);
        flops += inferred * cfg.scale() * cfg.scale() * flopsPerOutputPixel;
      }
      long px = im.outputWidth(cfg.scale()) * im.outputHeight(cfg.scale());
      outputPixels += px;
      int bytesPerSample = im.format().formatName().equals("jpeg") ? 1 : im.format().bitDepth() / 8;
      outputBytes += px * im.format().channels() * bytesPerSample;
    }
    List<List<TileTask>> partitions = packByCost(tasks, cfg.scale(), cfg.partitionMegapixels(),
        parallelism);
    return new UpscalePlan(images, settled, tasks, partitions, outputPixels, outputBytes, flops,
        flopsPerOutputPixel);
  }

  /** Names the settings whose compressed tiles can be reused: model, weights, tiling. */
  static String setting(UpscaleJobConfig cfg, String modelId) {
    return hash(cfg.model() + "|" + modelId + "|" + cfg.scale() + "|" + cfg.tileSize() + "|"
        + cfg.halo() + "|" + cfg.border());
  }

  /**
   * What a readable input is, as far as its header tells without reading its pixels: path, size
   * in bytes, modification time, dimensions and pixel format. What an input's intermediate files
   * (its compressed tiles, its tiled-TIFF conversion) are named by: an input replaced since an
   * interrupted run (same name, other content) starts afresh instead of having another image's
   * tiles stitched into its output.
   */
  static String identity(Probe p) {
    ImageInfo i = p.info();
    return p.path() + "|" + i.bytes() + "|" + i.modified() + "|" + i.width() + "x" + i.height()
        + "|" + i.format().channels() + "x" + i.format().bitDepth();
  }

  /**
   * The hidden folder, beside output {@code name}, of its compressed tiles at a setting from
   * {@code input} ({@link ImageJob.Parts}): named by the setting and the input's identity.
   */
  static String partsName(String name, String setting, Probe input) {
    return ImageJob.Parts.folderName(name, hash(setting + "|" + identity(input)));
  }

  /** The output is a tiled TIFF: above {@code tiff-threshold-mp} output pixels. */
  static boolean tiled(UpscaleJobConfig cfg, ImageInfo info) {
    return (long) info.width() * info.height() * cfg.scale() * cfg.scale()
        > cfg.tiffThresholdMp() * 1e6;
  }

  /**
   * The largest output side the JPEG writer takes: the format stores 65,535, the JDK's bundled
   * libjpeg refuses anything above 65,500 ({@code JPEG_MAX_DIMENSION}).
   */
  static final long JPEG_MAX_SIDE = 65_500;

  /**
   * Why an output of {@code width x height} in {@code formatName} cannot be written, or null: a
   * side above what the format's writer stores (JPEG 65,500) or what one image can address here (2^31 - 1
   * per side). Decided when planning, from the header, so a hostile or merely huge input fails as
   * its own row before any work, not the run.
   */
  static String outputTooLarge(long width, long height, String formatName) {
    long side = Math.max(width, height);
    if (formatName.equals("jpeg") && side > JPEG_MAX_SIDE) {
      return "output " + width + "x" + height + " exceeds JPEG's " + JPEG_MAX_SIDE
          + " pixels per side: use --format png or tiff";
    }
    if (side > Integer.MAX_VALUE) {
      return "output " + width + "x" + height + " exceeds " + Integer.MAX_VALUE
          + " pixels per side";
    }
    return null;
  }

  /**
   * The output path of a readable input below {@code dir}, before sharding; what two inputs
   * must not share.
   */
  static String outputOf(UpscaleJobConfig cfg, String dir, Probe p) {
    String ext = extension(cfg.format(), p.path(), p.info().format().formatName(),
        tiled(cfg, p.info()));
    return outputPath(dir.replaceAll("/+$", ""), mirrored(cfg, p), cfg.effectiveSuffix(), ext);
  }

  /**
   * {@code out} in its shard: when its folder (below {@code dir}) is in {@code shards}, the file
   * goes one folder down, into the folder named by the first hex digits of the SHA-256 of its
   * name (256 folders for 2 digits): a flat input of a million files is not written into one
   * flat folder. The shard depends on the name only, so a rerun finds its outputs.
   */
  static String sharded(String dir, String out, Map<String, Integer> shards) {
    if (shards.isEmpty()) {
      return out;
    }
    int slash = out.lastIndexOf('/');
    String folder = out.substring(0, slash);
    String rel = folder.length() <= dir.length() ? "" : folder.substring(dir.length() + 1);
    Integer digits = shards.get(rel);
    if (digits == null) {
      return out;
    }
    String name = out.substring(slash + 1);
    return folder + "/" + shardOf(name, digits) + "/" + name;
  }

  /** The shard folder of a file name: the first {@code digits} hex digits of its SHA-256. */
  static String shardOf(String name, int digits) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, (digits + 1) / 2).substring(0, digits);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Hex digits of the shard folders of an output folder that would receive {@code outputs} files,
   * 0 when it needs none: 2 (256 folders) above {@code maxFilesPerFolder}, 3 (4,096) above 256
   * times that; {@code maxFilesPerFolder} 0 never shards.
   */
  static int shardDigits(long outputs, int maxFilesPerFolder) {
    if (maxFilesPerFolder <= 0 || outputs <= maxFilesPerFolder) {
      return 0;
    }
    return outputs <= 256L * maxFilesPerFolder ? 2 : 3;
  }

  /**
   * Why an output path (the part after the output folder) cannot be used, or null. It is the
   * input's path below its root (or only its name, {@code --flat}) plus suffix and extension, so it
   * can never leave the output folder; this check keeps it that way whatever the names hold (every
   * element a plain name: no '.', '..', '\\' or NUL), and keeps outputs from replacing the run's
   * own files.
   */
  static String unsafePath(String relative) {
    String[] parts = relative.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String what = i == parts.length - 1 ? "output name '" + parts[i] + "' "
          : "output folder '" + parts[i] + "' (in " + relative + ") ";
      String unsafe = unsafeName(parts[i]);
      if (unsafe != null) {
        return what + unsafe;
      }
    }
    if (parts.length == 1 && (relative.equals(UpscaleJob.MANIFEST)
        || relative.equals(UpscaleJob.MANIFEST_PARQUET) || relative.equals(UpscaleJob.WORK_DIR))) {
      return "output name '" + relative + "' is reserved for the run's own files";
    }
    return null;
  }

  /** Why one element of an output path cannot be used, or null. */
  static String unsafeName(String name) {
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      return "is not a file name";
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
      return "holds a path separator or NUL";
    }
    return null;
  }

  /** The part of the input's path the output mirrors: its path below its root, or its name. */
  private static String mirrored(UpscaleJobConfig cfg, Probe p) {
    return cfg.flat() ? p.relative().substring(p.relative().lastIndexOf('/') + 1) : p.relative();
  }

  /**
   * {@code <dir>/<folders>/<name><suffix><ext>} for an input whose mirrored path is
   * {@code <folders>/<name>.<ext of input>}.
   */
  static String outputPath(String dir, String relative, String suffix, String ext) {
    int slash = relative.lastIndexOf('/');
    String folders = relative.substring(0, slash + 1);
    String name = relative.substring(slash + 1);
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return dir.replaceAll("/+$", "") + "/" + folders + stem + suffix + ext;
  }

  /**
   * The output extension, with its dot: {@code .tif} for a tiled output, else the forced
   * format's, else the input's own when it names the decoded format (a JPEG named .png gets
   * {@code .jpg}); {@code .png} for decoded formats that cannot be written (GIF).
   */
  static String extension(String forced, String input, String decodedFormat, boolean tiled) {
    if (tiled) {
      return ".tif";
    }
    if (forced != null) {
      return canonical(forced);
    }
    String name = input.substring(input.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    String ext = dot > 0 ? name.substring(dot) : "";
    if (decodedFormat == null) {
      return ext;
    }
    if (!List.of("png", "jpeg", "bmp", "tiff").contains(decodedFormat)) {
      return ".png";
    }
    String implied = ext.isEmpty() ? null
        : io.sparksr.io.ImageStore.IMAGE_EXTENSIONS.get(ext.substring(1).toLowerCase(Locale.ROOT));
    return decodedFormat.equals(implied) ? ext : canonical(decodedFormat);
  }

  private static String canonical(String format) {
    return switch (format) {
      case "jpeg", "jpg" -> ".jpg";
      case "tiff", "tif" -> ".tif";
      default -> "." + format;
    };
  }

  private static String formatOf(String ext) {
    return switch (ext.toLowerCase(Locale.ROOT)) {
      case ".jpg", ".jpeg" -> "jpeg";
      case ".tif", ".tiff" -> "tiff";
      case ".bmp" -> "bmp";
      default -> "png";
    };
  }

  /** Contiguous groups of tiles (image order kept) of about equal output pixels. */
  static List<List<TileTask>> packByCost(List<TileTask> tasks, int scale,
      double partitionMegapixels, int parallelism) {
    if (tasks.isEmpty()) {
      return List.of();
    }
    long[] costs = new long[tasks.size()];
    double total = 0;
    for (int i = 0; i < costs.length; i++) {
      costs[i] = tasks.get(i).cost(scale);
      total += costs[i];
    }
    int byCost = (int) Math.ceil(total / (partitionMegapixels * 1e6));
    int groups = Math.max(1, Math.max(byCost, Math.min(tasks.size(), parallelism)));
    int[] starts = CostPacker.pack(costs, groups);
    List<List<TileTask>> out = new ArrayList<>(starts.length);
    for (int g = 0; g < starts.length; g++) {
      int end = g + 1 < starts.length ? starts[g + 1] : tasks.size();
      out.add(new ArrayList<>(tasks.subList(starts[g], end)));
    }
    return out;
  }

  static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
