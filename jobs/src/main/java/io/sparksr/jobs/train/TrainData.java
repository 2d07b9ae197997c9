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
 * and sorts the Parquet (a fixed order, so the seeded sampler gives the same batches every run;
 * a patch's LR versions by their variant number);
 * rows stream to the driver partition by partition.
 */
final class TrainData {
  private static final Logger LOG = LoggerFactory.getLogger(TrainData.class);

  private TrainData() {}

  static List<BatchSampler.Pool> load(SparkSession spark, String dataset, List<Integer> scales) {
    Dataset<Row> all = spark.read().parquet(dataset);
    // a patch's LR versions (a degradation preset's variants) in their order; data sets prepared
    // before variants existed have one version per patch and no such column
    List<String> order = new ArrayList<>(List.of("scale", "image_id", "y", "x", "augment"));
    if (java.util.Arrays.asList(all.columns()).contains("deg_variant")) {
      order.add("deg_variant");
    }
    Dataset<Row> df = all
        .filter("split = 'train'")
        .orderBy(order.stream().map(org.apache.spark.sql.functions::col)
            .toArray(org.apache.spark.sql.Column[]::new))
        .select("scale", "patch_size", "image_id", "y", "x", "augment", "lr", "hr");
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
      byte[] h = (byte[]) r.get(7);
      List<byte[]> hrs = hr.computeIfAbsent(s, k -> new ArrayList<>());
      // the LR versions of one patch share their HR: held once
      byte[] prevHr = hrs.isEmpty() ? null : hrs.get(hrs.size() - 1);
      hrs.add(prevHr != null && java.util.Arrays.equals(prevHr, h) ? prevHr : h);
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
