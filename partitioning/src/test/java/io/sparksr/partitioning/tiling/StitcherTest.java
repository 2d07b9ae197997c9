package io.sparksr.partitioning.tiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.ImageTensor;
import org.junit.jupiter.api.Test;

class StitcherTest {

  @Test
  void refusesAnIncompleteImageAndDuplicateTiles() {
    TilePlan plan = TilePlanner.plan(8, 8, 4, 0, 2);
    Stitcher st = new Stitcher(plan, 3);
    TileSpec first = plan.tiles().get(0);
    st.place(first, ImageTensor.zeros(3, 8, 8));
    assertThatThrownBy(st::result).hasMessageContaining("1 of 4 tiles placed")
        .hasMessageContaining("first missing: 1");
    assertThatThrownBy(() -> st.place(first, ImageTensor.zeros(3, 8, 8)))
        .hasMessageContaining("placed twice");
  }

  @Test
  void rejectsWrongSizesChannelsAndForeignTiles() {
    TilePlan plan = TilePlanner.plan(8, 8, 4, 0, 2);
    Stitcher st = new Stitcher(plan, 3);
    TileSpec t = plan.tiles().get(1);
    assertThatThrownBy(() -> st.place(t, ImageTensor.zeros(3, 4, 4)))
        .hasMessageContaining("output is 4x4 but must be 8x8");
    assertThatThrownBy(() -> st.place(t, ImageTensor.zeros(1, 8, 8)))
        .hasMessageContaining("has 1 channels but the output has 3");
    TileSpec foreign = TilePlanner.plan(8, 8, 3, 0, 2).tiles().get(1);
    assertThatThrownBy(() -> st.place(foreign, ImageTensor.zeros(3, 6, 6)))
        .hasMessageContaining("not part of this plan");
  }

  @Test
  void placesEachCoreAtItsOutputRectangle() {
    TilePlan plan = TilePlanner.plan(3, 2, 2, 1, 2);
    Stitcher st = new Stitcher(plan, 1);
    for (TileSpec t : plan.tiles()) {
      ImageTensor core = ImageTensor.zeros(1, t.output().height(), t.output().width());
      java.util.Arrays.fill(core.data(), t.index() + 1);
      st.place(t, core);
    }
    ImageTensor out = st.result();
    // tiles: 0 = cols 0-1, 1 = col 2 (top row only; height 2 means one tile row)
    assertThat(out.get(0, 0, 0)).isEqualTo(1f);
    assertThat(out.get(0, 3, 3)).isEqualTo(1f);
    assertThat(out.get(0, 0, 4)).isEqualTo(2f);
    assertThat(out.get(0, 3, 5)).isEqualTo(2f);
  }
}
