package io.sparksr.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.io.HadoopFiles;
import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.SharedSpark;
import io.sparksr.jobs.prepare.PrepareJob;
import io.sparksr.jobs.prepare.PrepareJobConfig;
import io.sparksr.model.ModelBundle;
import io.sparksr.partitioning.image.ImageTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The train job on a tiny model and a tiny prepared dataset. */
public class TrainJobTest extends SharedSpark {

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  private String data;
  private String modelYaml;
  private String val;

  @Before
  public void dataset() throws Exception {
    ImageStore store = new ImageStore(new Configuration());
    String hr = tmp.newFolder("hr").getAbsolutePath();
    Random rnd = new Random(3);
    for (int i = 0; i < 3; i++) {
      float[] d = new float[3 * 48 * 48];
      for (int k = 0; k < d.length; k++) {
        int x = k % 48;
        int y = (k / 48) % 48;
        d[k] = (float) Math.max(0, Math.min(1, 0.5 + 0.4 * Math.sin(x * (0.3 + 0.1 * i) + y * 0.2)
            + 0.05 * rnd.nextGaussian()));
      }
      store.write(hr + "/i" + i + ".png", new ImageTensor(3, 48, 48, d), PixelFormat.of("png", 3, 8));
    }
    data = tmp.getRoot() + "/ds";
    PrepareJob.run(spark(), new PrepareJobConfig(List.of(hr), data, List.of(2, 3, 4), 8, 4, 0, 0,
        0.0, false, false, 0.0, "zstd", 1, false, null, Map.of(), "clean"));
    val = hr;
    Path yaml = tmp.getRoot().toPath().resolve("tiny.yaml");
    Files.writeString(yaml, "arch: igconv-plksr\nchannels: 8\nblocks: 1\nkernel-size: 5\n"
        + "split-ratio: 0.25\nattention: false\nfourier-features: 2\nmlp-dim: 8\nmlp-layers: 2\n"
        + "scales: [2, 3, 4]\nskip: bicubic\nensemble: false\n");
    modelYaml = yaml.toString();
  }

  private TrainJobConfig config(String out, boolean resume, long maxSteps, String valDir) {
    return config(out, resume, maxSteps, valDir, 0);
  }

  private TrainJobConfig config(String out, boolean resume, long maxSteps, String valDir,
      double fftL1Weight) {
    return builder(out, resume, maxSteps, valDir).fftL1Weight(fftL1Weight).build();
  }

  private TrainJobConfig.Builder builder(String out, boolean resume, long maxSteps,
      String valDir) {
    return TrainJobConfig.builder().data(data).output(out).modelConfig(modelYaml).resume(resume)
        .maxMinutes(0).maxSteps(maxSteps).totalSteps(40).batchSize(4).crop(8).lr(2e-3)
        .minLr(1e-5).warmupSteps(4).scales(List.of(2, 3, 4)).val(valDir).valEvery(5).logEvery(2)
        .checkpointMinutes(10).emaDecay(0.9).seed(11).master(null).sparkConf(Map.of());
  }

  @Test
  public void resumingContinuesTheSameTrajectory() throws Exception {
    String straight = tmp.getRoot() + "/straight.srm";
    String split = tmp.getRoot() + "/split.srm";
    TrainJobResult a = TrainJob.run(spark(), config(straight, false, 10, null));
    assertThat(a.endStep()).isEqualTo(10);
    TrainJob.run(spark(), config(split, false, 5, null));
    TrainJobResult b = TrainJob.run(spark(), config(split, true, 10, null));
    assertThat(b.startStep()).isEqualTo(5);
    assertThat(b.endStep()).isEqualTo(10);

    Configuration conf = new Configuration();
    Map<String, INDArray> wa = ModelBundle.read(conf, straight).inferenceWeights();
    Map<String, INDArray> wb = ModelBundle.read(conf, split).inferenceWeights();
    assertThat(wb.keySet()).isEqualTo(wa.keySet());
    for (String k : wa.keySet()) {
      assertThat(wb.get(k).equalsWithEps(wa.get(k), 1e-5)).as(k).isTrue();
    }
    // the weights did move
    assertThat(ModelBundle.read(conf, tmp.getRoot() + "/split.srm").metadata().training()
        .iteration()).isEqualTo(10);
  }

  /**
   * A resume takes the bundle's seed (its batch sequence), not the command line's: a run resumed
   * with another --seed ends where the straight run ends, and the differing option is named.
   */
  @Test
  public void aResumeKeepsTheBundlesSeedAndNamesTheOptionsItDoesNotTake() throws Exception {
    String straight = tmp.getRoot() + "/seed-straight.srm";
    String split = tmp.getRoot() + "/seed-split.srm";
    TrainJob.run(spark(), config(straight, false, 8, null));
    TrainJob.run(spark(), config(split, false, 4, null));
    TrainJobConfig other = builder(split, true, 8, null).seed(12).lr(1e-4).build();
    TrainJob.run(spark(), other);
    Configuration conf = new Configuration();
    Map<String, INDArray> wa = ModelBundle.read(conf, straight).inferenceWeights();
    Map<String, INDArray> wb = ModelBundle.read(conf, split).inferenceWeights();
    for (String k : wa.keySet()) {
      assertThat(wb.get(k).equalsWithEps(wa.get(k), 1e-5)).as(k).isTrue();
    }
    assertThat(TrainJob.resumeIgnores(ModelBundle.read(conf, split).metadata().training()
        .options(), other)).containsExactly("seed 11, not --seed 12", "lr 0.002, not --lr 1.0E-4");
    // a schedule cannot be run past its end by --max-steps
    assertThatThrownBy(() -> TrainJob.run(spark(), builder(split, true, 41, null)
        .totalSteps(60).build())).hasMessageContaining("'max-steps' is 41")
        .hasMessageContaining("(40)");
  }

  /**
   * A resumed run: its best validation so far comes from the curve (a worse one after the resume
   * does not replace .best.srm); a checkpoint saved at a validation step without its validation
   * (here: a first run without validation) is validated first; the curve's minutes never go back.
   */
  @Test
  public void aResumeKeepsTheBestValidationTheCurveClockAndValidatesAMissedStep()
      throws Exception {
    Configuration conf = new Configuration();
    String out = tmp.getRoot() + "/best.srm";
    TrainJob.run(spark(), config(out, false, 5, null));
    TrainJob.run(spark(), config(out, true, 7, val));
    List<String> rows = HadoopFiles.readText(conf, out + ".curve.csv").lines().toList();
    List<String> validated = rows.stream().skip(1).filter(r -> !r.endsWith(",,,"))
        .map(r -> r.substring(0, r.indexOf(','))).toList();
    assertThat(validated).containsExactly("5", "7");
    double last = -1;
    for (String r : rows.subList(1, rows.size())) {
      double minutes = Double.parseDouble(r.split(",")[1]);
      assertThat(minutes).as(r).isGreaterThanOrEqualTo(last);
      last = minutes;
    }
    // the bundle's wall time is the curve's clock
    assertThat(ModelBundle.read(conf, out).metadata().provenance().wallTimeSeconds() / 60)
        .isCloseTo(last, org.assertj.core.api.Assertions.within(0.01));
    // the step-5 validation made the best: 99 dB (edited in) is not beaten at step 10
    String edited = String.join("\n", rows.stream().map(r -> r.startsWith("5,")
        ? r.replaceAll(",[^,]*,[^,]*,[^,]*$", ",99,99,99") : r).toList()) + "\n";
    HadoopFiles.writeText(conf, out + ".curve.csv", edited);
    long bestStep = ModelBundle.read(conf, out + ".best.srm").metadata().training().iteration();
    TrainJob.run(spark(), config(out, true, 10, val));
    assertThat(ModelBundle.read(conf, out + ".best.srm").metadata().training().iteration())
        .isEqualTo(bestStep);
  }

  /**
   * Checks that a run trained with FFT-L1 weight {@code w} says so in its summary and bundle and
   * that its curve has the fft_l1 column; returns the curve's lines.
   */
  private static List<String> recordedFftL1Curve(TrainJobResult r, String out, double w)
      throws Exception {
    assertThat(r.summary()).contains("loss: L1 + " + w + " x FFT-L1");
    Configuration conf = new Configuration();
    assertThat(ModelBundle.read(conf, out).metadata().training().options().fftL1Weight())
        .isEqualTo(w);
    List<String> rows = HadoopFiles.readText(conf, out + ".curve.csv").lines().toList();
    assertThat(rows.get(0)).isEqualTo(TrainingCurve.HEADER + ",fft_l1");
    return rows;
  }

  /** --fft-l1-weight reaches the trainer: bundle metadata, the curve's fft_l1 column, summary. */
  @Test
  public void theFftL1WeightIsRecordedInTheBundleTheCurveAndTheSummary() throws Exception {
    String out = tmp.getRoot() + "/fft.srm";
    TrainJobResult r = TrainJob.run(spark(), config(out, false, 4, null, 0.3));
    assertThat(r.endStep()).isEqualTo(4);
    List<String> rows = recordedFftL1Curve(r, out, 0.3);
    assertThat(rows).hasSize(3);
    for (String row : rows.subList(1, 3)) {
      String[] cells = row.split(",", -1);
      double loss = Double.parseDouble(cells[2]);
      double fft = Double.parseDouble(cells[8]);
      assertThat(fft).isPositive();
      assertThat(loss).isGreaterThan(0.3 * fft);
    }
  }

  /**
   * --fft-l1-weight on --resume of a run trained without the term turns it on from the next step:
   * the bundle and the summary say so, the curve gains the fft_l1 column for the new rows only, and
   * a later resume without the option keeps the term.
   */
  @Test
  public void aResumeTurnsTheFftL1TermOnFromTheNextStep() throws Exception {
    String out = tmp.getRoot() + "/late-fft.srm";
    TrainJob.run(spark(), config(out, false, 4, null));
    TrainJobResult r = TrainJob.run(spark(), config(out, true, 8, null, 0.3));
    assertThat(r.startStep()).isEqualTo(4);
    List<String> rows = recordedFftL1Curve(r, out, 0.3);
    assertThat(rows.stream().filter(row -> row.startsWith("2,") || row.startsWith("4,")))
        .hasSize(2).allSatisfy(row -> assertThat(row).endsWith(","));
    assertThat(rows.stream().filter(row -> row.startsWith("6,") || row.startsWith("8,")))
        .hasSize(2).allSatisfy(row -> assertThat(Double.parseDouble(
            row.substring(row.lastIndexOf(',') + 1))).isPositive());
    TrainJobResult kept = TrainJob.run(spark(), config(out, true, 10, null));
    assertThat(kept.summary()).contains("loss: L1 + 0.3 x FFT-L1");
  }

  @Test
  public void validatesWritesTheCurveAndRefusesToOverwrite() throws Exception {
    String out = tmp.getRoot() + "/v.srm";
    TrainJobResult r = TrainJob.run(spark(), config(out, false, 6, val));
    assertThat(r.validation()).containsOnlyKeys(2, 3, 4);
    r.validation().values().forEach(p -> assertThat(p).isBetween(10.0, 60.0));
    Configuration conf = new Configuration();
    String csv = HadoopFiles.readText(conf, out + ".curve.csv");
    assertThat(csv.lines().findFirst().orElseThrow()).isEqualTo(TrainingCurve.HEADER);
    assertThat(csv.lines().count()).isGreaterThan(3);
    assertThat(new ImageStore(conf).info(out + ".curve.png").width()).isEqualTo(900);
    // the best validation so far is kept as an inference-only bundle
    ModelBundle best = ModelBundle.read(conf, out + ".best.srm");
    assertThat(best.resumable()).isFalse();
    assertThat(best.metadata().training().iteration()).isBetween(5L, 6L);
    assertThatThrownBy(() -> TrainJob.run(spark(), config(out, false, 6, null)))
        .hasMessageContaining("exists: pass --resume");
  }
}
