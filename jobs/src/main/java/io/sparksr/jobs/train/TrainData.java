package io.sparksr.jobs.train;

import io.sparksr.model.BatchSampler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the training split of a prepare dataset into memory, one pool per scale. Spark reads
 * and sorts the Parquet (a fixed order, so the seeded sampler gives the same batches every run);
 * rows stream to the driver partition by partition.
 */
final class TrainData {
  private static final Logger LOG = LoggerFactory.getLogger(TrainData.class);

  private TrainData() {}

  static List<BatchSampler.Pool> load(SparkSession spark, String dataset, List<Integer> scales) {
    Dataset<Row> df = spark.read().parquet(dataset)
        .filter("split = 'train'")
        .select("scale", "patch_size", "image_id", "y", "x", "augment", "lr", "hr")
        .orderBy("scale", "image_id", "y", "x", "augment");
    Map<Integer, List<byte[]>> lr = new TreeMap<>();
    Map<Integer, List<byte[]>> hr = new TreeMap<>();
    Map<Integer, Integer> patch = new TreeMap<>();
    for (Iterator<Row> it = df.toLocalIterator(); it.hasNext(); ) {
      Row r = it.next();
      int s = r.getInt(0);
      if (!scales.contains(s)) {
        continue;
      }
      int p = r.getInt(1);
      Integer prev = patch.putIfAbsent(s, p);
      if (prev != null && prev != p) {
        throw new IllegalArgumentException("dataset " + dataset + " mixes patch sizes " + prev
            + " and " + p + " at scale " + s);
      }
      lr.computeIfAbsent(s, k -> new ArrayList<>()).add((byte[]) r.get(6));
      hr.computeIfAbsent(s, k -> new ArrayList<>()).add((byte[]) r.get(7));
    }
    List<BatchSampler.Pool> pools = new ArrayList<>();
    for (int s : scales) {
      if (!lr.containsKey(s)) {
        throw new IllegalArgumentException(
            "dataset " + dataset + " has no training patches at scale " + s);
      }
      pools.add(new BatchSampler.Pool(s, patch.get(s), lr.get(s), hr.get(s)));
    }
    LOG.info("training data {}: {} pairs per scale", dataset,
        pools.stream().collect(java.util.stream.Collectors.toMap(BatchSampler.Pool::scale,
            BatchSampler.Pool::size, (a, b) -> a, TreeMap::new)));
    return pools;
  }
}
