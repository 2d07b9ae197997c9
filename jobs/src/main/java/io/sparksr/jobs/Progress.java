package io.sparksr.jobs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs each stage's progress on the driver (every 10 % of its tasks, and its end). */
public final class Progress extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
  private final Map<Integer, int[]> stages = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> done = new ConcurrentHashMap<>();

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    int id = e.stageInfo().stageId();
    stages.put(id, new int[] {e.stageInfo().numTasks(), 0});
    done.put(id, new AtomicInteger());
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    int[] s = stages.get(e.stageId());
    AtomicInteger d = done.get(e.stageId());
    if (s == null || d == null || s[0] < 10) {
      return;
    }
    int n = d.incrementAndGet();
    int decile = n * 10 / s[0];
    synchronized (s) {
      if (decile > s[1] && n < s[0]) {
        s[1] = decile;
        LOG.info("stage {}: {}/{} tasks done", e.stageId(), n, s[0]);
      }
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted e) {
    var info = e.stageInfo();
    stages.remove(info.stageId());
    done.remove(info.stageId());
    long ms = info.completionTime().isDefined() && info.submissionTime().isDefined()
        ? (Long) info.completionTime().get() - (Long) info.submissionTime().get() : -1;
    LOG.info("stage {} ({}) finished: {} tasks in {} ms{}", info.stageId(), info.name(),
        info.numTasks(), ms, info.failureReason().isDefined()
            ? ", failed: " + info.failureReason().get() : "");
  }
}
