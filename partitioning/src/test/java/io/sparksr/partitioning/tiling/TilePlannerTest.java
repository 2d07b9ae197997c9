package io.sparksr.partitioning.tiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TilePlannerTest {

  /** Every pixel must be in exactly one core, and the other rectangles follow from the core. */
  static void assertWellFormed(TilePlan plan) {
    int[] owners = new int[plan.width() * plan.height()];
    for (TileSpec t : plan.tiles()) {
      assertThat(plan.image().contains(t.core())).as("core inside image").isTrue();
      assertThat(t.core().isEmpty()).isFalse();
      for (int y = t.core().y(); y < t.core().bottom(); y++) {
        for (int x = t.core().x(); x < t.core().right(); x++) {
          owners[y * plan.width() + x]++;
        }
      }
      assertThat(t.padded()).isEqualTo(t.core().expand(plan.halo()));
      assertThat(t.read()).isEqualTo(t.padded().intersect(plan.image()));
      assertThat(t.read().contains(t.core())).isTrue();
      assertThat(t.output()).isEqualTo(new Rect(t.core().x() * plan.scale(),
          t.core().y() * plan.scale(), t.core().width() * plan.scale(),
          t.core().height() * plan.scale()));
      assertThat(plan.tiles().get(t.index())).isSameAs(t);
      assertThat(plan.tile(t.column(), t.row())).isSameAs(t);
    }
    assertThat(owners).containsOnly(1);
  }

  @Test
  void gridOfFullTilesWithNarrowerLastColumnAndRow() {
    TilePlan plan = TilePlanner.plan(10, 7, 4, 2, 3);
    assertThat(plan.columns()).isEqualTo(3);
    assertThat(plan.rows()).isEqualTo(2);
    assertThat(plan.tiles()).hasSize(6);
    TileSpec last = plan.tile(2, 1);
    assertThat(last.core()).isEqualTo(new Rect(8, 4, 2, 3));
    assertThat(last.padded()).isEqualTo(new Rect(6, 2, 6, 7));
    assertThat(last.read()).isEqualTo(new Rect(6, 2, 4, 5));
    assertThat(last.output()).isEqualTo(new Rect(24, 12, 6, 9));
    assertThat(last.coreInPaddedOutput(3)).isEqualTo(new Rect(6, 6, 6, 9));
    assertThat(plan.bandOutput(1)).isEqualTo(new Rect(0, 12, 30, 9));
    assertWellFormed(plan);
  }

  @Test
  void tinyImagesAndTilesLargerThanTheImage() {
    TilePlan one = TilePlanner.plan(1, 1, 256, 16, 4);
    assertThat(one.tiles()).hasSize(1);
    assertThat(one.tiles().get(0).read()).isEqualTo(new Rect(0, 0, 1, 1));
    assertThat(one.tiles().get(0).padded()).isEqualTo(new Rect(-16, -16, 33, 33));
    assertWellFormed(one);
    assertWellFormed(TilePlanner.plan(13, 1, 1000, 3, 2));
  }

  @Test
  void primeSizesAndTileSizeOne() {
    assertWellFormed(TilePlanner.plan(97, 89, 13, 5, 2));
    TilePlan ones = TilePlanner.plan(7, 5, 1, 1, 1);
    assertThat(ones.tiles()).hasSize(35);
    assertWellFormed(ones);
  }

  @Test
  void rejectsBadArgumentsNamingTheKey() {
    assertThatThrownBy(() -> TilePlanner.plan(0, 5, 4, 1, 2)).hasMessageContaining("width is 0");
    assertThatThrownBy(() -> TilePlanner.plan(5, 5, 0, 1, 2))
        .hasMessageContaining("'tile-size' is 0 but must be > 0");
    assertThatThrownBy(() -> TilePlanner.plan(5, 5, 4, -1, 2))
        .hasMessageContaining("'halo' is -1");
    assertThatThrownBy(() -> TilePlanner.plan(5, 5, 4, 1, 0))
        .hasMessageContaining("'scale' is 0");
    assertThatThrownBy(() -> TilePlanner.plan(1_000_000_000, 5, 4, 1, 4))
        .hasMessageContaining("exceeds");
  }
}
