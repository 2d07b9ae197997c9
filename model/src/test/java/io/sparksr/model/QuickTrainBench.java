package io.sparksr.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparksr.io.ImageStore;
import io.sparksr.model.arch.Architecture;
import io.sparksr.model.arch.Architectures;
import io.sparksr.model.arch.IgConvPlksrConfig;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.TileUpscaler;
import io.sparksr.partitioning.metrics.Metrics;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;

/**
 * A short A/B training run per config variant on T91 patches, scored on Set5 (PSNR-Y, border =
 * scale) against bicubic: for choices such as the skip (bicubic vs nearest) or attention, where
 * convergence speed under a small CPU budget is what matters. Not a unit test.
 * <pre>
 * java ... io.sparksr.model.QuickTrainBench ../shared/datasets steps batch patch variant...
 *   variant = comma-separated key=value over conf/model/default.yaml, or "default"
 *   e.g. default skip=nearest attention=false channels=48
 * </pre>
 */
public final class QuickTrainBench {
  private QuickTrainBench() {}

  public static void main(String[] args) throws Exception {
    NativeBackend.configure();
    File data = new File(args[0]);
    int steps = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    int patch = Integer.parseInt(args[3]);
    ImageStore store = new ImageStore(new Configuration());
    List<ImageTensor> train = load(store, new File(data, "T91"));
    List<ImageTensor> test = load(store, new File(data, "Set5"));
    System.out.printf("# %d train images, %d test images, %d steps of %d x %dpx%n", train.size(),
        test.size(), steps, batch, patch);
    ObjectMapper json = new ObjectMapper();
    for (String variant : Arrays.asList(args).subList(4, args.length)) {
      ObjectNode spec = Architectures.toSpec(
          new io.sparksr.model.arch.IgConvPlksr(IgConvPlksrConfig.defaults()));
      if (!variant.equals("default")) {
        for (String kv : variant.split(",")) {
          String[] p = kv.split("=");
          spec.set(p[0], json.readTree(p[1].matches("[0-9.]+|true|false") ? p[1]
              : "\"" + p[1] + "\""));
        }
      }
      Architecture arch = Architectures.fromSpec(spec);
      SrTrainer t = SrTrainer.create(arch, new TrainOptions(1, 1e-3, 1e-4, Math.max(1, steps / 20),
          steps, 0.9, 0.99, 1e-8, 0));
      Random rnd = new Random(7);
      List<TrainBatch> batches = new ArrayList<>();
      for (int i = 0; i < steps; i++) {
        batches.add(sample(train, 2 + i % 3, batch, patch, rnd));
      }
      long t0 = System.nanoTime();
      SrTrainer.FitResult fr = t.fit(batches.iterator(), (it, s, loss, fft, lr) -> {
        if (it % 25 == 0) {
          System.out.printf(Locale.ROOT, "  step %d x%d loss %.4f lr %.2e %.1fs%n", it, s, loss, lr,
              (System.nanoTime() - t0) / 1e9);
        }
      });
      SrModel m = t.model();
      StringBuilder sb = new StringBuilder();
      for (int s : List.of(2, 3, 4)) {
        double bic = 0;
        double mod = 0;
        for (ImageTensor hr0 : test) {
          ImageTensor hr = Resize.modcrop(hr0, s);
          ImageTensor lr = Resize.imresize(hr, 1.0 / s);
          bic += Metrics.psnrY(Resize.imresize(lr, s), hr, s);
          mod += Metrics.psnrY(TileUpscaler.upscaleWhole(m, lr, s, m.radius(), m.defaultBorder()),
              hr, s);
        }
        sb.append(String.format(Locale.ROOT, " x%d %.2f (bicubic %.2f)", s, mod / test.size(),
            bic / test.size()));
      }
      System.out.printf(Locale.ROOT, "%-30s %.1f patches/s, last loss %.4f, Set5:%s%n", variant,
          steps * batch / fr.seconds(), fr.lastLoss(), sb);
    }
  }

  private static List<ImageTensor> load(ImageStore store, File dir) throws Exception {
    List<ImageTensor> out = new ArrayList<>();
    File[] files = dir.listFiles((d, n) -> n.endsWith(".png") || n.endsWith(".bmp"));
    Arrays.sort(files);
    for (File f : files) {
      ImageTensor t = store.read(f.getAbsolutePath()).tensor();
      if (t.channels() == 3) {
        out.add(t);
      }
    }
    return out;
  }

  private static TrainBatch sample(List<ImageTensor> images, int s, int batch, int p,
      Random rnd) {
    float[] lr = new float[batch * p * p * 3];
    float[] hr = new float[batch * p * p * s * s * 3];
    int hp = p * s;
    for (int b = 0; b < batch; b++) {
      ImageTensor img;
      do {
        img = images.get(rnd.nextInt(images.size()));
      } while (img.width() < hp || img.height() < hp);
      int x = rnd.nextInt(img.width() - hp + 1);
      int y = rnd.nextInt(img.height() - hp + 1);
      ImageTensor h = img.crop(new io.sparksr.partitioning.tiling.Rect(x, y, hp, hp));
      ImageTensor l = Resize.imresize(h, 1.0 / s);
      System.arraycopy(TestModels.nhwc(l), 0, lr, b * p * p * 3, p * p * 3);
      System.arraycopy(TestModels.nhwc(h), 0, hr, b * hp * hp * 3, hp * hp * 3);
    }
    return new TrainBatch(s, batch, p, p, lr, hr);
  }
}
