package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.jobs.evaluate.EvalPlanner.DatasetImages;
import io.sparksr.jobs.evaluate.EvalPlanner.EvalPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Units of work, resume and crop assignment, without Spark. */
class EvalPlannerTest {
  private static final List<DatasetImages> DATA = List.of(
      new DatasetImages("Set5", List.of("file:/d/Set5/a.png", "file:/d/Set5/b.png")),
      new DatasetImages("Tiny", List.of("file:/d/t/c.png")));
  private static final List<Setting> PLAIN_AND_X8 = List.of(new Setting(0, false),
      new Setting(0, true));

  @Test
  void oneUnitPerImageScaleAndModelWithEverySetting() {
    EvalPlan p = EvalPlanner.plan(DATA, List.of(2, 4), List.of("bicubic", "/m/net.srm"),
        PLAIN_AND_X8, Set.of(), 0);
    assertThat(p.units()).hasSize(3 * 2 * 2);
    assertThat(p.toCompute()).isEqualTo(3 * 2 * 2 * 2);
    assertThat(p.present()).isZero();
    EvalUnit first = p.units().get(0);
    assertThat(first).isEqualTo(new EvalUnit("Set5", "a.png", "file:/d/Set5/a.png", 2, "bicubic",
        PLAIN_AND_X8, false, false));
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
    EvalPlan p = EvalPlanner.plan(DATA, List.of(2), List.of("bicubic"), PLAIN_AND_X8, done, 0);
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
    EvalPlan none = EvalPlanner.plan(DATA, List.of(2), List.of("bicubic"), PLAIN_AND_X8, all, 0);
    assertThat(none.units()).isEmpty();
    assertThat(none.present()).isEqualTo(6);
  }

  @Test
  void theFirstImagesOfEachDataSetGetCropPanels() {
    EvalPlan p = EvalPlanner.plan(DATA, List.of(3), List.of("bicubic", "/m/net.srm"),
        List.of(new Setting(64, false)), Set.of(), 1);
    assertThat(p.crops()).extracting(EvalPlanner.CropSpec::image).containsExactly("a.png",
        "c.png");
    assertThat(p.crops().get(0).panels()).containsExactly("hr", "bicubic", "net_tile64");
    List<EvalUnit> a = p.units().subList(0, 2);
    assertThat(a).extracting(EvalUnit::crops).containsExactly(true, true);
    assertThat(a).extracting(EvalUnit::referenceCrops).containsExactly(true, false);
    assertThat(p.units().get(2).crops()).as("b.png is not a crop image").isFalse();
  }

  @Test
  void groupsAreContiguousAndBalancedByCost() {
    EvalPlan p = EvalPlanner.plan(DATA, List.of(2, 3, 4), List.of("bicubic"), PLAIN_AND_X8,
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
}
