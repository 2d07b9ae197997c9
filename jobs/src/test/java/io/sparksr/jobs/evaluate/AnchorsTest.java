package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The published-numbers file: the shipped one loads, malformed ones are refused clearly. */
class AnchorsTest {

  static Path shipped() {
    return Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath()
        .resolve(EvaluateCommand.DEFAULT_ANCHORS);
  }

  static Anchors load() throws Exception {
    return Anchors.parse(Files.readString(shipped()), shipped().toString());
  }

  @Test
  void theShippedFileHasTheClassicBaselinesWithTheirSources() throws Exception {
    Anchors a = load();
    assertThat(a.version()).isGreaterThanOrEqualTo(1);
    assertThat(a.methods()).contains("Bicubic", "FSRCNN", "VDSR");
    List<Anchors.Anchor> set5x2 = a.of("set5", 2);
    assertThat(set5x2).extracting(Anchors.Anchor::method).containsExactly("Bicubic", "FSRCNN",
        "VDSR");
    assertThat(set5x2.get(0)).isEqualTo(new Anchors.Anchor("Bicubic", "Set5", 2, 33.66, 0.9299,
        "vdsr"));
    assertThat(a.of("B100", 4)).extracting(Anchors.Anchor::psnr).containsExactly(25.96, 26.98,
        27.29);
    assertThat(a.of("Set14", 3).get(1).ssim()).as("FSRCNN x3 SSIM is not recorded").isNull();
    for (Anchors.Anchor x : a.anchors()) {
      assertThat(a.sources()).containsKey(x.source());
    }
    assertThat(a.sources().get("vdsr").citation()).contains("CVPR 2016");
    assertThat(a.of("Urban100", 2)).isEmpty();
  }

  private static String err(String yaml) {
    try {
      Anchors.parse(yaml, "t.yaml");
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void malformedFilesAreRefusedNamingTheKeyTheValueAndTheRule() {
    String head = "version: 1\nsources:\n  p: {citation: Paper}\nmethods:\n";
    assertThat(err(head + "  - {method: M, source: p, results: {Set5: {x2: 3.5}}}"))
        .contains("t.yaml").contains("Set5.x2").contains("PSNR is 3.5 but must be in (10, 60)");
    assertThat(err(head + "  - {method: M, source: q, results: {}}"))
        .contains("'source' is 'q' but must be one of the sources [p]");
    assertThat(err(head + "  - {method: M, source: p, results: {Set5: {2: 30}}}"))
        .contains("scale key is '2' but must be x2 .. x9");
    assertThat(err(head + "  - {method: M, source: p, results: {Set5: {x2: 30/1.5}}}"))
        .contains("SSIM is 1.5 but must be in (0, 1]");
    assertThat(err(head + "  - {method: M, source: p, result: {}}"))
        .contains("unknown key(s) [result]");
    assertThat(err("version: 1\nsources: {}\nmethods: []\nextra: 1\n"))
        .contains("unknown key(s) [extra]");
    assertThat(err("sources: {}\nmethods: []\n")).contains("'version' is null");
    assertThat(err("version: 1\nsources:\n  p: {url: x}\nmethods: []\n"))
        .contains("'citation' is missing");
  }
}
