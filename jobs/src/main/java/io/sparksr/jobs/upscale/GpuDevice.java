package io.sparksr.jobs.upscale;

import io.sparksr.model.ForwardLanes;
import io.sparksr.model.NativeBackend;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points the model's forward lanes at the GPU Spark assigned to the task
 * ({@code spark.task.resource.gpu}; with one GPU per executor, the executor's): with several GPUs
 * per host, the address list of the task's "gpu" resource names the device. Without a "gpu"
 * resource (CPU executors) nothing happens and ND4J is not touched. Not tested here: the dev and CI machines have no GPU (docs/UPSCALE.md).
 */
final class GpuDevice {
  private static final Logger LOG = LoggerFactory.getLogger(GpuDevice.class);

  private GpuDevice() {}

  /** Selects the task's GPU for the forward lanes, if the task has one. */
  static void selectForTask() {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      return;
    }
    Map<String, ResourceInformation> resources = tc.resourcesJMap();
    ResourceInformation gpu = resources == null ? null : resources.get("gpu");
    if (gpu == null || gpu.addresses().length == 0) {
      return;
    }
    int device = Integer.parseInt(gpu.addresses()[0].trim());
    NativeBackend.configure(); // before the first ND4J use, as everywhere
    ForwardLanes.shared().useDevice(device);
    LOG.debug("task {}: forward lanes on GPU {}", tc.taskAttemptId(), device);
  }
}
