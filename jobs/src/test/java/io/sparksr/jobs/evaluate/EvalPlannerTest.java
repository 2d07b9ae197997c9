package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.jobs.evaluate.EvalPlanner.DatasetImages;
import io.sparksr.jobs.evaluate.EvalPlanner.EvalPlan;
import io.sparksr.partitioning.degrade.LrDegradation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Units of work, resume and crop assignment, without Spark. */
class EvalPlannerTest {
  private static final List<DatasetImages> DATA = List.of(
      new DatasetImages("Set5", List.of("file:/d/Set5/a.png", "file:/d/Set5/b.png"),
          List.of("sha-a", "sha-b")),
      new DatasetImages("Tiny", List.of("file:/d/t/c.png"), List.of("sha-c")));
  private static final Map<String, String> SHAS = Map.of("bicubic", "", "/m/net.srm", "sha-net");
  /** The net's part of crop file names. */
  private static final String NET = ModelNames.fileName("/m/net.srm");
  private static final List<Setting> PLAIN_AND_X8 = List.of(new Setting(0, false),
      new Setting(0, true));

  @Test
  void oneUnitPerImageScaleAndModelWithEverySetting() {
    EvalPlan p = EvalPlanner.plan(DATA, List.of(2, 4), List.of("bicubic", "/m/net.srm"), SHAS,
        PLAIN_AND_X8, Set.of(), 0);
    assertThat(p.units()).hasSize(3 * 2 * 2);
    assertThat(p.toCompute()).isEqualTo(3 * 2 * 2 * 2);
    assertThat(p.present()).isZero();
    EvalUnit first = p.units().get(0);
    assertThat(first).isEqualTo(new EvalUnit("Set5", "a.png", "file:/d/Set5/a.png", 2, "bicubic",
        PLAIN_AND_X8, false, List.of(), "", "sha-a"));
    assertThat(first.cost()).isEqualTo(1 + 8);
    // ordered by data set, image, scale, model: units of one image are adjacent
    assertThat(p.units()).extracting(EvalUnit::image).containsExactly("a.png", "a.png", "a.png",
        "a.png", "b.png", "b.png", "b.png", "b.png", "c.png", "c.png", "c.png", "c.png");
  }

  @Test
  void rowsAlreadyPresentAreNotPlannedAgain() {
    Set<ResultKey> done = new HashSet<>();
    done.add(new ResultKey("Set5", "a.png", 2, "bicubic", "whole"));
    done.add(new ResultKey("Set5", "a.png", 2, "bicubic", "whole+x8"));
    done.add(new ResultKey("Set5", "b.png", 2, "bicubic", "whole"));
    EvalPlan p = EvalPlanner.plan(DATA, List.of(2), List.of("bicubic"), SHAS, PLAIN_AND_X8, done, 0);
    assertThat(p.present()).isEqualTo(3);
    assertThat(p.toCompute()).isEqualTo(3);
    assertThat(p.units()).hasSize(2);
    assertThat(p.units().get(0).image()).isEqualTo("b.png");
    assertThat(p.units().get(0).settings()).containsExactly(new Setting(0, true));
    assertThat(p.units().get(1).settings()).isEqualTo(PLAIN_AND_X8);

    Set<ResultKey> all = new HashSet<>();
    for (DatasetImages d : DATA) {
      for (String path : d.paths()) {
        for (Setting s : PLAIN_AND_X8) {
          all.add(new ResultKey(d.name(), EvalPlanner.imageName(path), 2, "bicubic", s.name()));
        }
      }
    }
    EvalPlan none = EvalPlanner.plan(DATA, List.of(2), List.of("bicubic"), SHAS, PLAIN_AND_X8, all, 0);
    assertThat(none.units()).isEmpty();
    assertThat(none.present()).isEqualTo(6);
  }

  @Test
  void theFirstImagesOfEachDataSetGetCropPanels() {
    EvalPlan p = EvalPlanner.plan(DATA, List.of(3), List.of("bicubic", "/m/net.srm"), SHAS,
        List.of(new Setting(64, false)), Set.of(), 1);
    assertThat(p.crops()).extracting(EvalPlanner.CropSpec::image).containsExactly("a.png",
        "c.png");
    assertThat(p.crops().get(0).panels()).containsExactly(new CropPanels.Spec("hr", "HR"),
        new CropPanels.Spec("bicubic", "bicubic"), new CropPanels.Spec(NET + "_tile64",
            "net (tile64)"));
    assertThat(p.crops().get(0).degradation()).isEqualTo("clean");
    List<EvalUnit> a = p.units().subList(0, 2);
    assertThat(a).extracting(EvalUnit::crops).containsExactly(true, true);
    assertThat(a).extracting(EvalUnit::referenceCrops).containsExactly(
        List.of(LrDegradation.NONE), List.of());
    assertThat(p.units().get(2).crops()).as("b.png is not a crop image").isFalse();
  }

  /**
   * With degradations, a crop image gets one crop row per LR in the run's order: HR, bicubic of
   * that LR, each model's output from it (its plain and x8 settings); the first unit that runs
   * writes the HR and every LR's bicubic panel.
   */
  @Test
  void eachLrOfACropImageIsARowWithItsOwnBicubicPanel() {
    LrDegradation jpeg = new LrDegradation("jpeg75", List.of(
        new LrDegradation.Op("jpeg", 75, 0)));
    List<Setting> settings = List.of(new Setting(0, false, jpeg), new Setting(0, true, jpeg),
        new Setting(0, false), new Setting(0, true));
    EvalPlan p = EvalPlanner.plan(DATA.subList(0, 1), List.of(2), List.of("bicubic", "/m/net.srm"), SHAS,
        settings, Set.of(), 1);
    assertThat(p.crops()).extracting(EvalPlanner.CropSpec::degradation)
        .containsExactly("jpeg75", "clean");
    assertThat(p.crops().get(0).panels()).containsExactly(new CropPanels.Spec("hr", "HR"),
        new CropPanels.Spec("bicubic_jpeg75", "bicubic"),
        new CropPanels.Spec(NET + "_whole_jpeg75", "net (whole)"),
        new CropPanels.Spec(NET + "_whole_jpeg75_plus_x8", "net (whole+x8)"));
    assertThat(p.crops().get(1).panels()).containsExactly(new CropPanels.Spec("hr", "HR"),
        new CropPanels.Spec("bicubic", "bicubic"), new CropPanels.Spec(NET + "_whole", "net (whole)"),
        new CropPanels.Spec(NET + "_whole_plus_x8", "net (whole+x8)"));
    assertThat(p.units().subList(0, 2)).extracting(EvalUnit::referenceCrops)
        .containsExactly(List.of(jpeg, LrDegradation.NONE), List.of());

    // bicubic's rows are done: the net unit is the first to run, so it writes the references
    Set<ResultKey> done = new HashSet<>();
    settings.forEach(s -> done.add(new ResultKey("Set5", "a.png", 2, "bicubic", s.name())));
    EvalPlan resumed = EvalPlanner.plan(DATA.subList(0, 1), List.of(2),
        List.of("bicubic", "/m/net.srm"), SHAS, settings, done, 1);
    assertThat(resumed.units().get(0).model()).isEqualTo("/m/net.srm");
    assertThat(resumed.units().get(0).referenceCrops()).containsExactly(jpeg, LrDegradation.NONE);
    assertThat(resumed.crops()).isEqualTo(p.crops());
  }

  @Test
  void groupsAreContiguousAndBalancedByCost() {
    EvalPlan p = EvalPlanner.plan(DATA, List.of(2, 3, 4), List.of("bicubic"), SHAS, PLAIN_AND_X8,
        Set.of(), 0);
    List<List<EvalUnit>> groups = EvalPlanner.group(p.units(), 4);
    assertThat(groups).hasSize(4);
    List<EvalUnit> flat = new ArrayList<>();
    groups.forEach(flat::addAll);
    assertThat(flat).isEqualTo(p.units());
    assertThat(EvalPlanner.group(p.units().subList(0, 1), 8)).hasSize(1);
  }

  @Test
  void settingNames() {
    assertThat(new Setting(0, false).name()).isEqualTo("whole");
    assertThat(new Setting(64, true).name()).isEqualTo("tile64+x8");
    assertThat(Setting.plainName("tile64+x8")).isEqualTo("tile64");
    assertThat(ModelNames.label("hdfs://nn/models/igconv-c48.srm")).isEqualTo("igconv-c48");
    assertThat(ModelNames.label("bicubic")).isEqualTo("bicubic");
    assertThat(CropPanels.relativePath("Set5", "baby.png", 2, "net v2_whole+x8"))
        .isEqualTo("crops/Set5/baby_x2_net_v2_whole_x8.png");
  }

  /**
   * Two bundles with one file name (checkpoints of two runs, a bundle named like a built-in) get
   * labels that tell them apart, and crop files of their own that stay the same from run to run.
   */
  @Test
  void modelsNamedAlikeGetDistinctLabelsAndCropFiles() {
    assertThat(ModelNames.labels(List.of("bicubic", "ckpt/30k/model.srm", "ckpt/43k/model.srm",
        "default", "runs/train/default.srm", "/m/net.srm")))
        .containsExactly(Map.entry("bicubic", "bicubic"), Map.entry("ckpt/30k/model.srm",
            "30k/model"), Map.entry("ckpt/43k/model.srm", "43k/model"),
            Map.entry("default", "default"), Map.entry("runs/train/default.srm", "train/default"),
            Map.entry("/m/net.srm", "net"));
    // alike up to the root: the whole path
    assertThat(ModelNames.labels(List.of("hdfs://a/m.srm", "file:/a/m.srm")).values())
        .doesNotHaveDuplicates();
    assertThat(ModelNames.fileName("ckpt/30k/model.srm"))
        .isNotEqualTo(ModelNames.fileName("ckpt/43k/model.srm")).startsWith("model-")
        .isEqualTo(ModelNames.fileName("ckpt/30k/model.srm"));
    assertThat(ModelNames.fileName("default")).isEqualTo("default");

    // the planner's captions use the distinct labels
    EvalPlan p = EvalPlanner.plan(DATA.subList(1, 2), List.of(2),
        List.of("ckpt/30k/model.srm", "ckpt/43k/model.srm"),
        Map.of("ckpt/30k/model.srm", "s30", "ckpt/43k/model.srm", "s43"),
        List.of(new Setting(0, false)), Set.of(), 1);
    assertThat(p.crops().get(0).panels()).extracting(CropPanels.Spec::label)
        .containsExactly("HR", "bicubic", "30k/model (whole)", "43k/model (whole)");
    assertThat(p.crops().get(0).panels()).extracting(CropPanels.Spec::name)
        .doesNotHaveDuplicates();
    assertThat(p.units()).extracting(EvalUnit::modelSha256).containsExactly("s30", "s43");
    assertThat(p.units()).extracting(EvalUnit::hrSha256).containsOnly("sha-c");
  }

  /** A setting name splits into its degradation and the rest, for every kind of setting. */
  @Test
  void settingNamesSplitIntoDegradationAndBase() {
    LrDegradation noisy = new LrDegradation("noise3+jpeg90", List.of(
        new LrDegradation.Op("gaussian", 3, 1), new LrDegradation.Op("jpeg", 90, 0)));
    for (LrDegradation d : List.of(LrDegradation.NONE, noisy)) {
      for (int tile : new int[] {0, 64}) {
        for (boolean x8 : new boolean[] {false, true}) {
          String name = new Setting(tile, x8, d).name();
          assertThat(Setting.degradationName(name)).as(name).isEqualTo(d.name());
          assertThat(Setting.baseName(name)).as(name).isEqualTo(new Setting(tile, x8).name());
        }
      }
    }
    assertThat(new Setting(64, true, noisy).name()).isEqualTo("tile64@noise3+jpeg90+x8");
  }
}
