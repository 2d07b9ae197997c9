package io.sparksr.jobs.upscale;

import io.sparksr.io.AtomicFiles;
import io.sparksr.io.Failures;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.jobs.ImageTables;
import io.sparksr.jobs.ImageTables.ImageColumn;
import io.sparksr.jobs.ImageTables.TableFile;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import io.sparksr.pipeline.ImageJob;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.OutputSettings;
import io.sparksr.pipeline.TileTask;
import io.sparksr.pipeline.Tiling;
import io.sparksr.pipeline.Upscaled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * Upscales one file of an input table in one Spark task, into the file of the same name below the
 * output (written atomically: it exists only complete, so a rerun skips it). Rows are taken in
 * chunks; each chunk's images go through the same pipeline as images in folders (their bytes
 * written to the task's local disk, planned by {@link UpscalePlanner}, upscaled by the tile
 * pipeline, the outputs read back), so a table and a folder of the same images give the same
 * pixels, formats and metadata. Each row gets a manifest row ({@code <file>#<key>}).
 */
final class UpscaleTableFile implements Function2<Integer, java.util.Iterator<TableFile>,
    java.util.Iterator<RunTotals>> {
  /** Rows per chunk, and the input bytes a chunk holds at most. */
  static final int CHUNK_ROWS = 256;
  static final long CHUNK_BYTES = 256L << 20;

  private final Broadcast<HadoopConf> conf;
  private final UpscaleJobConfig cfg;
  private final String output;
  private final String runId;
  private final OutputSettings settings;
  private final Tiling tiling;
  private final double flopsPerOutputPixel;
  private final String modelId;
  private final LongAccumulator tilesDone;
  private final LongAccumulator pixelsDone;
  private final LongAccumulator rowsDone;

  UpscaleTableFile(Broadcast<HadoopConf> conf, UpscaleJobConfig cfg, String output, String runId,
      OutputSettings settings, Tiling tiling, double flopsPerOutputPixel, String modelId,
      LongAccumulator tilesDone, LongAccumulator pixelsDone, LongAccumulator rowsDone) {
    this.conf = conf;
    this.cfg = cfg;
    this.output = output;
    this.runId = runId;
    this.settings = settings;
    this.tiling = tiling;
    this.flopsPerOutputPixel = flopsPerOutputPixel;
    this.modelId = modelId;
    this.tilesDone = tilesDone;
    this.pixelsDone = pixelsDone;
    this.rowsDone = rowsDone;
  }

  @Override
  public java.util.Iterator<RunTotals> call(Integer part, java.util.Iterator<TableFile> files) {
    List<ImageOutcome> rows = new ArrayList<>();
    while (files.hasNext()) {
      TableFile f = files.next();
      try {
        rows.addAll(upscale(f));
      } catch (IOException | RuntimeException e) {
        rows.add(ImageOutcome.failed(f.path(), f.relative(), output + "/" + f.relative(),
            "cannot upscale table file: " + Failures.reason(e)));
      }
    }
    try {
      Manifest.writePart(conf.value().get(), output, UpscaleJob.TABLE_MANIFEST_PARQUET, runId,
          part, rows);
    } catch (IOException e) {
      throw new UncheckedIOException("writing part " + part + " of the manifest", e);
    }
    return List.of(RunTotals.of(rows)).iterator();
  }

  private List<ImageOutcome> upscale(TableFile f) throws IOException {
    Configuration c = conf.value().get();
    String out = output + "/" + f.relative();
    if (!cfg.overwrite() && HadoopFiles.exists(c, out)) {
      return List.of(new ImageOutcome(f.path(), f.relative(), out, ImageOutcome.SKIPPED,
          "output table file exists (use --overwrite to replace it)", 0, 0,
          HadoopFiles.size(c, f.path()), 0, 0, HadoopFiles.size(c, out), "parquet", 0, 0, null,
          -1));
    }
    MessageType schema = ImageTables.schema(c, f.path());
    ImageColumn image = ImageTables.imageColumn(schema, cfg.imageColumn(), f.path());
    int key = ImageTables.keyColumn(schema, cfg.keyColumn(), f.path());
    MessageType outSchema = ImageTables.outputSchema(schema, image);
    SimpleGroupFactory groups = new SimpleGroupFactory(outSchema);
    List<ImageOutcome> rows = new ArrayList<>();
    java.nio.file.Path local = Files.createTempDirectory("sparksr-table-");
    try {
      AtomicFiles.write(c, out, (fs, tmp) -> {
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
            new Path(f.path())).withConf(c).build();
            ParquetWriter<Group> writer = ExampleParquetWriter.builder(fs.makeQualified(tmp))
                .withConf(c).withType(outSchema).withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
          List<Group> chunk = new ArrayList<>();
          long bytes = 0;
          long row = 0;
          for (Group g = reader.read(); ; g = reader.read()) {
            if (g != null) {
              byte[] b = image.bytes(g);
              bytes += b == null ? 0 : b.length;
              chunk.add(g);
            }
            if (g == null || chunk.size() >= CHUNK_ROWS || bytes >= CHUNK_BYTES) {
              rows.addAll(chunk(f, out, chunk, row, image, key, groups, writer, local));
              row += chunk.size();
              chunk.clear();
              bytes = 0;
            }
            if (g == null) {
              break;
            }
          }
        }
      });
    } finally {
      deleteTree(local);
    }
    return rows;
  }

  /** Upscales one chunk of rows through the folder pipeline on local disk; writes its rows. */
  private List<ImageOutcome> chunk(TableFile f, String out, List<Group> chunk, long firstRow,
      ImageColumn image, int keyIndex, SimpleGroupFactory groups, ParquetWriter<Group> writer,
      java.nio.file.Path local) throws IOException {
    if (chunk.isEmpty()) {
      return List.of();
    }
    Configuration c = conf.value().get();
    ImageStore store = new ImageStore(c);
    java.nio.file.Path in = Files.createDirectories(local.resolve("in-" + firstRow));
    java.nio.file.Path done = local.resolve("out-" + firstRow);
    List<Probe> probes = new ArrayList<>();
    Map<String, Integer> rowOf = new HashMap<>();
    String[] keys = new String[chunk.size()];
    String[] missing = new String[chunk.size()];
    for (int i = 0; i < chunk.size(); i++) {
      Group g = chunk.get(i);
      keys[i] = ImageTables.key(g, keyIndex, firstRow + i);
      byte[] b = image.bytes(g);
      if (b == null) {
        missing[i] = "no image bytes in column '" + image.name() + "'";
        continue;
      }
      java.nio.file.Path p = in.resolve(String.format(java.util.Locale.ROOT, "r%06d", i));
      Files.write(p, b);
      String path = p.toUri().toString();
      String name = p.getFileName().toString();
      rowOf.put(path, i);
      try {
        probes.add(new Probe(path, name, store.info(path), null));
      } catch (IOException | RuntimeException e) {
        probes.add(new Probe(path, name, null, Failures.reason(e)));
      }
    }
    // planned as a folder would be: in one partition, decoded whole (no conversion to TIFF)
    UpscaleJobConfig whole = cfg.toBuilder().overwrite(true).flat(true)
        .convertThresholdMp(Double.MAX_VALUE).maxFilesPerFolder(0).build();
    UpscalePlan plan = UpscalePlanner.plan(whole, done.toUri().toString(), probes, List.of(),
        Map.of(), Set.of(), flopsPerOutputPixel, modelId, 1, local.resolve("work").toUri()
            .toString());
    List<TileTask> tasks = plan.tasks();
    Map<Integer, ImageOutcome> byRow = new HashMap<>();
    for (ImageOutcome o : plan.settled()) {
      byRow.put(rowOf.get(o.input()), o);
    }
    if (!tasks.isEmpty()) {
      for (Upscaled u : UpscalePartition.run(c, cfg.model(), cfg.forwardPermits(), tiling,
          settings, tilesDone, pixelsDone, null, tasks)) {
        if (!(u instanceof ImageOutcome o)) {
          throw new IllegalStateException("tile of image " + u.imageIndex() + " not stitched");
        }
        byRow.put(rowOf.get(o.input()), o);
      }
    }
    List<ImageOutcome> rows = new ArrayList<>();
    for (int i = 0; i < chunk.size(); i++) {
      Group row = groups.newGroup();
      String rowInput = f.path() + "#" + keys[i];
      String rowRelative = f.relative() + "#" + keys[i];
      String rowOutput = out + "#" + keys[i];
      ImageOutcome o = byRow.get(i);
      if (o == null) {
        ImageTables.fill(chunk.get(i), row, image, null, 0, 0, ImageOutcome.FAILED, missing[i]);
        rows.add(ImageOutcome.failed(rowInput, rowRelative, rowOutput, missing[i]));
      } else {
        byte[] bytes = o.ok() ? Files.readAllBytes(java.nio.file.Path.of(
            java.net.URI.create(o.output()))) : null;
        ImageTables.fill(chunk.get(i), row, image, bytes, o.outputWidth(), o.outputHeight(),
            o.status(), o.reason());
        rows.add(new ImageOutcome(rowInput, rowRelative, rowOutput, o.status(),
            o.reason() == null ? null : o.reason().replace(o.input(), rowInput), o.width(),
            o.height(), o.inputBytes(), o.outputWidth(), o.outputHeight(),
            bytes == null ? -1 : bytes.length, o.format(), o.tiles(), o.seconds(), o.metadata(),
            -1));
      }
      writer.write(row);
    }
    deleteTree(in);
    deleteTree(done);
    rowsDone.add(chunk.size());
    return rows;
  }

  private static void deleteTree(java.nio.file.Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var all = Files.walk(dir)) {
      for (java.nio.file.Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
