package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {

  /** A pool whose HR patch is the LR patch upscaled by pixel replication, so pairs stay checkable. */
  static BatchSampler.Pool pool(int scale, int patch, int n, Random rnd) {
    List<byte[]> lr = new ArrayList<>();
    List<byte[]> hr = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] l = new byte[patch * patch * 3];
      rnd.nextBytes(l);
      int hp = patch * scale;
      byte[] h = new byte[hp * hp * 3];
      for (int y = 0; y < hp; y++) {
        for (int x = 0; x < hp; x++) {
          System.arraycopy(l, ((y / scale) * patch + x / scale) * 3, h, (y * hp + x) * 3, 3);
        }
      }
      lr.add(l);
      hr.add(h);
    }
    return new BatchSampler.Pool(scale, patch, lr, hr);
  }

  @Test
  void batchesArePureFunctionsOfSeedAndStepWithAlignedPairs() {
    Random rnd = new Random(1);
    List<BatchSampler.Pool> pools = List.of(pool(2, 12, 5, rnd), pool(3, 12, 4, rnd),
        pool(4, 12, 3, rnd));
    BatchSampler a = new BatchSampler(pools, 4, 8, 99, true);
    BatchSampler b = new BatchSampler(pools, 4, 8, 99, true);
    Map<Integer, Integer> seen = new HashMap<>();
    for (long step = 0; step < 300; step++) {
      TrainBatch x = a.batch(step);
      TrainBatch y = b.batch(step);
      assertThat(x.scale()).isEqualTo(y.scale());
      assertThat(x.lr()).isEqualTo(y.lr());
      assertThat(x.hr()).isEqualTo(y.hr());
      seen.merge(x.scale(), 1, Integer::sum);
      // alignment survives cropping and augmentation: HR = LR replicated scale x scale
      int s = x.scale();
      int hp = 8 * s;
      assertThat(x.lrHeight()).isEqualTo(8);
      for (int n = 0; n < x.size(); n++) {
        for (int yy = 0; yy < hp; yy += 3) {
          for (int xx = 0; xx < hp; xx += 5) {
            for (int c = 0; c < 3; c++) {
              assertThat(x.hr()[((n * hp + yy) * hp + xx) * 3 + c])
                  .isEqualTo(x.lr()[((n * 8 + yy / s) * 8 + xx / s) * 3 + c]);
            }
          }
        }
      }
    }
    // the scale is uniform over {2, 3, 4}: each near 100 of 300
    assertThat(seen).containsOnlyKeys(2, 3, 4);
    seen.values().forEach(v -> assertThat(v).isBetween(70, 130));
    assertThat(a.batch(5).lr()).isNotEqualTo(new BatchSampler(pools, 4, 8, 100, true).batch(5).lr());
  }

  @Test
  void rejectsCropsLargerThanThePatches() {
    Random rnd = new Random(2);
    assertThatThrownBy(() -> new BatchSampler(List.of(pool(2, 8, 2, rnd)), 4, 9, 0, false))
        .hasMessageContaining("'crop' is 9 but the x2 patches are only 8 px");
  }
}
