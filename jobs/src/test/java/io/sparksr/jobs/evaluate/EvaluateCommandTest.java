package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.jobs.SparkSr;
import io.sparksr.partitioning.image.ImageTensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Option parsing, YAML config and validation: every mistake is a usage error before Spark. */
class EvaluateCommandTest {

  @TempDir
  Path dir;
  private String images;

  @BeforeEach
  void oneImage() throws Exception {
    images = dir.resolve("hr").toString();
    new ImageStore(new Configuration()).write(images + "/a.png", ImageTensor.zeros(3, 24, 24),
        PixelFormat.of("png", 3, 8));
  }

  private static EvaluateJobConfig parse(String... args) {
    EvaluateCommand cmd = new EvaluateCommand();
    io.sparksr.jobs.SparkSr.configured(cmd).parseArgs(args);
    return cmd.toConfig();
  }

  @Test
  void defaultsAndDataSetNames() {
    EvaluateJobConfig c = parse("--datasets", "Mine=" + images + "," + images, "--output", "o",
        "--anchors", "none");
    assertThat(c.datasets()).containsExactly(new EvaluateJobConfig.Dataset("Mine", images),
        new EvaluateJobConfig.Dataset("hr", images));
    assertThat(c.scales()).containsExactly(2, 3, 4);
    assertThat(c.models()).containsExactly("bicubic");
    assertThat(c.tileSize()).isZero();
    assertThat(c.settings()).containsExactly(new Setting(0, false));
    assertThat(c.crops()).isEqualTo(1);
    assertThat(c.anchors()).isNull();
    EvaluateJobConfig x8 = parse("--datasets", "S=" + images, "--output", "o", "--self-ensemble",
        "--tile-size", "64", "--scales", "4");
    assertThat(x8.settings()).extracting(Setting::name).containsExactly("tile64", "tile64+x8");
  }

  /** A table of image bytes (one Parquet file, column png) is a data set, as the job reads it. */
  @Test
  void aTableOfImageBytesIsADataSetAndATableWithoutImagesIsAUsageError() throws Exception {
    String table = dir.resolve("table").toString();
    Files.createDirectories(Path.of(table));
    byte[] png = Files.readAllBytes(Path.of(images, "a.png"));
    writeTable(table + "/part-0.parquet", "png", png);
    EvaluateJobConfig c = parse("--datasets", "T=" + table, "--output", "o", "--anchors", "none");
    assertThat(c.datasets()).containsExactly(new EvaluateJobConfig.Dataset("T", table));
    String noImages = dir.resolve("numbers").toString();
    Files.createDirectories(Path.of(noImages));
    writeTable(noImages + "/part-0.parquet", "blob", png);
    assertThat(error("--datasets", "N=" + noImages, "--output", "o", "--anchors", "none"))
        .contains("'datasets' has N=" + noImages + ": table ").contains(" has no ");
  }

  private static void writeTable(String path, String column, byte[] bytes) throws Exception {
    org.apache.parquet.schema.MessageType schema = org.apache.parquet.schema.MessageTypeParser
        .parseMessageType("message t { required binary " + column + "; }");
    try (var w = org.apache.parquet.hadoop.example.ExampleParquetWriter
        .builder(new org.apache.hadoop.fs.Path(path)).withType(schema)
        .withConf(new Configuration()).build()) {
      w.write(new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema).newGroup()
          .append(column, org.apache.parquet.io.api.Binary.fromConstantByteArray(bytes)));
    }
  }

  @Test
  void badValuesAreUsageErrorsNamingKeyValueAndRule() {
    assertThat(error("--datasets", "S=" + images, "--output", "o", "--scales", "2,5"))
        .contains("'scales' has 5 but each must be 2, 3 or 4");
    assertThat(error("--datasets", "S=" + images, "--output", "o", "--tile-size", "4"))
        .contains("'tile-size' is 4 but must be 0 (whole image) or >= 8");
    assertThat(error("--datasets", "S=" + images, "--output", "o", "--models",
        dir.resolve("missing.srm").toString()))
        .contains("'model' is '" + dir.resolve("missing.srm"));
    assertThat(error("--datasets", "Set5=" + dir.resolve("nope"), "--output", "o"))
        .contains("'datasets' has Set5=" + dir.resolve("nope")).contains("does not exist");
    assertThat(error("--datasets", "S=" + images + ",S=" + images, "--output", "o"))
        .contains("'datasets' names 'S' twice");
    assertThat(error("--datasets", "bad name=" + images, "--output", "o"))
        .contains("'datasets' has name 'bad name'");
    assertThat(error("--output", "o")).contains("'datasets' is missing");
    assertThat(error("--datasets", "S=" + images, "--output", "o", "--anchors",
        dir.resolve("none.yaml").toString())).contains("'anchors' is ");
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
  void aBadModelPathExitsWithTwoBeforeSparkStarts() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true));
      code = SparkSr.execute("evaluate", "--datasets", "S=" + images, "--models",
          "bicubic," + dir.resolve("nope.srm"), "--output", dir.resolve("out").toString());
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("nope.srm");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void theShippedConfigFileParses() throws Exception {
    Path root = Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath();
    Path yaml = root.resolve("conf/evaluate.yaml");
    String[] args = {"evaluate", "--config", yaml.toString(), "--datasets", "S=" + images,
        "--anchors", AnchorsTest.shipped().toString()};
    CommandLine.ParseResult pr = SparkSr.commandLine(args).parseArgs(args);
    EvaluateJobConfig c = ((EvaluateCommand) pr.subcommand().commandSpec().userObject())
        .toConfig();
    assertThat(c.scales()).containsExactly(2, 3, 4);
    assertThat(c.models()).containsExactly("bicubic");
    assertThat(c.sparkConf()).containsEntry("spark.sql.shuffle.partitions", "8");
    String text = Files.readString(yaml);
    assertThat(text).contains("datasets:").contains("Set5: ../shared/datasets/Set5");
  }

  @Test
  void yamlDataSetsMapToNameEqualsDir() throws Exception {
    Path yaml = dir.resolve("e.yaml");
    Files.writeString(yaml, "datasets:\n  One: " + images + "\n  Two: " + images + "\n"
        + "scales: [2, 4]\nself-ensemble: true\noutput: /tmp/x\nanchors: none\n");
    String[] args = {"evaluate", "--config", yaml.toString()};
    CommandLine.ParseResult pr = SparkSr.commandLine(args).parseArgs(args);
    EvaluateJobConfig c = ((EvaluateCommand) pr.subcommand().commandSpec().userObject())
        .toConfig();
    assertThat(c.datasets()).extracting(EvaluateJobConfig.Dataset::name).containsExactly("One",
        "Two");
    assertThat(c.scales()).containsExactly(2, 4);
    assertThat(c.selfEnsemble()).isTrue();
  }
}
