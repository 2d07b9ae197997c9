package io.sparksr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.testing.Stencil;
import io.sparksr.partitioning.testing.TestTensors;
import io.sparksr.partitioning.tiling.BorderPolicy;
import io.sparksr.partitioning.tiling.TileSpec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-partition tile pipeline on real files, without Spark: whatever way an image's tiles are
 * spread over partitions, the written output is the operator applied to the whole image (its
 * independent definition, {@link Stencil#reference}), quantised to the output's bit depth.
 */
class PartitionUpscalerTest {
  private static final int SCALE = 2;
  private static final int HALO = 2;
  private static final OutputSettings SETTINGS = new OutputSettings("sparksr test", "stencil", "", false,
      "run-1", null, null);
  private final Configuration conf = new Configuration();
  private final ImageStore store = new ImageStore(conf);
  @TempDir
  Path tmp;

  private ImageJob job(int index, String input, ImageTensor img, int tileSize, boolean tiled)
      throws Exception {
    store.write(input, img, PixelFormat.of("png", img.channels(), 8));
    String output = tmp.resolve("out-" + index + (tiled ? ".tif" : ".png")).toString();
    ImageJob.Parts parts = tiled
        ? new ImageJob.Parts(tmp.resolve(".parts-" + index).toString(), false) : null;
    return new ImageJob(index,
        new ImageJob.Input(input, new File(input).getName(), img.width(), img.height(),
            new File(input).length(), 1),
        new ImageJob.Source(input, ImageJob.Access.DECODE), output,
        PixelFormat.of(tiled ? "tiff" : "png", img.channels(), 8), tileSize, parts);
  }

  private static List<TileTask> tasks(ImageJob job) {
    List<TileTask> out = new ArrayList<>();
    for (TileSpec t : job.plan(HALO, SCALE).tiles()) {
      out.add(new TileTask(job, t));
    }
    return out;
  }

  /** The operator on the whole input as decoded (8-bit PNG), quantised as the output is. */
  private ImageTensor expected(Stencil op, ImageJob job) throws Exception {
    ImageTensor decoded = store.read(job.input().path()).tensor();
    return Quantized.of(op.reference(decoded, BorderPolicy.REFLECT), 8).toTensor();
  }

  @Test
  void imagesHeldWholeAreWrittenInThePartitionAndSplitOnesAssembledFromBandsAndPixelsAfter() throws Exception {
    Random rnd = new Random(3);
    Stencil op = Stencil.random(rnd, HALO, SCALE);
    Tiling tiling = new Tiling(SCALE, BorderPolicy.REFLECT, HALO, 1L << 20, 16);
    ImageTensor a = TestTensors.randomImage(rnd, 3, 30, 41);
    ImageTensor b = TestTensors.randomImage(rnd, 1, 50, 37);
    ImageJob ja = job(0, tmp.resolve("a.png").toString(), a, 16, false);
    ImageJob jb = job(1, tmp.resolve("b.png").toString(), b, 16, false);
    List<TileTask> bTiles = tasks(jb);
    int columns = jb.plan(HALO, SCALE).columns();
    int cut = columns + 1; // b's second tile row is split between the partitions
    // partition 1: all of a and half of b; partition 2: the rest of b
    List<TileTask> p1 = new ArrayList<>(tasks(ja));
    p1.addAll(bTiles.subList(0, cut));
    List<TileTask> p2 = new ArrayList<>(bTiles.subList(cut, bTiles.size()));
    int[] done = {0};
    PartitionUpscaler.Listener count = new PartitionUpscaler.Listener() {
      @Override
      public void done(ImageJob image, TileSpec tile, boolean computed) {
        done[0]++;
      }

      @Override
      public void failed(ImageJob image, TileSpec tile) {
        throw new AssertionError("no tile fails here");
      }
    };
    List<Upscaled> r1 = new PartitionUpscaler(conf, op, tiling, SETTINGS, count).run(p1);
    List<Upscaled> r2 = new PartitionUpscaler(conf, op, tiling, SETTINGS, count).run(p2);
    assertThat(done[0]).isEqualTo(p1.size() + p2.size());

    ImageOutcome outA = (ImageOutcome) r1.stream().filter(u -> u.imageIndex() == 0)
        .findFirst().orElseThrow();
    assertThat(outA.ok()).as(outA.reason()).isTrue();
    assertThat(outA.tiles()).isEqualTo(ja.plan(HALO, SCALE).tiles().size());
    assertThat(outA.outputWidth()).isEqualTo(82);
    assertThat(store.read(ja.output()).tensor()).isEqualTo(expected(op, ja));

    List<TileOutput> bOut = new ArrayList<>();
    for (Upscaled u : r1) {
      if (u.imageIndex() == 1) {
        bOut.add((TileOutput) u);
      }
    }
    r2.forEach(u -> bOut.add((TileOutput) u));
    // b is a PNG: rows whole in a partition come deflated as bands, the split row as pixels
    assertThat(bOut.stream().mapToInt(TileOutput::tiles).sum()).isEqualTo(bTiles.size());
    assertThat(bOut.stream().filter(t -> t instanceof TileOutput.Band).count())
        .isEqualTo(jb.plan(HALO, SCALE).rows() - 1);
    assertThat(bOut.stream().filter(t -> t instanceof TileOutput.Pixels).count())
        .isEqualTo(columns);
    assertThat(new File(jb.output())).doesNotExist();
    ImageOutcome outB = ImageAssembler.finish(conf, tiling, SETTINGS, bOut);
    assertThat(outB.ok()).as(outB.reason()).isTrue();
    assertThat(store.read(jb.output()).tensor()).isEqualTo(expected(op, jb));
  }

  @Test
  void severalWorkersGiveTheSameImagesAndEveryTileOnce() throws Exception {
    Random rnd = new Random(5);
    Stencil op = Stencil.random(rnd, HALO, SCALE);
    Tiling tiling = new Tiling(SCALE, BorderPolicy.REFLECT, HALO, 1L << 20, 16);
    List<ImageJob> jobs = new ArrayList<>();
    List<TileTask> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // the last: tile rows of 2 x 150 output rows, deflated as sub-bands of 256 and 44 rows
      ImageTensor img = i == 4 ? TestTensors.randomImage(rnd, 3, 330, 170)
          : TestTensors.randomImage(rnd, i % 2 == 0 ? 3 : 1, 20 + 13 * i, 45 - 7 * i);
      ImageJob j = job(i, tmp.resolve("w" + i + ".png").toString(), img, i == 4 ? 150 : 16,
          i == 3);
      jobs.add(j);
      all.addAll(tasks(j));
    }
    java.util.concurrent.ConcurrentHashMap<String, Integer> seen =
        new java.util.concurrent.ConcurrentHashMap<>();
    PartitionUpscaler.Listener once = new PartitionUpscaler.Listener() {
      @Override
      public void done(ImageJob image, TileSpec tile, boolean computed) {
        seen.merge(image.index() + "/" + tile.index(), 1, Integer::sum);
      }

      @Override
      public void failed(ImageJob image, TileSpec tile) {
        throw new AssertionError("no tile fails here");
      }
    };
    List<Upscaled> out = new PartitionUpscaler(conf, op, tiling, SETTINGS, once, 3).run(all);
    assertThat(seen).hasSize(all.size()).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
    assertThat(out).hasSize(jobs.size()).allMatch(u -> u instanceof ImageOutcome o && o.ok());
    for (ImageJob j : jobs) {
      assertThat(store.read(j.output()).tensor()).as(j.output()).isEqualTo(expected(op, j));
    }
  }

  /**
   * Every worker dies of an Error its batcher does not catch (here a native library that cannot
   * load, as on a misconfigured executor): the task fails with that error instead of waiting for
   * ever to hand the next tile to a full queue nobody takes from.
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
  void whenEveryWorkerDiesTheTaskFailsWithItsErrorInsteadOfHanging() throws Exception {
    Random rnd = new Random(6);
    Stencil stencil = Stencil.random(rnd, HALO, SCALE);
    io.sparksr.partitioning.inference.TileOperator broken =
        new io.sparksr.partitioning.inference.TileOperator() {
          @Override
          public ImageTensor apply(ImageTensor tile, int scale) {
            throw new UnsatisfiedLinkError("no jnind4jcpu in java.library.path");
          }

          @Override
          public int radius() {
            return stencil.radius();
          }

          @Override
          public boolean supportsScale(int scale) {
            return scale == SCALE;
          }
        };
    Tiling tiling = new Tiling(SCALE, BorderPolicy.REFLECT, HALO, 1L << 20, 16);
    // an image of 8 x 8 tiles of 16 px (far more than the queue, 2 per worker, holds), then 30
    // small images: once the workers are dead, none of them may be read and marked failed
    List<ImageJob> jobs = new ArrayList<>();
    List<TileTask> all = new ArrayList<>();
    for (int i = 0; i < 31; i++) {
      int side = i == 0 ? 128 : 20;
      ImageJob j = job(i, tmp.resolve("many" + i + ".png").toString(),
          TestTensors.randomImage(rnd, 3, side, side), 16, false);
      jobs.add(j);
      all.addAll(tasks(j));
    }
    java.util.concurrent.atomic.AtomicInteger markedFailed =
        new java.util.concurrent.atomic.AtomicInteger();
    PartitionUpscaler.Listener count = new PartitionUpscaler.Listener() {
      @Override
      public void done(ImageJob image, TileSpec tile, boolean computed) {}

      @Override
      public void failed(ImageJob image, TileSpec tile) {
        markedFailed.incrementAndGet();
      }
    };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PartitionUpscaler(conf, broken,
        tiling, SETTINGS, count, 2).run(all))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a tile worker failed")
        .hasMessageContaining("no jnind4jcpu in java.library.path")
        .hasRootCauseInstanceOf(UnsatisfiedLinkError.class);
    assertThat(markedFailed).as("tiles read and failed after the workers died").hasValue(0);
    for (ImageJob j : jobs) {
      assertThat(new File(j.output())).doesNotExist();
    }
  }

  @Test
  void aTiledOutputIsAssembledFromItsPartFiles() throws Exception {
    Random rnd = new Random(4);
    Stencil op = Stencil.random(rnd, HALO, SCALE);
    Tiling tiling = new Tiling(SCALE, BorderPolicy.REFLECT, HALO, 1L << 20, 16);
    ImageTensor img = TestTensors.randomImage(rnd, 3, 40, 45);
    ImageJob j = job(0, tmp.resolve("t.png").toString(), img, 16, true);
    List<TileTask> all = tasks(j);
    List<Upscaled> first = new PartitionUpscaler(conf, op, tiling, SETTINGS, PartitionUpscaler.Listener.NONE)
        .run(all.subList(0, 3));
    assertThat(first).allMatch(u -> u instanceof TileOutput.Part);
    assertThat(Files.list(tmp.resolve(".parts-0"))).hasSize(3);
    List<Upscaled> rest = new PartitionUpscaler(conf, op, tiling, SETTINGS, PartitionUpscaler.Listener.NONE)
        .run(all.subList(3, all.size()));
    List<TileOutput> parts = new ArrayList<>();
    first.forEach(u -> parts.add((TileOutput) u));
    rest.forEach(u -> parts.add((TileOutput) u));
    ImageOutcome out = ImageAssembler.finish(conf, tiling, SETTINGS, parts);
    assertThat(out.ok()).as(out.reason()).isTrue();
    assertThat(out.format()).isEqualTo("tiled-tiff");
    assertThat(store.read(j.output()).tensor()).isEqualTo(expected(op, j));
    assertThat(tmp.resolve(".parts-0")).doesNotExist();
  }

  @Test
  void anUnreadableImageFailsItsTilesAndNotTheOthers() throws Exception {
    Random rnd = new Random(6);
    Stencil op = Stencil.random(rnd, HALO, SCALE);
    Tiling tiling = new Tiling(SCALE, BorderPolicy.REFLECT, HALO, 1L << 20, 16);
    ImageTensor good = TestTensors.randomImage(rnd, 3, 20, 20);
    ImageJob bad = job(0, tmp.resolve("bad.png").toString(), good, 16, false);
    Files.write(tmp.resolve("bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    ImageJob ok = job(1, tmp.resolve("ok.png").toString(), good, 16, false);
    List<TileTask> tasks = new ArrayList<>(tasks(bad));
    tasks.addAll(tasks(ok));
    List<Upscaled> out = new PartitionUpscaler(conf, op, tiling, SETTINGS, PartitionUpscaler.Listener.NONE)
        .run(tasks);
    ImageOutcome badOut = (ImageOutcome) out.get(0);
    assertThat(badOut.isFailed()).isTrue();
    assertThat(badOut.reason()).startsWith("tile 0: ").contains("bad.png");
    assertThat(new File(bad.output())).doesNotExist();
    ImageOutcome okOut = (ImageOutcome) out.get(1);
    assertThat(okOut.ok()).isTrue();
    assertThat(store.read(ok.output()).tensor()).isEqualTo(expected(op, ok));
  }
}
