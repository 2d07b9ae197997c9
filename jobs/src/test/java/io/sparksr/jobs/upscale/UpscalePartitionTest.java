package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.pipeline.OutputSettings;
import io.sparksr.pipeline.Tiling;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** An executor never writes outputs under another model's provenance. */
class UpscalePartitionTest {
  /**
   * The driver recorded one model's SHA-256 in the run's settings; an executor that loads other
   * weights under the same name (the bundle was rewritten during the run) fails its task with
   * both hashes instead of writing outputs whose XMP names the driver's.
   */
  @Test
  void weightsOtherThanTheDriversFailTheTaskNamingBothHashes() {
    String shipped = io.sparksr.pipeline.OperatorCache.sha256(io.sparksr.pipeline.OperatorCache.get("default",
        new Configuration()));
    OutputSettings driver = new OutputSettings("sparksr test", "default", "0".repeat(64), false,
        "run-1", null, null);
    assertThatThrownBy(() -> UpscalePartition.run(new Configuration(), "default", 0,
        new Tiling(2, BorderPolicy.REFLECT, 2, 1L << 20, 16), driver, null, null, null,
        List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("model 'default' changed during the run")
        .hasMessageContaining("0".repeat(64))
        .hasMessageContaining(shipped);
  }
}
