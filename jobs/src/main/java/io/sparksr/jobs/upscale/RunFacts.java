package io.sparksr.jobs.upscale;

import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * What the plan of each part of the inputs must know of the whole run, aggregated by Spark from
 * the probed inputs (the driver receives one record per partition and per exception, none per
 * image):
 *
 * @param probesPerPartition images probed in each partition (the image indexes of partition p
 *                           start after those of the partitions before it)
 * @param tilesAtAutoSizes   tiles of all readable images at each of
 *                           {@link UpscaleJobConfig#AUTO_TILE_SIZES} (for {@code tile-size} 0)
 * @param claimedTwice       output paths (final: in their shard) two or more inputs would
 *                           write, with the input (first in path order) that gets each
 * @param shards             output folders that would receive more than
 *                           {@code max-files-per-folder} outputs, with their shard digits
 */
record RunFacts(long[] probesPerPartition, long[] tilesAtAutoSizes,
    Map<String, String> claimedTwice, Map<String, Integer> shards) implements Serializable {

  /** Aggregates the facts of {@code scanned}, a run's probed inputs. */
  static RunFacts of(JavaRDD<Scanned> scanned, UpscaleJobConfig cfg, String dir) {
    int maxFiles = cfg.maxFilesPerFolder();
    List<Tuple2<String, Agg>> reduced = scanned
        .mapPartitionsWithIndex((p, it) -> keyed(p, it, cfg, dir), false)
        .mapToPair(t -> t)
        .reduceByKey(Agg::plus)
        .filter(t -> switch (t._1().charAt(0)) {
          case 'f' -> UpscalePlanner.shardDigits(t._2().count(), maxFiles) > 0;
          case 'o' -> t._2().count() > 1;
          default -> true;
        })
        .collect();
    long[] probes = new long[scanned.getNumPartitions()];
    long[] tiles = new long[UpscaleJobConfig.AUTO_TILE_SIZES.size()];
    Map<String, String> claimed = new java.util.HashMap<>();
    Map<String, Integer> shards = new java.util.HashMap<>();
    for (Tuple2<String, Agg> t : reduced) {
      String key = t._1().substring(1);
      switch (t._1().charAt(0)) {
        case 'p' -> probes[Integer.parseInt(key)] = t._2().count();
        case 't' -> tiles = t._2().tiles();
        case 'f' -> shards.put(key, UpscalePlanner.shardDigits(t._2().count(), maxFiles));
        case 'o' -> claimed.put(key, t._2().first());
        default -> throw new IllegalStateException(t._1());
      }
    }
    if (!shards.isEmpty()) {
      // a sharded output can land on an output of a real folder whose name looks like a shard
      // (2019/01/...): claims are counted again on the final paths, now that shards are known
      claimed = new java.util.HashMap<>();
      for (Tuple2<String, Agg> t : scanned
          .flatMapToPair(s -> finalPath(s, cfg, dir, shards))
          .reduceByKey(Agg::plus)
          .filter(t -> t._2().count() > 1)
          .collect()) {
        claimed.put(t._1(), t._2().first());
      }
    }
    return new RunFacts(probes, tiles, claimed, shards);
  }

  /** A readable probe's final output path (in its shard) with one count of its input. */
  private static Iterator<Tuple2<String, Agg>> finalPath(Scanned s, UpscaleJobConfig cfg,
      String dir, Map<String, Integer> shards) {
    Probe p = s.probe();
    if (p == null || p.info() == null) {
      return java.util.Collections.emptyIterator();
    }
    return List.of(new Tuple2<>(UpscalePlanner.sharded(dir, UpscalePlanner.outputOf(cfg, dir, p),
        shards), new Agg(1, p.path(), null))).iterator();
  }

  /** The first image index of each partition. */
  int[] indexBases() {
    int[] bases = new int[probesPerPartition.length];
    long sum = 0;
    for (int p = 0; p < bases.length; p++) {
      if (sum > Integer.MAX_VALUE) {
        throw new IllegalStateException("more than " + Integer.MAX_VALUE + " images in one run");
      }
      bases[p] = (int) sum;
      sum += probesPerPartition[p];
    }
    return bases;
  }

  /** Tiles of all readable images at tile size {@code t} (one of the auto sizes). */
  long tilesAt(int t) {
    return tilesAtAutoSizes[UpscaleJobConfig.AUTO_TILE_SIZES.indexOf(t)];
  }

  /**
   * A count, the smallest input path, and tile counts, keyed: 'p' + partition (probes), 't'
   * (tiles at the auto sizes), 'f' + output folder (outputs in it, before sharding), 'o' + output
   * path (inputs writing it).
   */
  record Agg(long count, String first, long[] tiles) implements Serializable {
    Agg plus(Agg o) {
      long[] sum = tiles == null ? o.tiles : tiles.clone();
      if (tiles != null && o.tiles != null) {
        for (int i = 0; i < sum.length; i++) {
          sum[i] += o.tiles[i];
        }
      }
      String min = first == null ? o.first
          : o.first == null || first.compareTo(o.first) <= 0 ? first : o.first;
      return new Agg(count + o.count, min, sum);
    }
  }

  private static Iterator<Tuple2<String, Agg>> keyed(int partition, Iterator<Scanned> it,
      UpscaleJobConfig cfg, String dir) {
    List<Tuple2<String, Agg>> out = new ArrayList<>();
    long probes = 0;
    List<Integer> sizes = UpscaleJobConfig.AUTO_TILE_SIZES;
    long[] tiles = new long[sizes.size()];
    Map<String, Long> folders = new java.util.HashMap<>();
    while (it.hasNext()) {
      Probe p = it.next().probe();
      if (p == null) {
        continue;
      }
      probes++;
      if (p.info() == null) {
        continue;
      }
      for (int i = 0; i < tiles.length; i++) {
        int t = sizes.get(i);
        tiles[i] += (((long) p.info().width() + t - 1) / t)
            * (((long) p.info().height() + t - 1) / t);
      }
      String outPath = UpscalePlanner.outputOf(cfg, dir, p);
      String rel = outPath.substring(dir.length() + 1);
      int slash = rel.lastIndexOf('/');
      folders.merge(slash < 0 ? "" : rel.substring(0, slash), 1L, Long::sum);
      out.add(new Tuple2<>("o" + outPath, new Agg(1, p.path(), null)));
    }
    folders.forEach((f, n) -> out.add(new Tuple2<>("f" + f, new Agg(n, null, null))));
    out.add(new Tuple2<>("p" + partition, new Agg(probes, null, null)));
    out.add(new Tuple2<>("t", new Agg(0, null, tiles)));
    return out.iterator();
  }
}
