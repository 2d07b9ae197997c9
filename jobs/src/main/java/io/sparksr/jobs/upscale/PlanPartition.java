package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.HadoopFiles;
import io.sparksr.io.InputListing.Found;
import io.sparksr.jobs.upscale.UpscalePlanner.Probe;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Step 2, on an executor: plans the inputs of one partition of the listing
 * ({@link UpscalePlanner}, with what it must know of the rest: {@link RunFacts}). It lists only
 * the output folders its own outputs go to (to skip the outputs that exist), packs its small
 * images whole into groups of about {@code partition-megapixels} of output (each becomes a Spark
 * partition of the inference), and leaves the images too large for one group, and those to be
 * converted first, to the driver, which spreads their tiles.
 *
 * <p>Its answer must not change when Spark computes it again (an executor lost mid-run takes
 * its stored plan blocks along, and its outputs written so far stay): outputs modified since
 * the run started ({@link Shared#runStarted}, the file system's clock) count as absent, so they
 * are planned, and written, again rather than becoming "skipped".
 */
final class PlanPartition implements Function2<Integer, Iterator<Scanned>, Iterator<PartitionPlan>> {
  private final Broadcast<HadoopConf> conf;
  private final Broadcast<Shared> shared;

  /** Names of one output folder looked up one by one rather than by listing the folder. */
  static final int STAT_AT_MOST = 64;

  /** What every partition's plan shares. */
  record Shared(UpscaleJobConfig cfg, String output, RunFacts facts, int[] indexBases,
      double flopsPerOutputPixel, String modelId, int parallelism, String workDir,
      long runStarted) implements Serializable {}

  PlanPartition(Broadcast<HadoopConf> conf, Broadcast<Shared> shared) {
    this.conf = conf;
    this.shared = shared;
  }

  @Override
  public Iterator<PartitionPlan> call(Integer partition, Iterator<Scanned> scanned) {
    Shared s = shared.value();
    UpscaleJobConfig cfg = s.cfg();
    String dir = s.output();
    List<Probe> probes = new ArrayList<>();
    List<Found> ignored = new ArrayList<>();
    Map<String, Set<String>> wanted = new TreeMap<>(); // output folder (relative) -> names
    String setting = UpscalePlanner.setting(cfg, s.modelId());
    while (scanned.hasNext()) {
      Scanned f = scanned.next();
      if (f.ignored() != null) {
        ignored.add(f.ignored());
        continue;
      }
      probes.add(f.probe());
      if (f.probe().info() != null) {
        String out = UpscalePlanner.sharded(dir, UpscalePlanner.outputOf(cfg, dir, f.probe()),
            s.facts().shards());
        String rel = out.substring(dir.length() + 1);
        int slash = rel.lastIndexOf('/');
        Set<String> names = wanted.computeIfAbsent(slash < 0 ? "" : rel.substring(0, slash),
            k -> new HashSet<>());
        names.add(rel.substring(slash + 1));
        if (UpscalePlanner.tiled(cfg, f.probe().info())) {
          names.add(UpscalePlanner.partsName(rel.substring(slash + 1), setting, f.probe()));
        }
      }
    }
    Map<String, Long> existing = new HashMap<>();
    Set<String> hidden = new HashSet<>();
    try {
      for (Map.Entry<String, Set<String>> w : wanted.entrySet()) {
        String folder = w.getKey();
        String prefix = folder.isEmpty() ? "" : folder + "/";
        // a few names in a folder (a sharded one holds outputs of every partition): one stat
        // each; many: one listing, keeping only them
        HadoopFiles.Tree found = w.getValue().size() <= STAT_AT_MOST
            ? HadoopFiles.stat(conf.value().get(), folder.isEmpty() ? dir : dir + "/" + folder,
                w.getValue(), s.runStarted())
            : HadoopFiles.listFolder(conf.value().get(), folder.isEmpty() ? dir : dir + "/"
                + folder, w.getValue()::contains, s.runStarted());
        found.files().forEach((n, size) -> existing.put(prefix + n, size));
        found.hiddenFolders().forEach(n -> hidden.add(prefix + n));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing the output folders of partition " + partition, e);
    }
    UpscalePlan plan = UpscalePlanner.plan(cfg, dir, probes, ignored, existing, hidden,
        s.flopsPerOutputPixel(), s.modelId(), s.parallelism(), s.workDir(),
        new UpscalePlanner.Context(s.indexBases()[partition], s.facts().claimedTwice(),
            s.facts().shards()));
    return List.of(PartitionPlan.of(partition, plan, cfg)).iterator();
  }
}
