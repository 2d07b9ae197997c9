package io.sparksr.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.jobs.SparkSr;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The builder, and one default per option whether it comes from code, the CLI or the YAML. */
class TrainJobConfigTest {
  private static final Path ROOT =
      Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath().normalize();

  private static TrainJobConfig parse(String... args) {
    CommandLine.ParseResult pr = SparkSr.commandLine(args).parseArgs(args);
    return ((TrainCommand) pr.subcommand().commandSpec().userObject()).toConfig();
  }

  @Test
  void theBuilderRefusesAMissingRequiredValueNamingTheKey() {
    assertThatThrownBy(() -> TrainJobConfig.builder().output("/tmp/m.srm").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'data' is missing");
    assertThatThrownBy(() -> TrainJobConfig.builder().data("/tmp/d").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'output' is missing");
    assertThatThrownBy(() -> TrainJobConfig.builder().data("/tmp/d").output("/tmp/m.srm")
        .totalSteps(10).warmupSteps(10).build())
        .hasMessageContaining("'warmup-steps' is 10 but must be in [0, 'total-steps' = 10)");
  }

  @Test
  void theCommandLinesDefaultsAreTheBuilders() {
    TrainJobConfig cli = parse("train", "--data", "/tmp/d", "--output", "/tmp/m.srm");
    assertThat(cli).isEqualTo(TrainJobConfig.builder().data("/tmp/d").output("/tmp/m.srm").build());
    assertThat(cli.totalSteps()).isEqualTo(60_000);
    assertThat(cli.scales()).isEqualTo(List.of(2, 3, 4));
    assertThat(cli.fftL1Weight()).isZero();
  }

  /** --fft-l1-weight: YAML key and option, the command line winning; negative is refused. */
  @Test
  void theFftL1WeightComesFromTheYamlOrTheCommandLine(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path yaml = tmp.resolve("t.yaml");
    java.nio.file.Files.writeString(yaml, "data: /tmp/d\noutput: /tmp/m.srm\nfft-l1-weight: 0.25\n");
    assertThat(parse("train", "--config", yaml.toString()).fftL1Weight()).isEqualTo(0.25);
    assertThat(parse("train", "--config", yaml.toString(), "--fft-l1-weight", "2").fftL1Weight())
        .isEqualTo(2.0);
    assertThatThrownBy(() -> TrainJobConfig.builder().data("/tmp/d").output("/tmp/m.srm")
        .fftL1Weight(-1).build())
        .hasMessageContaining("'fft-l1-weight' is -1.0 but must be finite and >= 0");
  }

  /**
   * conf/train/default.yaml (the shipped model's recipe) states every tunable at its default:
   * only the run's paths, master and Spark settings differ from the builder's.
   */
  @Test
  void theShippedRecipeRestatesTheDefaults() {
    TrainJobConfig yaml = parse("train", "--config",
        ROOT.resolve("conf/train/default.yaml").toString());
    TrainJobConfig defaults = TrainJobConfig.builder().data(yaml.data()).output(yaml.output())
        .modelConfig(yaml.modelConfig()).val(yaml.val()).master(yaml.master())
        .sparkConf(yaml.sparkConf()).build();
    assertThat(yaml).isEqualTo(defaults);
    assertThat(yaml.totalSteps()).isEqualTo(60_000);
    assertThat(yaml.fftL1Weight()).isZero();
  }

  /** So does the cluster template deploy/spark-submit/train.yaml (paths come on the CLI). */
  @Test
  void theClusterTemplateRestatesTheDefaults() {
    TrainJobConfig yaml = parse("train", "--config",
        ROOT.resolve("deploy/spark-submit/train.yaml").toString(), "--data", "/tmp/d",
        "--output", "/tmp/m.srm");
    assertThat(yaml).isEqualTo(TrainJobConfig.builder().data("/tmp/d").output("/tmp/m.srm")
        .modelConfig(yaml.modelConfig()).val(yaml.val()).master(yaml.master())
        .sparkConf(yaml.sparkConf()).build());
  }
}
