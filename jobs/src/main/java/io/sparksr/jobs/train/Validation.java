package io.sparksr.jobs.train;

import io.sparksr.io.ImageStore;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.inference.TileUpscaler;
import io.sparksr.partitioning.metrics.MetricAccumulator;
import io.sparksr.partitioning.metrics.Metrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * Full-image validation by the literature's protocol: modcrop, MATLAB-bicubic LR rounded to
 * uint8, super-resolve the whole image (through the tiling rules, one tile), PSNR/SSIM on Y with
 * border = scale, mean over images.
 */
final class Validation {

  /** One HR image with its LR input at one scale. */
  record Pair(String name, int scale, ImageTensor hr, ImageTensor lr) {}

  private final List<Pair> pairs;

  private Validation(List<Pair> pairs) {
    this.pairs = pairs;
  }

  static Validation load(Configuration conf, String dir, List<Integer> scales) throws IOException {
    ImageStore store = new ImageStore(conf);
    List<Pair> pairs = new ArrayList<>();
    for (String f : store.expand(List.of(dir))) {
      ImageTensor hr0 = store.read(f).tensor().toRgb();
      for (int s : scales) {
        ImageTensor hr = Resize.modcrop(hr0, s);
        ImageTensor lr = Resize.cleanLr(hr, s);
        pairs.add(new Pair(f.substring(f.lastIndexOf('/') + 1), s, hr, lr));
      }
    }
    return new Validation(pairs);
  }

  /** Mean PSNR/SSIM per scale of {@code op} (whole-image inference with halo = its radius). */
  Map<Integer, MetricAccumulator.Result> evaluate(TileOperator op) {
    Map<Integer, MetricAccumulator> acc = new TreeMap<>();
    for (Pair p : pairs) {
      ImageTensor sr = TileUpscaler.upscaleWhole(op, p.lr(), p.scale(), op.radius(),
          op.defaultBorder());
      acc.computeIfAbsent(p.scale(), k -> new MetricAccumulator())
          .add(Metrics.score(sr, p.hr(), p.scale()));
    }
    Map<Integer, MetricAccumulator.Result> out = new TreeMap<>();
    acc.forEach((s, a) -> out.put(s, a.result()));
    return out;
  }

  int size() {
    return pairs.size();
  }
}
