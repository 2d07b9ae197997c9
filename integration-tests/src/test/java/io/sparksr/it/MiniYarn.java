package io.sparksr.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * A real YARN (one ResourceManager, one NodeManager) in the test JVM on ports chosen free, its
 * file system the given HDFS, and a HADOOP_CONF_DIR for clients (core-site.xml, hdfs-site.xml,
 * yarn-site.xml), as an operator's /etc/hadoop/conf. Containers are real processes: the
 * NodeManager runs each one's launch script with bash (DefaultContainerExecutor, this user).
 *
 * <p>Cluster-side settings, what a cluster's own yarn-site.xml and yarn-env.sh would hold:
 * <ul>
 *   <li>the NodeManager offers {@code nmMemoryMb} and 4 vcores, allocations are rounded to
 *       128 MB (the default 1024 would make the 896 MB application master a 1 GB container);
 *   <li>no physical/virtual memory checks: a container's JVM reserves far more virtual memory than
 *       YARN's 2.1 ratio, and the test sizes containers by settings, not by measured use;
 *   <li>JAVA_HOME of the containers = this JVM's (a cluster sets it in yarn-env.sh; the
 *       NodeManager passes only its own, and the test JVM's environment has none);
 *   <li>the capacity scheduler's default queue spelled out (hadoop-client-minicluster has no
 *       capacity-scheduler.xml; Spark's own YARN suite does the same) and the AM share at 100 %
 *       (10 % of a small node is less than one application master);
 *   <li>the disk health check off (a full disk would mark the only node unhealthy).
 * </ul>
 */
final class MiniYarn implements AutoCloseable {
  private final MiniYARNCluster cluster;
  private final Path confDir;

  /**
   * Starts YARN over {@code hdfs} and writes the client configuration to {@code confDir}; waits
   * until the NodeManager has registered.
   */
  MiniYarn(MiniHdfs hdfs, Path confDir, int nmMemoryMb) throws Exception {
    this.confDir = Files.createDirectories(confDir);
    YarnConfiguration conf = new YarnConfiguration(hdfs.conf());
    conf.set("fs.defaultFS", hdfs.base());
    conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
    conf.setInt(YarnConfiguration.NM_PMEM_MB, nmMemoryMb);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, nmMemoryMb);
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    conf.set(YarnConfiguration.NM_ADMIN_USER_ENV, "MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX,JAVA_HOME="
        + System.getProperty("java.home"));
    conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage",
        "100.0");
    conf.set("yarn.scheduler.capacity.root.queues", "default");
    conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
    conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
    conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
    conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
    conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
    conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
    conf.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 1.0f);
    conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
    cluster = new MiniYARNCluster("yarn-it-" + System.nanoTime(), 1, 1, 1);
    try {
      cluster.init(conf);
      cluster.start();
      // MiniYARNCluster may return from start() before its configuration has the RM's real port
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (cluster.getConfig().get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) {
        if (System.nanoTime() > end) {
          throw new IllegalStateException("the ResourceManager did not publish its address");
        }
        Thread.sleep(100);
      }
      if (!cluster.waitForNodeManagersToConnect(60_000)) {
        throw new IllegalStateException("the NodeManager did not register within 60 s");
      }
      writeClientConf(hdfs);
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /** The HADOOP_CONF_DIR written for clients. */
  Path confDir() {
    return confDir;
  }

  /** The cluster's configuration (RM addresses with their real ports). */
  Configuration conf() {
    return cluster.getConfig();
  }

  /**
   * The NodeManager's container log folders ({@code <dir>/<application>/<container>/stderr}); log
   * aggregation is off, so the logs stay there after the application.
   */
  List<Path> logDirs() {
    return Stream.of(cluster.getNodeManager(0).getConfig()
        .getTrimmedStrings(YarnConfiguration.NM_LOG_DIRS))
        .map(MiniYarn::path).toList();
  }

  private void writeClientConf(MiniHdfs hdfs) throws IOException {
    Configuration core = new Configuration(false);
    core.set("fs.defaultFS", hdfs.base());
    write(core, "core-site.xml");
    Configuration hdfsSite = new Configuration(false);
    hdfsSite.set("dfs.replication", "1");
    write(hdfsSite, "hdfs-site.xml");
    Configuration yarnSite = new Configuration(false);
    Configuration live = cluster.getConfig();
    for (String key : List.of(YarnConfiguration.RM_HOSTNAME, YarnConfiguration.RM_ADDRESS,
        YarnConfiguration.RM_SCHEDULER_ADDRESS, YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
        YarnConfiguration.RM_ADMIN_ADDRESS, YarnConfiguration.RM_WEBAPP_ADDRESS)) {
      yarnSite.set(key, live.get(key));
    }
    write(yarnSite, "yarn-site.xml");
  }

  private void write(Configuration c, String name) throws IOException {
    try (OutputStream out = Files.newOutputStream(confDir.resolve(name))) {
      c.writeXml(out);
    }
  }

  /**
   * Stops YARN (the NodeManager kills the containers it still runs), then deletes the
   * NodeManager's local folders (each run's localized Spark jars, ~0.2 GB); the logs stay.
   */
  @Override
  public void close() {
    List<Path> local = List.of();
    if (cluster.getNodeManager(0) != null) {
      local = Stream.of(cluster.getNodeManager(0).getConfig()
          .getTrimmedStrings(YarnConfiguration.NM_LOCAL_DIRS)).map(MiniYarn::path).toList();
    }
    cluster.stop();
    for (Path dir : local) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.walk(dir)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("cannot delete " + dir, e);
        }
      }
    }
  }

  private static Path path(String dir) {
    return Path.of(dir.startsWith("file:") ? java.net.URI.create(dir).getPath() : dir);
  }
}
