package io.sparksr.jobs.evaluate;

import io.sparksr.io.DecodedImage;
import io.sparksr.io.Failures;
import io.sparksr.io.HadoopConf;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.partitioning.degrade.LrDegradation;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.SelfEnsemble;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.metrics.Metrics;
import io.sparksr.partitioning.tiling.Rect;
import io.sparksr.pipeline.OperatorCache;
import io.sparksr.pipeline.TensorUpscaler;
import io.sparksr.pipeline.Tiling;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/** The per-record steps of the evaluate job: small serializable classes with explicit fields. */
final class EvaluateFunctions {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateFunctions.class);

  private EvaluateFunctions() {}

  /**
   * Evaluates the units of a partition. Consecutive units of one image share one decode, and the
   * units of one image and scale share its modcropped HR and LR. Anything that goes wrong with an
   * image or a model becomes failed rows, never a failed task.
   */
  static final class EvaluateUnits
      implements FlatMapFunction<Iterator<List<EvalUnit>>, EvalResult> {
    private final Broadcast<HadoopConf> conf;
    private final String runId;
    private final String output;
    private final Map<String, String> modelSha256;

    /**
     * @param output      qualified output folder (crop panels go under {@code crops/})
     * @param modelSha256 per model, the SHA-256 of the weights the driver loaded ("" for a
     *                    built-in operator)
     */
    EvaluateUnits(Broadcast<HadoopConf> conf, String runId, String output,
        Map<String, String> modelSha256) {
      this.conf = conf;
      this.runId = runId;
      this.output = output;
      this.modelSha256 = Map.copyOf(modelSha256);
    }

    @Override
    public Iterator<EvalResult> call(Iterator<List<EvalUnit>> groups) {
      ImageStore store = new ImageStore(conf.value().get());
      List<EvalResult> out = new ArrayList<>();
      while (groups.hasNext()) {
        List<EvalUnit> units = groups.next();
        int i = 0;
        while (i < units.size()) {
          int j = i;
          while (j < units.size() && units.get(j).path().equals(units.get(i).path())) {
            j++;
          }
          evaluateImage(store, units.subList(i, j), out);
          i = j;
        }
      }
      return out.iterator();
    }

    private void evaluateImage(ImageStore store, List<EvalUnit> units, List<EvalResult> out) {
      ImageTensor decoded;
      try {
        decoded = withoutAlpha(store.read(units.get(0).path()));
      } catch (Exception e) {
        String why = Failures.reason(e);
        for (EvalUnit u : units) {
          u.settings().forEach(s -> out.add(EvalResult.failed(runId, u, s, why)));
        }
        return;
      }
      Map<Integer, Pair> pairs = new HashMap<>();
      for (EvalUnit u : units) {
        Pair p;
        try {
          p = pairs.computeIfAbsent(u.scale(), s -> Pair.of(decoded, s));
        } catch (Exception e) {
          String why = Failures.reason(e);
          u.settings().forEach(s -> out.add(EvalResult.failed(runId, u, s, why)));
          continue;
        }
        evaluateUnit(store, u, p, out);
      }
    }

    private void evaluateUnit(ImageStore store, EvalUnit u, Pair p, List<EvalResult> out) {
      TileOperator op;
      try {
        op = OperatorCache.get(u.model(), conf.value().get());
        String sha = OperatorCache.sha256(op);
        String expected = modelSha256.get(u.model());
        if (expected != null && !expected.equals(sha)) {
          throw new IllegalStateException("model '" + u.model() + "' changed during the run: the "
              + "driver loaded SHA-256 " + expected + ", this executor " + sha);
        }
        if (!op.supportsScale(u.scale())) {
          throw new IllegalArgumentException("model '" + u.model() + "' does not serve scale "
              + u.scale());
        }
        OperatorCache.warmUp(u.model(), op, u.scale(), p.lr().channels());
      } catch (Exception e) {
        String why = Failures.reason(e);
        u.settings().forEach(s -> out.add(EvalResult.failed(runId, u, s, why)));
        return;
      }
      Map<String, ImageTensor> degraded = new HashMap<>();
      if (!u.referenceCrops().isEmpty()) {
        writeReferenceCrops(store, u, p, degraded);
      }
      for (Setting s : u.settings()) {
        try {
          TileOperator run = s.selfEnsemble() ? new SelfEnsemble(op) : op; // one load per unit
          ImageTensor lr = degradedLr(u, p, s.degradation(), degraded);
          long t0 = System.nanoTime(); // the super-resolution alone, not the degradation
          TensorUpscaler.Output sr = TensorUpscaler.upscale(run, lr, u.scale(), s.tileSize(),
              op.radius(), op.defaultBorder(), (long) Tiling.DEFAULT_BATCH_MEMORY_MB << 20);
          double seconds = (System.nanoTime() - t0) / 1e9;
          Metrics.Score score = Metrics.score(sr.image(), p.hr(), u.scale());
          if (u.crops() && !ModelNames.isBicubic(u.model())) {
            writeModelCrop(store, u, s, p, sr.image());
          }
          out.add(EvalResult.builder().runId(runId).unit(u).setting(s).psnr(score.psnr())
              .ssim(score.ssim()).seconds(seconds).hrWidth(p.hr().width())
              .hrHeight(p.hr().height()).lrWidth(p.lr().width()).lrHeight(p.lr().height())
              .channels(p.hr().channels()).tiles(sr.tiles())
              .finishedAt(System.currentTimeMillis()).build());
        } catch (Exception e) {
          out.add(EvalResult.failed(runId, u, s, Failures.reason(e)));
        }
      }
    }

    /**
     * The unit's LR under a degradation, made once per unit (the same for every setting and
     * run: noise is seeded by the image's key) and kept in {@code cache} by degradation name.
     */
    private static ImageTensor degradedLr(EvalUnit u, Pair p, LrDegradation d,
        Map<String, ImageTensor> cache) {
      return cache.computeIfAbsent(d.name(), n ->
          d.apply(p.lr(), u.dataset() + "/" + u.image() + "/" + u.scale()));
    }

    /**
     * The HR panel and the MATLAB-bicubic panel of each of the unit's reference LRs (clean and
     * degraded), for its image and scale. The panels are illustrations: a failed write is logged
     * and does not cost the unit its metrics.
     */
    private void writeReferenceCrops(ImageStore store, EvalUnit u, Pair p,
        Map<String, ImageTensor> degraded) {
      try {
        writePanel(store, u, CropPanels.HR, p.hr().crop(p.crop()));
        for (LrDegradation d : u.referenceCrops()) {
          ImageTensor bicubic = Resize.imresize(degradedLr(u, p, d, degraded), u.scale());
          writePanel(store, u, CropPanels.bicubicPanel(d.name()),
              Quantized.of(bicubic, 8).toTensor().crop(p.crop()));
        }
      } catch (Exception e) {
        LOG.warn("cannot write the reference crops of {} x{}: {}", u.path(), u.scale(),
            Failures.reason(e));
      }
    }

    /** The panel of a model's output under one setting (logged, not fatal, if it fails). */
    private void writeModelCrop(ImageStore store, EvalUnit u, Setting s, Pair p,
        ImageTensor sr) {
      try {
        writePanel(store, u, CropPanels.modelPanel(u.model(), s.name()), sr.crop(p.crop()));
      } catch (Exception e) {
        LOG.warn("cannot write the {} crop of {} x{}: {}", u.model(), u.path(), u.scale(),
            Failures.reason(e));
      }
    }

    private void writePanel(ImageStore store, EvalUnit u, String panel, ImageTensor pixels)
        throws IOException {
      String path = output + "/" + CropPanels.relativePath(u.dataset(), u.image(), u.scale(),
          panel);
      store.write(path, pixels, PixelFormat.of("png", pixels.channels(), 8));
    }
  }

  /**
   * The modcropped HR image, its LR input (MATLAB bicubic by 1/scale, rounded to 8 bits as an LR
   * file would be) and the crop region of the report.
   */
  record Pair(ImageTensor hr, ImageTensor lr, Rect crop) {
    static Pair of(ImageTensor decoded, int scale) {
      ImageTensor hr = Resize.modcrop(decoded, scale);
      ImageTensor lr = Resize.cleanLr(hr, scale);
      return new Pair(hr, lr, CropPanels.pick(hr));
    }
  }

  /** Colour or grey as decoded, alpha dropped (grey stays grey: it is scored on its grey value). */
  static ImageTensor withoutAlpha(DecodedImage d) {
    ImageTensor t = d.tensor();
    return switch (t.channels()) {
      case 2 -> t.channels(0, 1);
      case 4 -> t.channels(0, 3);
      default -> t;
    };
  }

  // ---------------------------------------------------------------------------------------------
  // results.parquet rows and the summary

  /** A Parquet row to an {@link EvalResult}. */
  static final class FromRow implements Function<Row, EvalResult> {
    @Override
    public EvalResult call(Row r) {
      return EvalResult.fromRow(r);
    }
  }

  /** Keys a result by what identifies it. */
  static final class ByResultKey implements PairFunction<EvalResult, ResultKey, EvalResult> {
    @Override
    public Tuple2<ResultKey, EvalResult> call(EvalResult r) {
      return new Tuple2<>(r.key(), r);
    }
  }

  /** Of two rows with one key, the one that counts ({@link EvalResult#preferred}). */
  static final class Preferred implements Function2<EvalResult, EvalResult, EvalResult> {
    @Override
    public EvalResult call(EvalResult a, EvalResult b) {
      return EvalResult.preferred(a, b);
    }
  }

  /** Keys a result by its summary row. */
  static final class BySummaryKey implements PairFunction<EvalResult, SummaryKey, EvalResult> {
    @Override
    public Tuple2<SummaryKey, EvalResult> call(EvalResult r) {
      return new Tuple2<>(r.summaryKey(), r);
    }
  }

  static final class AddResult implements Function2<EvalAccumulator, EvalResult, EvalAccumulator> {
    @Override
    public EvalAccumulator call(EvalAccumulator acc, EvalResult r) {
      return acc.add(r);
    }
  }

  static final class MergeAccumulators
      implements Function2<EvalAccumulator, EvalAccumulator, EvalAccumulator> {
    @Override
    public EvalAccumulator call(EvalAccumulator a, EvalAccumulator b) {
      return a.merge(b);
    }
  }

  /** Keeps the rows that count in this run ({@link Provenance#staleReason} is null). */
  static final class IsCurrent implements Function<EvalResult, Boolean> {
    private final Provenance provenance;

    IsCurrent(Provenance provenance) {
      this.provenance = provenance;
    }

    @Override
    public Boolean call(EvalResult r) {
      return provenance.staleReason(r) == null;
    }
  }

  /** Why a row does not count in this run ("" when it does). */
  static final class StaleReason implements Function<EvalResult, String> {
    private final Provenance provenance;

    StaleReason(Provenance provenance) {
      this.provenance = provenance;
    }

    @Override
    public String call(EvalResult r) {
      String why = provenance.staleReason(r);
      return why == null ? "" : why;
    }
  }

  /** The SHA-256 of an HR file's bytes. */
  static final class FileSha256 implements Function<String, String> {
    private final Broadcast<HadoopConf> conf;

    FileSha256(Broadcast<HadoopConf> conf) {
      this.conf = conf;
    }

    @Override
    public String call(String path) throws IOException {
      return io.sparksr.io.HadoopFiles.sha256(conf.value().get(), path);
    }
  }

  /** Keeps the rows that were computed (not failed). */
  static final class IsOk implements Function<EvalResult, Boolean> {
    @Override
    public Boolean call(EvalResult r) {
      return r.ok();
    }
  }
}
