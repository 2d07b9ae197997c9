package io.sparksr.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.model.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every job rejects unknown keys, out-of-range values and contradictory settings before Spark
 * starts: exit code 2, a message naming the key, the value and the rule, and nothing written.
 * Also model files that are truncated or not bundles at all.
 */
class ConfigRulesTest {

  @TempDir
  Path dir;

  /** The exit code and what the command printed on stderr. */
  private record Outcome(int code, String err) {}

  private Outcome run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true));
      code = SparkSr.execute(args);
    } finally {
      System.setErr(old);
    }
    return new Outcome(code, err.toString());
  }

  private void assertUsageError(String message, String... args) {
    Outcome o = run(args);
    assertThat(o.code()).as(String.join(" ", args)).isEqualTo(2);
    assertThat(o.err()).as(String.join(" ", args)).contains(message);
  }

  private String folder(String name) throws Exception {
    return Files.createDirectories(dir.resolve(name)).toString();
  }

  @Test
  void upscaleRejectsOutputInsideInputAndTheReverse() throws Exception {
    String in = folder("archive");
    assertUsageError("'output' is '" + in + "/out' but must not be inside 'input' '" + in + "'",
        "upscale", "--input", in, "--output", in + "/out");
    assertUsageError("'output' is '" + in + "' but must not be the same location as 'input'",
        "upscale", "--input", in + "/", "--output", in);
    assertUsageError("'input' has '" + in + "/old/*.png' but must not be inside 'output' '" + in
        + "'", "upscale", "--input", in + "/old/*.png", "--output", in);
    // globs count from the folder before the wildcard; relative paths from the working directory
    assertUsageError("must not be inside 'input' '" + in + "/*.png'",
        "upscale", "--input", in + "/*.png", "--output", in + "/x2");
    assertThat(dir.resolve("archive/out")).doesNotExist();
    // a sibling whose name starts with the input's is not inside it
    assertThat(PathRules.normalize(in + "-x2", false)).doesNotStartWith(
        PathRules.normalize(in, true) + "/");
  }

  @Test
  void pathRulesCompareSchemesAuthoritiesAndNormalisedPaths() {
    assertThat(PathRules.normalize("hdfs://nn:8020/a/b/../c/", false)).isEqualTo("hdfs://nn:8020/a/c");
    assertThat(PathRules.normalize("file:/x/./y", false)).isEqualTo("file:///x/y");
    assertThat(PathRules.normalize("/x/y/*.png", true)).isEqualTo("file:///x/y");
    assertThat(PathRules.normalize("rel/dir", false))
        .isEqualTo("file://" + Path.of("rel/dir").toAbsolutePath());
    PathRules.checkDisjoint("output", "hdfs://nn/out", "input", "hdfs://other/out/in");
    PathRules.checkDisjoint("output", "hdfs://nn/archive-x2", "input", "hdfs://nn/archive");
    PathRules.checkDisjoint("output", "/data/out", "input", "hdfs://nn/data/out/in");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PathRules.checkDisjoint("output",
        "hdfs://nn/archive/x2", "input", "hdfs://nn/archive/../archive"))
        .hasMessageContaining("must not be inside 'input' 'hdfs://nn/archive/../archive'");
  }

  @Test
  void upscaleOutOfRangeAndContradictoryValuesNameKeyValueAndRule() throws Exception {
    String in = folder("in");
    String out = dir.resolve("out").toString();
    assertUsageError("'scale' is 5 but must be 2, 3 or 4",
        "upscale", "--input", in, "--output", out, "--scale", "5");
    assertUsageError("'tile-size' is 16 but must be >= 2 * 'halo' (= 18)",
        "upscale", "--input", in, "--output", out, "--tile-size", "16", "--halo", "9");
    assertUsageError("'self-ensemble' is set but model 'bicubic' gives the same output for every "
        + "flip and rotation", "upscale", "--input", in, "--output", out, "--model", "bicubic",
        "--self-ensemble");
    assertUsageError("'max-megapixels' is 0.0 but must be > 0",
        "upscale", "--input", in, "--output", out, "--max-megapixels", "0");
    assertUsageError("'suffix' is 'a/b' but must not contain a path separator",
        "upscale", "--input", in, "--output", out, "--suffix", "a/b");
    assertUsageError("'format' is 'gif'",
        "upscale", "--input", in, "--output", out, "--format", "gif");
    Path yaml = Files.writeString(dir.resolve("up.yaml"), "input: " + in + "\noutput: " + out
        + "\ntile-sise: 64\n");
    assertUsageError("unknown key(s) [tile-sise]", "upscale", "--config", yaml.toString());
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void prepareRejectsOutputInsideInputAndBadValues() throws Exception {
    String in = folder("hr");
    assertUsageError("'output' is '" + in + "/ds' but must not be inside 'input' '" + in + "'",
        "prepare", "--input", in, "--output", in + "/ds");
    String out = dir.resolve("ds").toString();
    assertUsageError("'patch-size' is 2 but must be in 4..512",
        "prepare", "--input", in, "--output", out, "--patch-size", "2");
    assertUsageError("'scales' has 5 but each must be 2, 3 or 4",
        "prepare", "--input", in, "--output", out, "--scales", "2,5");
    assertUsageError("'val-fraction' is 1.0 but must be in [0, 1)",
        "prepare", "--input", in, "--output", out, "--val-fraction", "1");
    Path yaml = Files.writeString(dir.resolve("p.yaml"), "input: " + in + "\npatchsize: 4\n");
    assertUsageError("unknown key(s) [patchsize]", "prepare", "--config", yaml.toString(),
        "--output", out);
    assertThat(dir.resolve("hr/ds")).doesNotExist();
  }

  @Test
  void trainRejectsABundleInsideItsDataAndContradictorySteps() throws Exception {
    String data = folder("sr291");
    assertUsageError("'output' is '" + data + "/model.srm' but must not be inside 'data' '" + data
        + "'", "train", "--data", data, "--output", data + "/model.srm");
    String out = dir.resolve("m.srm").toString();
    assertUsageError("'max-steps' is 20 but must be <= 'total-steps' (= 10)",
        "train", "--data", data, "--output", out, "--max-steps", "20", "--total-steps", "10");
    assertUsageError("'min-lr' is 0.5 but must be in [0, 'lr' = ",
        "train", "--data", data, "--output", out, "--lr", "0.001", "--min-lr", "0.5");
    assertUsageError("'warmup-steps' is 10 but must be in [0, 'total-steps' = 10)",
        "train", "--data", data, "--output", out, "--total-steps", "10", "--warmup-steps", "10");
    Path yaml = Files.writeString(dir.resolve("t.yaml"), "data: " + data + "\nbatchsize: 4\n");
    assertUsageError("unknown key(s) [batchsize]", "train", "--config", yaml.toString(),
        "--output", out);
  }

  @Test
  void evaluateRejectsAReportInsideADataSetAndBadValues() throws Exception {
    String set5 = folder("Set5");
    Files.write(dir.resolve("Set5/a.png"), new byte[0]);
    assertUsageError("'output' is '" + set5 + "/eval' but must not be inside 'datasets' '" + set5
        + "'", "evaluate", "--datasets", "Set5=" + set5, "--output", set5 + "/eval");
    String out = dir.resolve("eval").toString();
    assertUsageError("'scales' has 5 but each must be 2, 3 or 4",
        "evaluate", "--datasets", "Set5=" + set5, "--output", out, "--scales", "2,5");
    assertUsageError("'tile-size' is 4 but must be 0 (whole image) or >= 8",
        "evaluate", "--datasets", "Set5=" + set5, "--output", out, "--tile-size", "4");
    Path yaml = Files.writeString(dir.resolve("e.yaml"), "output: " + out + "\nmodelz: bicubic\n");
    assertUsageError("unknown key(s) [modelz]", "evaluate", "--config", yaml.toString(),
        "--datasets", "Set5=" + set5);
  }

  @Test
  void truncatedAndForeignModelFilesAreUsageErrorsNamingTheFile() throws Exception {
    String in = folder("in");
    String out = dir.resolve("out").toString();
    Path foreign = Files.writeString(dir.resolve("foreign.srm"), "hello, not a model");
    Outcome f = run("upscale", "--input", in, "--output", out, "--model", foreign.toString());
    assertThat(f.code()).isEqualTo(2);
    assertThat(f.err()).contains(foreign.toString()).contains("not a sparksr model bundle");

    byte[] shipped;
    try (InputStream s = ModelRegistry.class.getClassLoader()
        .getResourceAsStream(ModelRegistry.DEFAULT_RESOURCE)) {
      shipped = s.readAllBytes();
    }
    Path truncated = Files.write(dir.resolve("truncated.srm"),
        Arrays.copyOf(shipped, shipped.length / 2));
    Outcome t = run("upscale", "--input", in, "--output", out, "--model", truncated.toString());
    assertThat(t.code()).isEqualTo(2);
    assertThat(t.err()).contains(truncated.toString()).containsPattern("truncated|corrupt");

    byte[] flipped = shipped.clone();
    flipped[flipped.length / 2] ^= 0x40;   // inside an entry: its checksum no longer matches
    Path corrupt = Files.write(dir.resolve("corrupt.srm"), flipped);
    Outcome c = run("upscale", "--input", in, "--output", out, "--model", corrupt.toString());
    assertThat(c.code()).isEqualTo(2);
    assertThat(c.err()).contains(corrupt.toString()).containsPattern("checksum|corrupt");
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
