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
