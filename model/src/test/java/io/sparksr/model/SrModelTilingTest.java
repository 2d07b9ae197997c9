package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.inference.TileUpscaler;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.Stitcher;
import io.sparksr.partitioning.tiling.TilePlan;
import io.sparksr.partitioning.tiling.TilePlanner;
import io.sparksr.partitioning.tiling.TileSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model as a TileOperator: tiled == whole image with halo = radius(); the registry. */
class SrModelTilingTest {
  private static SrModel model;

  @TempDir
  Path dir;

  @BeforeAll
  static void train() {
    NativeBackend.configure();
    SrTrainer t = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(20));
    List<TrainBatch> b = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      b.add(TestModels.noiseBatch(2 + i % 3, 2, 8, i));
    }
    t.fit(b.iterator());
    model = t.model();
  }

  @Test
  void tiledEqualsWholeImageWithHaloEqualToTheRadius() {
    ImageTensor image = TestModels.noise(37, 45, 21);
    int halo = model.radius();
    for (int s : List.of(2, 3, 4)) {
      ImageTensor whole = TileUpscaler.upscaleWhole(model, image, s, halo, model.defaultBorder());
      TilePlan plan = TilePlanner.plan(image.width(), image.height(), 16, halo, s);
      assertThat(plan.tiles().size()).isGreaterThan(4);
      Stitcher st = new Stitcher(plan, 3);
      for (TileSpec tile : plan.tiles()) {
        ImageTensor read = image.crop(tile.read());
        st.place(tile, TileUpscaler.upscale(model, plan, tile, read, model.defaultBorder()));
      }
      assertThat(TestModels.maxAbsDiff(st.result(), whole)).as("x%d", s).isLessThan(1e-4);
    }
  }

  @Test
  void aTooSmallHaloIsNotExact() {
    ImageTensor image = TestModels.noise(37, 45, 22);
    int halo = model.radius() - 3;
    ImageTensor whole = TileUpscaler.upscaleWhole(model, image, 2, model.radius(),
        BorderPolicy.REPLICATE);
    TilePlan plan = TilePlanner.plan(image.width(), image.height(), 16, halo, 2);
    Stitcher st = new Stitcher(plan, 3);
    for (TileSpec tile : plan.tiles()) {
      st.place(tile, TileUpscaler.upscale(model, plan, tile, image.crop(tile.read()),
          BorderPolicy.REPLICATE));
    }
    assertThat(TestModels.maxAbsDiff(st.result(), whole)).isGreaterThan(1e-4);
  }

  @Test
  void registryResolvesBuiltInsBundlePathsAndDefault() throws Exception {
    assertThat(ModelRegistry.load("bicubic", new Configuration()).radius()).isEqualTo(2);
    String path = dir.resolve("r.srm").toUri().toString();
    SrTrainer t = SrTrainer.create(TestModels.tiny(), TrainOptions.defaults(10));
    t.toBundle(Provenance.none(), false).write(new Configuration(), path);
    TileOperator op = ModelRegistry.load(path, new Configuration());
    assertThat(op).isInstanceOf(SrModel.class);
    assertThat(op.radius()).isEqualTo(TestModels.tiny().radius());
    assertThatThrownBy(() -> ModelRegistry.load(dir.resolve("nope.srm").toString(),
        new Configuration()))
        .hasMessageContaining("'model' is '").hasMessageContaining("nope.srm");
    TileOperator def = ModelRegistry.load(ModelRegistry.DEFAULT, new Configuration());
    assertThat(def.supportsScale(2) && def.supportsScale(3) && def.supportsScale(4)).isTrue();
    assertThat(def.radius()).isEqualTo(((SrModel) def).architecture().radius());
    assertThat(def.apply(TestModels.noise(6, 7, 1), 3).width()).isEqualTo(21);
  }
}
