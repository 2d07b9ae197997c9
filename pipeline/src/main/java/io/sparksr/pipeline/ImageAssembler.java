package io.sparksr.pipeline;

import io.sparksr.io.ExifOrientation;
import io.sparksr.io.Failures;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.TiledTiff;
import io.sparksr.io.WriteOptions;
import io.sparksr.io.metadata.MetadataReport;
import io.sparksr.io.metadata.SourceMetadata;
import io.sparksr.io.png.BandedPng;
import io.sparksr.io.png.PngBands;
import io.sparksr.partitioning.image.Dihedral;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.tiling.QuantizedStitcher;
import io.sparksr.partitioning.tiling.TilePlan;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * Puts the upscaled tiles of one image together and writes it atomically: a PNG from its
 * deflated tile rows ({@link PngBanding}; rows still in pixels are deflated here); other outputs
 * encoded whole in memory as quantised samples ({@link QuantizedStitcher}, then turned upright by
 * its EXIF orientation); for a tiled output, by concatenating the compressed part files behind a TIFF
 * directory (the orientation becomes the TIFF tag), in constant memory. A tile that failed, or
 * one that is missing, fails the image with the reason; nothing is written then.
 */
public final class ImageAssembler {
  private ImageAssembler() {}

  /** The image of these tile outputs (all of its tiles) stitched and written, or why not. */
  public static ImageOutcome finish(Configuration c, Tiling tiling, OutputSettings settings,
      List<TileOutput> tiles) {
    if (tiles.isEmpty()) {
      throw new IllegalArgumentException("no tiles to assemble");
    }
    long t0 = System.nanoTime();
    ImageJob job = tiles.get(0).image();
    double seconds = 0;
    for (TileOutput t : tiles) {
      seconds += t.seconds();
    }
    for (TileOutput t : tiles) {
      if (t instanceof TileOutput.Failed f) {
        return ImageOutcome.failed(job, "tile " + f.tile() + ": " + f.reason(), 0, seconds);
      }
    }
    int count = 0;
    try {
      TilePlan plan = job.plan(tiling.halo(), tiling.scale());
      count = plan.tiles().size();
      Source source = Source.read(c, job);
      ImageOutcome done = job.tiledOutput()
          ? assemble(c, tiling, settings, source, job, plan, tiles)
          : PngBanding.banded(job) ? fromBands(c, tiling, settings, source, job, plan, tiles)
          : stitch(c, tiling, settings, source, job, plan, tiles);
      if (job.convert()) {
        HadoopFiles.deleteRecursively(c, job.source().path());
      }
      return done.withWork(count, seconds + (System.nanoTime() - t0) / 1e9);
    } catch (Exception e) {
      return ImageOutcome.failed(job, Failures.reason(e), count,
          seconds + (System.nanoTime() - t0) / 1e9);
    }
  }

  /** The source's metadata, or why none could be read (the pixels are written regardless). */
  private record Source(SourceMetadata metadata, String unreadable) {
    static Source read(Configuration c, ImageJob job) {
      try {
        return new Source(SourceMetadata.read(c, job.input().path()), null);
      } catch (Exception e) {
        return new Source(null, "all metadata (source unreadable: " + Failures.reason(e) + ")");
      }
    }

    String summary(MetadataReport r) {
      if (unreadable == null) {
        return r.summary();
      }
      List<String> dropped = new java.util.ArrayList<>(r.dropped());
      dropped.add(0, unreadable);
      return new MetadataReport(r.kept(), r.changed(), dropped).summary();
    }
  }

  private static ImageOutcome stitch(Configuration c, Tiling tiling, OutputSettings settings,
      Source source, ImageJob job, TilePlan plan, List<TileOutput> tiles) throws Exception {
    QuantizedStitcher stitcher = new QuantizedStitcher(plan, job.format().channels(),
        job.format().bitDepth());
    for (TileOutput t : tiles) {
      if (!(t instanceof TileOutput.Pixels p)) {
        throw new IllegalStateException("tile " + t.tile() + " of an image encoded whole has no "
            + "pixels: " + t);
      }
      stitcher.place(plan.tiles().get(p.tile()), p.pixels());
    }
    Quantized result = stitcher.result();
    ImageStore store = new ImageStore(c);
    long width = result.width();
    long height = result.height();
    int orientation = job.input().orientation();
    WriteOptions options = settings.writeOptions(job, tiling, source.metadata());
    MetadataReport report;
    if (orientation == 1) {
      report = store.write(job.output(), result, job.format(), options);
    } else {
      ImageTensor upright = Dihedral.apply(result.toTensor(),
          ExifOrientation.toDihedral(orientation));
      width = upright.width();
      height = upright.height();
      report = store.write(job.output(), upright, job.format(), options);
    }
    return ImageOutcome.ok(job, width, height, HadoopFiles.size(c, job.output()),
        job.format().formatName(), source.summary(report));
  }

  /**
   * A PNG written from its bands: those deflated where their rows were upscaled, and the others
   * (rows split between partitions) deflated here, in parallel.
   */
  private static ImageOutcome fromBands(Configuration c, Tiling tiling, OutputSettings settings,
      Source source, ImageJob job, TilePlan plan, List<TileOutput> tiles) throws Exception {
    List<List<PngBands.Band>> bands = new java.util.ArrayList<>(
        java.util.Collections.nCopies(plan.rows(), (List<PngBands.Band>) null));
    java.util.Map<Integer, List<TileOutput.Pixels>> loose = new java.util.TreeMap<>();
    for (TileOutput t : tiles) {
      if (t instanceof TileOutput.Band b) {
        bands.set(b.row(), b.bands());
      } else if (t instanceof TileOutput.Pixels p) {
        loose.computeIfAbsent(plan.tiles().get(p.tile()).row(), k -> new java.util.ArrayList<>())
            .add(p);
      } else {
        throw new IllegalStateException("tile " + t.tile() + " of a png has neither pixels nor "
            + "a band: " + t);
      }
    }
    for (var e : loose.entrySet()) { // each row's sub-bands are deflated in parallel
      bands.set(e.getKey(), PngBanding.encode(job, plan, e.getKey(), e.getValue(),
          settings.pngLevel()).bands());
    }
    List<PngBands.Band> all = new java.util.ArrayList<>();
    for (int r = 0; r < bands.size(); r++) {
      if (bands.get(r) == null) {
        throw new IllegalStateException("image incomplete: tile row " + r + " of "
            + bands.size() + " was not produced");
      }
      all.addAll(bands.get(r));
    }
    List<BandedPng.BandInfo> infos = all.stream().map(BandedPng.BandInfo::of).toList();
    MetadataReport report = new ImageStore(c).writePng(job.output(), job.format(),
        settings.writeOptions(job, tiling, source.metadata()), plan.outputWidth(),
        plan.outputHeight(), infos, (i, out) -> out.write(all.get(i).deflated()));
    return ImageOutcome.ok(job, plan.outputWidth(), plan.outputHeight(),
        HadoopFiles.size(c, job.output()), job.format().formatName(), source.summary(report));
  }

  private static ImageOutcome assemble(Configuration c, Tiling tiling, OutputSettings settings,
      Source source, ImageJob job, TilePlan plan, List<TileOutput> tiles) throws Exception {
    long[] counts = new long[plan.tiles().size()];
    Arrays.fill(counts, -1);
    for (TileOutput t : tiles) {
      if (!(t instanceof TileOutput.Part p)) {
        throw new IllegalStateException("tile " + t.tile() + " of a tiled output has no part "
            + "file: " + t);
      }
      counts[p.tile()] = p.bytes();
    }
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] < 0) {
        throw new IllegalStateException("image incomplete: tile " + i + " of " + counts.length
            + " was not produced");
      }
    }
    TiledTiff.Layout layout = layout(job, tiling.scale());
    MetadataReport report = TiledTiff.write(c, job.output(), layout, counts,
        (i, out) -> HadoopFiles.copyTo(c, partPath(job, i), out), false, source.metadata(),
        settings.derivation(job, tiling));
    boolean big = TiledTiff.isBigTiff(c, job.output());
    deleteParts(c, job);
    return ImageOutcome.ok(job, job.outputWidth(tiling.scale()), job.outputHeight(tiling.scale()),
        HadoopFiles.size(c, job.output()), big ? "bigtiff" : "tiled-tiff",
        source.summary(report));
  }

  /**
   * Deletes the compressed tiles of {@code job}'s output once it is written: its own folder, and
   * those earlier runs left beside it under another key (other settings, or an input since
   * replaced), which no run would read any more. One filtered listing of the output's folder.
   */
  private static void deleteParts(Configuration c, ImageJob job) throws java.io.IOException {
    HadoopFiles.deleteRecursively(c, job.parts().dir());
    int slash = job.output().lastIndexOf('/');
    String folder = job.output().substring(0, slash);
    String name = job.output().substring(slash + 1);
    for (String stale : HadoopFiles.listFolder(c, folder,
        n -> ImageJob.Parts.isFolderOf(n, name), Long.MAX_VALUE).hiddenFolders()) {
      HadoopFiles.deleteRecursively(c, folder + "/" + stale);
    }
  }

  /** The TIFF layout of a tiled output: one TIFF tile per upscaled tile core. */
  public static TiledTiff.Layout layout(ImageJob im, int scale) {
    return new TiledTiff.Layout(im.width() * scale, im.height() * scale, im.tileSize() * scale,
        im.format().channels(), im.format().bitDepth(), true, im.format().iccProfile(),
        im.input().orientation());
  }

  static String partName(int tile) {
    return String.format(java.util.Locale.ROOT, "t%07d.bin", tile);
  }

  /** Where tile {@code tile} of a tiled output is kept until the image is assembled. */
  public static String partPath(ImageJob im, int tile) {
    return im.parts().dir() + "/" + partName(tile);
  }
}
