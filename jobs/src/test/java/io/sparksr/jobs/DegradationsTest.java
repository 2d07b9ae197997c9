package io.sparksr.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.degrade.DegradationSpec;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** Degradation presets from YAML: the shipped ones, the last order's rules, clear errors. */
class DegradationsTest {

  @Test
  void theShippedPresetsLoad() throws Exception {
    assertThat(Degradations.load("clean", new Configuration()).isClean()).isTrue();
    DegradationSpec archive = Degradations.load("archive", new Configuration());
    assertThat(archive.isClean()).isFalse();
    // the last order carries the LR-size noise and the file's last JPEG
    assertThat(archive.last().gaussianProb()).isGreaterThan(0);
    assertThat(archive.last().jpegProb()).isGreaterThan(0);
    assertThat(archive.last().resizeUp() + archive.last().resizeDown()).isZero();
  }

  @Test
  void theLastOrderCannotResize() {
    String yaml = "name: x\nfirst: {jpeg-prob: 0.5}\nlast: {resize-down: 0.5, down: [0.5, 1]}\n";
    assertThatThrownBy(() -> Degradations.parse(yaml, "x.yaml"))
        .hasMessageContaining("'last' is applied at the LR size and cannot resize");
  }

  @Test
  void theFormerFinalJpegKeysSayWhereTheyWent() {
    String yaml = "name: x\nfirst: {jpeg-prob: 0.5}\nfinal-jpeg-prob: 0.8\nfinal-jpeg: [45, 95]\n";
    assertThatThrownBy(() -> Degradations.parse(yaml, "old.yaml"))
        .hasMessageContaining("old.yaml")
        .hasMessageContaining("'jpeg' and 'jpeg-prob' of the order 'last'");
  }

  @Test
  void unknownKeysInTheLastOrderAreNamed() {
    String yaml = "name: x\nlast: {gausian-prob: 0.5}\n";
    assertThatThrownBy(() -> Degradations.parse(yaml, "typo.yaml"))
        .hasMessageContaining("typo.yaml 'last'").hasMessageContaining("gausian-prob");
  }
}
