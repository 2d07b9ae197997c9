package io.sparksr.jobs.upscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.jobs.SparkSr;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Option parsing, YAML config and validation, before any Spark starts. */
class UpscaleCommandTest {

  @TempDir
  Path dir;

  private static UpscaleJobConfig parse(String... args) {
    UpscaleCommand cmd = new UpscaleCommand();
    SparkSr.configured(cmd).parseArgs(args);
    return cmd.toConfig();
  }

  @Test
  void defaultsComeFromTheModel() {
    UpscaleJobConfig c = parse("--input", "a.png,b/", "--output", "out", "--scale", "3",
        "--model", "bicubic");
    assertThat(c.inputs()).containsExactly("a.png", "b/");
    assertThat(c.halo()).isEqualTo(2);
    assertThat(c.border()).isEqualTo(BorderPolicy.SYMMETRIC);
    assertThat(c.tileSize()).isEqualTo(UpscaleJobConfig.AUTO_TILE_SIZE);
    assertThat(c.model()).isEqualTo("bicubic");
    // without --model: the shipped network, its receptive-field radius as the halo
    UpscaleJobConfig d = parse("--input", "a.png", "--output", "out");
    assertThat(d.model()).isEqualTo("default");
    assertThat(d.halo()).isEqualTo(38);
  }

  /** tile-size 0: the largest of 512, 256, 128 (>= 2 halo) that gives every task slot a tile. */
  @Test
  void autoTileSizeIsTheLargestThatKeepsEveryTaskSlotBusy() {
    java.util.function.Function<int[][], java.util.List<int[]>> l = java.util.List::of;
    // 1024^2: 4 tiles of 512 for 2 slots
    assertThat(UpscaleJobConfig.autoTileSize(l.apply(new int[][] {{1024, 1024}}), 38, 2))
        .isEqualTo(512);
    // 512^2: 1 tile of 512 < 2 slots, 4 of 256
    assertThat(UpscaleJobConfig.autoTileSize(l.apply(new int[][] {{512, 512}}), 2, 2))
        .isEqualTo(256);
    // 2000 x 1920 on 200 slots: 16 tiles of 512, 64 of 256, 240 of 128
    assertThat(UpscaleJobConfig.autoTileSize(l.apply(new int[][] {{2000, 1920}}), 38, 200))
        .isEqualTo(128);
    // too small for any: the smallest
    assertThat(UpscaleJobConfig.autoTileSize(l.apply(new int[][] {{100, 100}}), 2, 2))
        .isEqualTo(128);
    // an archive: 1000 photos of 300 x 200 = 1000 tiles of 512 for 64 slots
    java.util.List<int[]> archive = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      archive.add(new int[] {300, 200});
    }
    assertThat(UpscaleJobConfig.autoTileSize(archive, 38, 64)).isEqualTo(512);
    // never below 2 * halo: 256 < 2 * 200, and 2 * 300 > 512
    assertThat(UpscaleJobConfig.autoTileSize(l.apply(new int[][] {{512, 512}}), 200, 2))
        .isEqualTo(512);
    assertThat(UpscaleJobConfig.autoTileSize(l.apply(new int[][] {{512, 512}}), 300, 2))
        .isEqualTo(600);
  }

  @Test
  void badValuesAreRejectedNamingKeyValueAndRule() {
    assertThat(error("--input", "a", "--output", "o", "--scale", "5"))
        .contains("'scale' is 5 but must be 2, 3 or 4");
    assertThat(error("--input", "a", "--output", "o", "--tile-size", "16", "--halo", "9"))
        .contains("'tile-size' is 16 but must be >= 2 * 'halo' (= 18)");
    assertThat(error("--input", "a", "--output", "o", "--model", "nope"))
        .contains("'model' is 'nope'");
    assertThat(error("--output", "o")).contains("'input' is missing");
    assertThat(error("--input", "a", "--output", "o", "--border", "wrap"))
        .contains("border policy is 'wrap'");
  }

  @Test
  void runOptionsParseWithDefaultsAndAreChecked() {
    UpscaleJobConfig d = parse("--input", "a", "--output", "o");
    assertThat(d.effectiveSuffix()).isEqualTo("_x2");
    assertThat(d.format()).isNull();
    assertThat(d.overwrite()).isFalse();
    assertThat(d.dryRun()).isFalse();
    assertThat(d.batchMemoryMb()).isEqualTo(256);
    assertThat(d.forwardPermits()).isZero();
    assertThat(d.tiffThresholdMp()).isEqualTo(100);
    assertThat(d.convertThresholdMp()).isEqualTo(16);
    assertThat(d.progressSeconds()).isEqualTo(10);

    UpscaleJobConfig c = parse("--input", "a", "--output", "o", "--format", "TIF", "--suffix",
        "_sr", "--overwrite", "--dry-run", "--batch-memory-mb", "64", "--forward-permits", "1",
        "--tiff-threshold-mp", "50", "--convert-threshold-mp", "8", "--progress-seconds", "0");
    assertThat(c.format()).isEqualTo("tiff");
    assertThat(c.effectiveSuffix()).isEqualTo("_sr");
    assertThat(c.overwrite()).isTrue();
    assertThat(c.dryRun()).isTrue();
    assertThat(c.batchMemoryMb()).isEqualTo(64);
    assertThat(c.forwardPermits()).isEqualTo(1);
    assertThat(c.tiffThresholdMp()).isEqualTo(50);
    assertThat(c.convertThresholdMp()).isEqualTo(8);
    assertThat(c.progressSeconds()).isZero();
    assertThat(parse("--input", "a", "--output", "o", "--format", "jpeg").format())
        .isEqualTo("jpg");

    assertThat(error("--input", "a", "--output", "o", "--format", "gif"))
        .contains("'format' is 'gif' but must be one of png, tiff, jpg");
    assertThat(error("--input", "a", "--output", "o", "--batch-memory-mb", "0"))
        .contains("'batch-memory-mb' is 0 but must be >= 1");
    assertThat(error("--input", "a", "--output", "o", "--forward-permits", "-1"))
        .contains("'forward-permits' is -1 but must be >= 0");
    assertThat(error("--input", "a", "--output", "o", "--suffix", "x/y"))
        .contains("'suffix' is 'x/y' but must not contain a path separator");
    assertThat(error("--input", "a", "--output", "o", "--tiff-threshold-mp", "0"))
        .contains("'tiff-threshold-mp' is 0.0 but must be > 0");
  }

  @Test
  void progressLinesShowTilesRateAndTimeLeft() {
    assertThat(UpscaleProgress.line(120, 400, 30_000_000, 10))
        .isEqualTo("upscale: 120/400 tiles (30 %), 3.00 MP/s, ETA 23s");
    assertThat(UpscaleProgress.line(0, 400, 0, 10)).endsWith("ETA unknown");
    assertThat(UpscaleProgress.duration(90)).isEqualTo("1m30s");
    assertThat(UpscaleProgress.duration(3725)).isEqualTo("1h02m");
  }

  private static String error(String... args) {
    try {
      parse(args);
    } catch (CommandLine.ParameterException e) {
      return e.getMessage();
    }
    throw new AssertionError("no error for " + String.join(" ", args));
  }

  @Test
  void yamlSuppliesValuesAndTheCommandLineWins() throws Exception {
    Path yaml = dir.resolve("up.yaml");
    Files.writeString(yaml, "input: [x.png, y.png]\noutput: /tmp/o\nscale: 4\ntile-size: 64\n"
        + "model: bicubic\nconf:\n  spark.executor.memory: 2g\n");
    String[] args = {"upscale", "--config", yaml.toString(), "--scale", "2"};
    CommandLine.ParseResult pr = SparkSr.commandLine(args).parseArgs(args);
    UpscaleCommand parsed = (UpscaleCommand) pr.subcommand().commandSpec().userObject();
    UpscaleJobConfig c = parsed.toConfig();
    assertThat(c.inputs()).containsExactly("x.png", "y.png");
    assertThat(c.scale()).isEqualTo(2);
    assertThat(c.tileSize()).isEqualTo(64);
    assertThat(c.sparkConf()).containsEntry("spark.executor.memory", "2g");
  }

  /** Archive folders named 'Smith, John': quoted on the command line, as is in a YAML list. */
  @Test
  void aPathHoldingACommaIsOneInput() throws Exception {
    assertThat(parse("--input", "\"/archive/Smith, John/\",b/", "--input", "c.png", "--output",
        "o", "--scale", "2", "--model", "bicubic").inputs())
        .containsExactly("/archive/Smith, John/", "b/", "c.png");
    Path yaml = dir.resolve("commas.yaml");
    Files.writeString(yaml, "input: [\"/archive/Smith, John/\", b/]\noutput: o\nscale: 2\n"
        + "model: bicubic\n");
    String[] args = {"upscale", "--config", yaml.toString()};
    CommandLine.ParseResult pr = SparkSr.commandLine(args).parseArgs(args);
    UpscaleCommand parsed = (UpscaleCommand) pr.subcommand().commandSpec().userObject();
    assertThat(parsed.toConfig().inputs()).containsExactly("/archive/Smith, John/", "b/");
  }

  @Test
  void unknownYamlKeysAreAnError() throws Exception {
    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(yaml, "input: x.png\ntilesize: 64\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true));
      code = SparkSr.execute("upscale", "--config", yaml.toString(), "--output", "o");
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("unknown key(s) [tilesize]").contains("tile-size");
  }

  @Test
  void theShippedConfigFileParses() throws Exception {
    Path root = Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath();
    Path yaml = root.resolve("conf/upscale.yaml");
    assertThat(yaml).exists();
    String[] args = {"upscale", "--config", yaml.toString()};
    CommandLine.ParseResult pr = SparkSr.commandLine(args).parseArgs(args);
    UpscaleJobConfig c = ((UpscaleCommand) pr.subcommand().commandSpec().userObject()).toConfig();
    assertThat(c.scale()).isBetween(2, 4);
  }
}
