package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.io.HadoopConf;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.SchemeOnlyFileSystem;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.model.ModelRegistry;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.TileTask;
import io.sparksr.pipeline.Upscaled;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import picocli.CommandLine;

/**
 * A model bundle on a file system that only a {@code spark.hadoop.*} setting configures
 * ({@link SchemeOnlyFileSystem}, set in {@link SharedSpark}'s conf) loads wherever the job loads
 * it: on the driver when the command line is checked, in the job, and in a task that never saw
 * the model before.
 */
public class ModelFileSystemTest extends SharedSpark {
  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  /** A copy of the shipped bundle, named by the test scheme (a fresh name per use). */
  private String bundle(String name) throws Exception {
    File f = tmp.newFile(name + ".srm");
    try (InputStream in = ModelRegistry.class.getClassLoader()
        .getResourceAsStream(ModelRegistry.DEFAULT_RESOURCE)) {
      Files.write(f.toPath(), in.readAllBytes());
    }
    return SchemeOnlyFileSystem.SCHEME + "://" + f.getAbsolutePath();
  }

  @Test
  public void withoutTheSettingTheBundleIsUnreadable() throws Exception {
    String model = bundle("unreadable");
    assertThatThrownBy(() -> ModelRegistry.load(model, new Configuration()))
        .hasMessageContaining(model).hasMessageContaining(SchemeOnlyFileSystem.SCHEME);
    UpscaleCommand cmd = new UpscaleCommand();
    io.sparksr.jobs.SparkSr.configured(cmd).parseArgs("--input", "a.png", "--output", tmp.getRoot() + "/o",
        "--model", model);
    assertThatThrownBy(cmd::toConfig).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining(model);
  }

  @Test
  public void theCommandLineLoadsTheModelThroughItsSparkHadoopSettings() throws Exception {
    String model = bundle("command");
    UpscaleCommand cmd = new UpscaleCommand();
    io.sparksr.jobs.SparkSr.configured(cmd).parseArgs("--input", "a.png", "--output", tmp.getRoot() + "/o",
        "--model", model, "--conf",
        SchemeOnlyFileSystem.SPARK_KEY + "=" + SchemeOnlyFileSystem.class.getName());
    assertThat(cmd.toConfig().halo()).isEqualTo(38); // the shipped network's radius
  }

  @Test
  public void theJobAndItsTasksLoadTheModelThroughTheContextsHadoopConfiguration()
      throws Exception {
    File in = tmp.newFolder("in");
    ImageStore store = new ImageStore(new Configuration());
    ImageTensor img = ImageTensor.zeros(3, 24, 20);
    java.util.Arrays.fill(img.data(), 0.5f);
    store.write(new File(in, "a.png").getPath(), img, PixelFormat.of("png", 3, 8));

    // the driver: UpscaleJob.run loads it with the session's configuration
    String model = bundle("job");
    UpscaleJobConfig cfg = UpscaleJobConfig.builder().inputs(List.of(in.getPath()))
        .output(tmp.getRoot() + "/out").scale(2).model(model).tileSize(96).build();
    UpscaleJobResult r = UpscaleJob.run(spark(), cfg);
    assertThat(r.failed()).as(r.summary()).isZero();
    assertThat(r.succeeded()).isEqualTo(1);

    // a task whose JVM never loaded this model: it loads it with the broadcast configuration
    String fresh = bundle("task");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(jsc.hadoopConfiguration()));
    UpscaleJobConfig resolved = cfg.toBuilder().model(fresh)
        .output(tmp.getRoot() + "/out-task").build()
        .forOperator(ModelRegistry.load(model, jsc.hadoopConfiguration()));
    UpscalePlan plan = UpscalePlanner.plan(resolved, "file:" + tmp.getRoot() + "/out-task",
        List.of(new UpscalePlanner.Probe("file:" + in.getPath() + "/a.png",
            store.info(in.getPath() + "/a.png"), null)), Map.of(), java.util.Set.of(),
        Double.NaN, "x", 1, tmp.getRoot() + "/w");
    List<Upscaled> out = new ArrayList<>();
    // the driver's record of the weights: SHA-256 of the bundle file (ModelBundle#checksum)
    String sha;
    try (InputStream shipped = ModelRegistry.class.getClassLoader()
        .getResourceAsStream(ModelRegistry.DEFAULT_RESOURCE)) {
      sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(shipped.readAllBytes()));
    }
    new UpscalePartition(conf, fresh, 0, resolved.tiling(),
        new io.sparksr.pipeline.OutputSettings("sparksr test", fresh, sha, false, "run", null,
            null),
        jsc.sc().longAccumulator(), jsc.sc().longAccumulator())
        .call(List.<List<TileTask>>of(plan.tasks()).iterator()).forEachRemaining(out::add);
    assertThat(out).singleElement().satisfies(u ->
        assertThat(((ImageOutcome) u).ok()).as(((ImageOutcome) u).reason()).isTrue());
  }
}
