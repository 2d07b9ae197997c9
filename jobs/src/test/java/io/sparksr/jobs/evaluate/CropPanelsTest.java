package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.degrade.LrDegradation;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.Rect;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The report's crops pick the detailed region. */
class CropPanelsTest {

  @Test
  void theCropIsTheMostDetailedWindow() {
    // flat grey with a noisy square at (120..160, 40..80): the crop must contain it
    ImageTensor img = ImageTensor.zeros(3, 200, 240);
    java.util.Arrays.fill(img.data(), 0.5f);
    Random rnd = new Random(1);
    for (int c = 0; c < 3; c++) {
      for (int y = 40; y < 80; y++) {
        for (int x = 120; x < 160; x++) {
          img.set(c, y, x, rnd.nextFloat());
        }
      }
    }
    Rect r = CropPanels.pick(img);
    assertThat(r.width()).isEqualTo(CropPanels.SIZE);
    assertThat(r.contains(new Rect(120, 40, 40, 40))).as("crop %s", r).isTrue();
    assertThat(CropPanels.pick(ImageTensor.zeros(1, 30, 50))).isEqualTo(new Rect(0, 0, 50, 30));
  }

  /**
   * Bicubic panels of degraded LRs and model panels of every setting: safe in a file name and one
   * file per degradation and setting, also for names that {@link CropPanels#safe} alone would
   * merge ('+' and '_' both become '_').
   */
  @Test
  void eachLrHasItsOwnSafeBicubicPanel() {
    assertThat(CropPanels.bicubicPanel("clean")).isEqualTo(CropPanels.BICUBIC);
    assertThat(CropPanels.bicubicPanel("jpeg75")).isEqualTo("bicubic_jpeg75");
    List<String> names = List.of("clean", "jpeg75", "noise3+jpeg90", "noise3_jpeg90",
        "noise3__jpeg90", "noise3_plus_jpeg90", "noise3+_jpeg90", "noise3_+jpeg90", "a.b-c",
        "a+b+c", "a+b_c");
    Set<String> files = new HashSet<>();
    Set<String> modelFiles = new HashSet<>();
    int settings = 0;
    for (String n : names) {
      String panel = CropPanels.bicubicPanel(n);
      assertThat(CropPanels.safe(panel)).as(n).isEqualTo(panel);
      files.add(CropPanels.relativePath("Set5", "baby.png", 2, panel));
      LrDegradation d = n.equals(LrDegradation.CLEAN) ? LrDegradation.NONE
          : new LrDegradation(n, List.of(new LrDegradation.Op("jpeg", 75, 0)));
      for (Setting s : List.of(new Setting(0, false, d), new Setting(0, true, d),
          new Setting(128, false, d))) {
        String model = CropPanels.modelPanel("/m/net.srm", s.name());
        assertThat(CropPanels.safe(model)).as(s.name()).isEqualTo(model);
        modelFiles.add(CropPanels.relativePath("Set5", "baby.png", 2, model));
        settings++;
      }
    }
    assertThat(files).as("one file per degradation").hasSize(names.size());
    assertThat(modelFiles).as("one file per setting").hasSize(settings);
  }
}
