package io.sparksr.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Every job's commented YAML in conf/ parses: all keys are options of that job. */
class ShippedConfigsTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"upscale, conf/upscale.yaml", "prepare, conf/prepare.yaml",
      "train, conf/train/default.yaml", "evaluate, conf/evaluate.yaml",
      "prepare, conf/prepare-archive.yaml", "train, conf/train/archive.yaml"})
  void parses(String job, String file) {
    Path root = Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath();
    Path yaml = root.resolve(file);
    assertThat(yaml).exists();
    String[] args = {job, "--config", yaml.toString()};
    CommandLine.ParseResult pr = SparkSr.commandLine(args).parseArgs(args);
    assertThat(pr.subcommand().commandSpec().name()).isEqualTo(job);
    // every option the file sets is a real option of the job (unknown keys would have thrown)
    assertThat(Files.isRegularFile(yaml)).isTrue();
  }
}
