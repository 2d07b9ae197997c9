package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.jobs.evaluate.EvalPlanner.DatasetImages;
import io.sparksr.partitioning.degrade.LrDegradation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which rows of earlier runs count in a run, and why the others do not. */
class ProvenanceTest {
  private static final LrDegradation JPEG75 = new LrDegradation("jpeg75",
      List.of(new LrDegradation.Op("jpeg", 75, 0)));
  private static final Provenance RUN = Provenance.of(Map.of("m.srm", "w1", "bicubic", ""),
      List.of(new DatasetImages("Set5", List.of("file:/d/a.png"), List.of("h-a"))),
      List.of(new Setting(0, false), new Setting(0, false, JPEG75)));

  private static EvalResult row(String dataset, String model, String modelSha, String hrSha,
      Setting s) {
    return EvalResult.builder().runId("r").dataset(dataset).image("a.png").path("file:/d/a.png")
        .scale(2).model(model).setting(s).error("not scored").finishedAt(1L)
        .modelSha256(modelSha).hrSha256(hrSha).build();
  }

  @Test
  void aRowCountsOnlyIfWeightsHrBytesAndDegradationStepsAreThisRuns() {
    Setting clean = new Setting(0, false);
    Setting jpeg = new Setting(0, false, JPEG75);
    assertThat(RUN.staleReason(row("Set5", "m.srm", "w1", "h-a", clean))).isNull();
    assertThat(RUN.staleReason(row("Set5", "m.srm", "w1", "h-a", jpeg))).isNull();
    assertThat(RUN.staleReason(row("Set5", "bicubic", "", "h-a", clean))).isNull();
    assertThat(RUN.staleReason(row("Set5", "m.srm", "w0", "h-a", clean)))
        .isEqualTo(Provenance.MODEL_CHANGED);
    assertThat(RUN.staleReason(row("Set5", "m.srm", null, "h-a", clean)))
        .isEqualTo(Provenance.MODEL_UNKNOWN);
    assertThat(RUN.staleReason(row("Set5", "m.srm", "w1", "h-other", clean)))
        .isEqualTo(Provenance.HR_CHANGED);
    // jpeg75 computed under an earlier definition of that name
    Setting jpeg90 = new Setting(0, false, new LrDegradation("jpeg75",
        List.of(new LrDegradation.Op("jpeg", 90, 0))));
    assertThat(RUN.staleReason(row("Set5", "m.srm", "w1", "h-a", jpeg90)))
        .isEqualTo(Provenance.LR_CHANGED);
    EvalResult gone = EvalResult.builder().runId("r").dataset("Set5").image("z.png")
        .path("file:/d/z.png").scale(2).model("m.srm").setting(clean).error("x").finishedAt(1L)
        .modelSha256("w1").hrSha256("h-z").build();
    assertThat(RUN.staleReason(gone)).isEqualTo(Provenance.HR_GONE);
  }

  @Test
  void rowsOfModelsAndDataSetsThisRunDoesNotNameAreTakenAsTheyAre() {
    Setting clean = new Setting(0, false);
    assertThat(RUN.staleReason(row("Set14", "other.srm", null, null, clean))).isNull();
    // another model on this run's data set: its HR bytes must still be this run's
    assertThat(RUN.staleReason(row("Set5", "other.srm", null, "h-old", clean)))
        .isEqualTo(Provenance.HR_CHANGED);
    // this run's model on another data set: its weights must still be this run's
    assertThat(RUN.staleReason(row("Set14", "m.srm", "w0", null, clean)))
        .isEqualTo(Provenance.MODEL_CHANGED);
  }
}
