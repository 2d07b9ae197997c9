package io.sparksr.jobs;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.InputListing;
import io.sparksr.io.InputListing.Found;
import io.sparksr.io.InputListing.Unit;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Lists a run's inputs on the executors, so that the driver never holds one object per file: the
 * driver resolves the inputs and the top levels of their folders ({@link InputListing#seeds}),
 * executors walk the folders ({@link InputListing#walker}, streaming), and the files found are
 * sorted by path into range partitions of about {@value #FILES_PER_PARTITION} files
 * ({@value #FILES_PER_PARTITION_KEY}), each file once (an image to read before an ignored entry,
 * then the first input that reaches it). The driver receives counts per input only.
 */
public final class ListInputs {
  /** Files per partition of the listing (the later probing reads one header per file). */
  public static final int FILES_PER_PARTITION = 2000;
  /** Hadoop setting ({@code spark.hadoop.} + it in Spark) overriding {@link #FILES_PER_PARTITION}. */
  public static final String FILES_PER_PARTITION_KEY = "sparksr.list.files-per-partition";

  private ListInputs() {}

  /**
   * The listing.
   *
   * @param files   every file found once, images and ignored ones, sorted by path, persisted
   *                (on disk: the driver's heap in local mode is the executors'); call
   *                {@link #release} when done
   * @param images  images found, each path once (a path reached from two inputs counts once)
   * @param ignored ignored files found, each path once
   */
  public record Listed(JavaRDD<Found> files, long images, long ignored,
      JavaPairRDD<Integer, Found> walked) {
    public int partitions() {
      return files.getNumPartitions();
    }

    public void release() {
      files.unpersist(false);
      walked.unpersist(false);
    }
  }

  /**
   * Lists {@code inputs} (files, folders or globs).
   *
   * @param what names the Spark stage ("upscale", "prepare")
   * @throws FileNotFoundException naming an input that does not exist or holds no image
   */
  public static Listed list(JavaSparkContext jsc, Broadcast<HadoopConf> conf,
      Configuration hadoop, List<String> inputs, String what) throws IOException {
    return list(jsc, conf, hadoop, inputs, List.of(), what);
  }

  /**
   * Lists {@code inputs} (files, folders or globs) and the paths in {@code inventories} (text,
   * one path per line, '#' comments; or Parquet with a string column {@code path}), read on
   * executors. An inventory's path is made absolute against the inventory's folder, and its
   * relative path (what the output mirrors) is the whole path without scheme and authority.
   * Inventories count as inputs after {@code inputs}.
   */
  public static Listed list(JavaSparkContext jsc, Broadcast<HadoopConf> conf,
      Configuration hadoop, List<String> inputs, List<String> inventories, String what)
      throws IOException {
    int parallelism = jsc.defaultParallelism();
    InputListing.Seeds seeds = InputListing.seeds(hadoop, inputs, parallelism * 8);
    List<Tuple2<Integer, Found>> onDriver = new ArrayList<>();
    for (int k = 0; k < seeds.files().size(); k++) {
      onDriver.add(new Tuple2<>(seeds.fileInputs().get(k), seeds.files().get(k)));
    }
    for (int k = 0; k < seeds.ignored().size(); k++) {
      onDriver.add(new Tuple2<>(seeds.ignoredInputs().get(k), seeds.ignored().get(k)));
    }
    List<Unit> units = seeds.units();
    JavaPairRDD<Integer, Found> walked = units.isEmpty()
        ? jsc.parallelizePairs(onDriver, 1)
        : jsc.parallelize(units, Math.min(units.size(), parallelism * 8))
            .flatMapToPair(new Walk(conf));
    if (!units.isEmpty() && !onDriver.isEmpty()) {
      walked = walked.union(jsc.parallelizePairs(onDriver, 1));
    }
    for (int k = 0; k < inventories.size(); k++) {
      JavaPairRDD<Integer, Found> listed = inventory(jsc, conf, hadoop, inventories.get(k),
          inputs.size() + k);
      walked = inputs.isEmpty() && k == 0 ? listed : walked.union(listed);
    }
    List<String> named = new ArrayList<>(inputs);
    named.addAll(inventories);
    walked = walked.persist(StorageLevel.DISK_ONLY());
    JavaPairRDD<Integer, Found> all = walked;
    Map<Integer, Counts> perInput = StageNames.run(jsc, what + ": list " + inputs.size()
        + " input(s) (" + units.size() + " folder(s) walked on executors)"
        + (inventories.isEmpty() ? "" : " and " + inventories.size() + " inventory file(s)"),
        () -> all.mapToPair(t -> new Tuple2<>(t._1(), Counts.of(t._2())))
            .reduceByKey(Counts::plus).collectAsMap());
    long found = 0;
    for (int i = 0; i < named.size(); i++) {
      Counts c = perInput.getOrDefault(i, new Counts(0, 0, null));
      if (c.images() == 0) {
        walked.unpersist(false);
        throw new FileNotFoundException(InputListing.noImage(named.get(i), c.ignored(),
            c.example()));
      }
      found += c.images() + c.ignored();
    }
    long perPartition = Math.max(1, hadoop.getInt(FILES_PER_PARTITION_KEY, FILES_PER_PARTITION));
    int partitions = (int) Math.max(parallelism,
        Math.min(Integer.MAX_VALUE, (found + perPartition - 1) / perPartition));
    // each path once; persisted, so the totals below (after removing a path reached from two
    // overlapping inputs, e.g. 'a' and 'a/b') and every later use read one sorted copy
    String sort = what + ": sort " + found + " file(s) by path";
    JavaRDD<Found> files = StageNames.run(jsc, sort, () -> all // sortByKey samples the keys now
        .mapToPair(t -> new Tuple2<>(t._2().path(), new Tuple2<>(t._1(), t._2())))
        .sortByKey(true, partitions)
        .mapPartitions(ListInputs::firstOfEachPath, true)
        .persist(StorageLevel.DISK_ONLY()));
    Counts total;
    try {
      total = StageNames.run(jsc, sort,
          () -> files.map(Counts::of).fold(new Counts(0, 0, null), Counts::plus));
    } catch (RuntimeException e) {
      files.unpersist(false);
      walked.unpersist(false);
      throw e;
    }
    return new Listed(files, total.images(), total.ignored(), walked);
  }

  /** The paths of one inventory file, as files found under input {@code index}. */
  private static JavaPairRDD<Integer, Found> inventory(JavaSparkContext jsc,
      Broadcast<HadoopConf> conf, Configuration hadoop, String file, int index)
      throws IOException {
    if (!io.sparksr.io.HadoopFiles.exists(hadoop, file)) {
      throw new FileNotFoundException("input list '" + file + "' does not exist");
    }
    String parent = new org.apache.hadoop.fs.Path(io.sparksr.io.HadoopFiles.qualify(hadoop, file))
        .getParent().toString();
    JavaRDD<String> lines = file.toLowerCase(java.util.Locale.ROOT).endsWith(".parquet")
        ? org.apache.spark.sql.SparkSession.builder().sparkContext(jsc.sc()).getOrCreate()
            .read().parquet(file).select("path").toJavaRDD().map(r -> r.getString(0))
        : jsc.textFile(file);
    return lines.flatMapToPair(line -> {
      String path = line == null ? "" : line.strip();
      if (path.isEmpty() || path.startsWith("#")) {
        return java.util.Collections.emptyIterator();
      }
      org.apache.hadoop.fs.Path abs = new org.apache.hadoop.fs.Path(path);
      if (!abs.isAbsolute() && abs.toUri().getScheme() == null) {
        abs = new org.apache.hadoop.fs.Path(parent, path);
      }
      abs = new org.apache.hadoop.fs.Path(io.sparksr.io.HadoopFiles.qualify(conf.value().get(),
          abs.toString()));
      String rel = abs.toUri().getPath().replaceAll("^/+", "");
      String root = abs.toString().substring(0, abs.toString().length() - rel.length());
      return List.of(new Tuple2<>(index, new Found(abs.toString(), root, rel,
          InputListing.ignoreReason(abs.getName())))).iterator();
    });
  }

  /**
   * Of the entries of one path (adjacent once sorted), the one to keep: an image to read before an
   * ignored entry (a file named as an input is read even where a folder walk ignores it, e.g. as
   * hidden), then the one of the first input.
   */
  static Iterator<Found> firstOfEachPath(Iterator<Tuple2<String, Tuple2<Integer, Found>>> sorted) {
    return new Iterator<>() {
      private Tuple2<String, Tuple2<Integer, Found>> pending = sorted.hasNext() ? sorted.next()
          : null;

      @Override
      public boolean hasNext() {
        return pending != null;
      }

      @Override
      public Found next() {
        Tuple2<Integer, Found> best = pending._2();
        String path = pending._1();
        pending = null;
        while (sorted.hasNext()) {
          Tuple2<String, Tuple2<Integer, Found>> t = sorted.next();
          if (!t._1().equals(path)) {
            pending = t;
            break;
          }
          boolean image = !t._2()._2().ignored();
          boolean bestImage = !best._2().ignored();
          if (image != bestImage ? image : t._2()._1() < best._1()) {
            best = t._2();
          }
        }
        return best._2();
      }
    };
  }

  /** Images and ignored files found under one input, and one ignored file for the error. */
  record Counts(long images, long ignored, Found example) implements Serializable {
    static Counts of(Found f) {
      return f.ignored() ? new Counts(0, 1, f) : new Counts(1, 0, null);
    }

    Counts plus(Counts o) {
      return new Counts(images + o.images, ignored + o.ignored,
          example != null ? example : o.example);
    }
  }

  /** Walks one unit on an executor, streaming. */
  static final class Walk
      implements org.apache.spark.api.java.function.PairFlatMapFunction<Unit, Integer, Found> {
    private final Broadcast<HadoopConf> conf;

    Walk(Broadcast<HadoopConf> conf) {
      this.conf = conf;
    }

    @Override
    public Iterator<Tuple2<Integer, Found>> call(Unit unit) throws IOException {
      Iterator<Found> found = InputListing.walker(conf.value().get(), unit);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return found.hasNext();
        }

        @Override
        public Tuple2<Integer, Found> next() {
          return new Tuple2<>(unit.input(), found.next());
        }
      };
    }
  }
}
