package io.sparksr.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.io.ImageStore;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.jobs.upscale.UpscaleJob;
import io.sparksr.jobs.upscale.UpscaleJobConfig;
import io.sparksr.model.ModelRegistry;
import io.sparksr.partitioning.inference.TileOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.assertj.core.data.Offset;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The bench compares like with like: its plain loop computes exactly what the job writes. */
public class BenchJobTest extends SharedSpark {
  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void thePlainLoopWritesTheSamePixelsAsTheUpscaleJob() throws Exception {
    Path in = tmp.newFolder("in").toPath();
    BenchImages.write(in.resolve("a.png"), 150, 97);
    BenchImages.write(in.resolve("b.png"), 64, 130);
    TileOperator op = ModelRegistry.load("bicubic", new Configuration());
    String out = tmp.getRoot() + "/job";
    UpscaleJobConfig jc = UpscaleJobConfig.builder().inputs(List.of(in.toString())).output(out)
        .scale(3).model("bicubic").tileSize(48).partitionMegapixels(0.2).build().forOperator(op);
    assertThat(UpscaleJob.run(spark(), jc).failed()).isZero();
    Path loop = Files.createDirectories(tmp.getRoot().toPath().resolve("loop"));
    ImageStore store = new ImageStore(new Configuration());
    BenchJob.plainLoop(new Configuration(), op, jc.toBuilder().output(loop.toString()).build(), 2);
    for (String n : List.of("a", "b")) {
      assertThat(store.read(loop.resolve(n + "_x3.png").toString()).tensor()).as(n)
          .isEqualTo(store.read(out + "/" + n + "_x3.png").tensor());
    }
  }

  @Test
  public void theLineFitGivesInterceptSlopeAndRSquared() {
    double[] exact = BenchJob.fit(new double[] {1, 2, 3, 4}, new double[] {3, 5, 7, 9});
    assertThat(exact[0]).isCloseTo(1, Offset.offset(1e-12));
    assertThat(exact[1]).isCloseTo(2, Offset.offset(1e-12));
    assertThat(exact[2]).isCloseTo(1, Offset.offset(1e-12));
    // by hand: Sxy = 6.5, Sxx = 5, Syy = 8.75, so slope 1.3 and R² = 6.5² / (5 × 8.75)
    double[] off = BenchJob.fit(new double[] {1, 2, 3, 4}, new double[] {1, 2, 3, 5});
    assertThat(off[1]).isCloseTo(1.3, Offset.offset(1e-12));
    assertThat(off[0]).isCloseTo(2.75 - 1.3 * 2.5, Offset.offset(1e-12));
    assertThat(off[2]).isCloseTo(42.25 / 43.75, Offset.offset(1e-12));
  }

  @Test
  public void badSettingsNameTheKey() {
    assertThatThrownBy(() -> new BenchConfig(List.of("peak", "gpu"), "default", List.of(2), 256,
        5, 2, null, null, null, null, null, null, Map.of())).hasMessageContaining("'sections' has 'gpu'");
    assertThatThrownBy(() -> new BenchConfig(List.of("peak"), "default", List.of(5), 256, 5, 2,
        null, null, null, null, null, null, Map.of())).hasMessageContaining("'scales' has 5");
    assertThatThrownBy(() -> new BenchConfig(List.of("peak"), "default", List.of(2), 256, 0, 2,
        null, null, null, null, null, null, Map.of())).hasMessageContaining("'reps' is 0");
    assertThatThrownBy(() -> new BenchConfig(List.of("photos"), "default", List.of(2), 256, 1, 1,
        null, null, List.of("2000x"), null, null, null, Map.of()))
        .hasMessageContaining("'photo-sizes' has '2000x'");
  }
}
