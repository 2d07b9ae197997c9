package io.sparksr.jobs.prepare;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.Failures;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.ImageStore;
import io.sparksr.partitioning.degrade.DegradationSpec;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.sampling.PatchSampler;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One source image to its patch rows (all scales). The unit of work is an image; its counts are
 * summed into a {@link PrepareTotals} accumulator.
 */
final class PatchRows implements FlatMapFunction<String, Row> {
  private static final Logger LOG = LoggerFactory.getLogger(PatchRows.class);

  /**
   * The dataset schema; documented in the README ("prepare: dataset schema"): the patch columns,
   * then every degradation parameter ({@link DegradationColumns}).
   */
  static final StructType SCHEMA = DegradationColumns.append(new StructType()
      .add("image_id", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("split", DataTypes.StringType, false)
      .add("scale", DataTypes.IntegerType, false)
      .add("x", DataTypes.IntegerType, false)
      .add("y", DataTypes.IntegerType, false)
      .add("augment", DataTypes.IntegerType, false)
      .add("patch_size", DataTypes.IntegerType, false)
      .add("channels", DataTypes.IntegerType, false)
      .add("std", DataTypes.FloatType, false)
      .add("lr", DataTypes.BinaryType, false)
      .add("hr", DataTypes.BinaryType, false));

  /** Per-image counts. */
  record ImageStats(String path, String error, Map<Integer, Long> rows, Map<Integer, Long> dropped,
      String split) implements Serializable {}

  private final Broadcast<HadoopConf> conf;
  private final PrepareJobConfig cfg;
  private final DegradationSpec degradation;
  private final PrepareTotals stats;

  PatchRows(Broadcast<HadoopConf> conf, PrepareJobConfig cfg, DegradationSpec degradation,
      PrepareTotals stats) {
    this.conf = conf;
    this.cfg = cfg;
    this.degradation = degradation;
    this.stats = stats;
  }

  @Override
  public Iterator<Row> call(String path) {
    return rows(path, path.substring(path.lastIndexOf('/') + 1), path).iterator();
  }

  /**
   * The patch rows of one image.
   *
   * @param path     names the image in the rows' {@code source} and the stats (a file, or a
   *                 table row {@code <file>#<key>})
   * @param name     its name, the first part of its {@code image_id}
   * @param readFrom where its bytes are read
   */
  List<Row> rows(String path, String name, String readFrom) {
    ImageTensor rgb;
    try {
      DecodedImage img = new ImageStore(conf.value().get()).read(readFrom);
      rgb = img.tensor().toRgb(); // training data is RGB
    } catch (Exception e) {
      String why = Failures.reason(e).replace(readFrom, path);
      LOG.warn("skipping {}: {}", path, why);
      stats.add(new ImageStats(path, why, Map.of(), Map.of(), null));
      return List.of();
    }
    String imageId = name + "-" + hex(digest(rgb), 4);
    String split = unit(cfg.seed(), imageId, 0) < cfg.valFraction() ? "val" : "train";
    PatchSampler sampler = new PatchSampler(cfg.patchSize(), cfg.stride(), cfg.patchesPerImage(),
        cfg.minStd(), io.sparksr.partitioning.image.Dihedral.transforms(cfg.flips(), cfg.rot90()));
    List<Row> rows = new ArrayList<>();
    Map<Integer, Long> counts = new TreeMap<>();
    Map<Integer, Long> dropped = new TreeMap<>();
    for (int scale : cfg.scales()) {
      long seed = seed(cfg.seed(), imageId, scale);
      PatchSampler.Sample s = sampler.sample(rgb, scale, seed, degradation);
      for (PatchSampler.Pair p : s.pairs()) {
        List<Object> v = new ArrayList<>(List.of(imageId, path, split, scale, p.x(), p.y(),
            p.augment(), cfg.patchSize(), rgb.channels(), p.std(), p.lr(), p.hr()));
        v.addAll(DegradationColumns.values(p.degradation()));
        rows.add(RowFactory.create(v.toArray()));
      }
      counts.put(scale, (long) s.pairs().size());
      dropped.put(scale, (long) s.dropped());
    }
    stats.add(new ImageStats(path, null, counts, dropped, split));
    return rows;
  }

  /** Counts an image that could not be read. */
  void failed(String path, String why) {
    LOG.warn("skipping {}: {}", path, why);
    stats.add(new ImageStats(path, why, Map.of(), Map.of(), null));
  }

  /** A stable seed per (run seed, image, scale). */
  static long seed(long seed, String imageId, int scale) {
    byte[] h = sha1(seed + "/" + imageId + "/" + scale);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xff);
    }
    return v;
  }

  /** A stable number in [0, 1) per (run seed, image). */
  static double unit(long seed, String imageId, int salt) {
    return (seed(seed, imageId, salt) >>> 11) / (double) (1L << 53);
  }

  private static byte[] digest(ImageTensor t) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(PatchSampler.interleaved(t));
      return md.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha1(String s) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(String.format("%02x", b[i]));
    }
    return sb.toString();
  }
}
