package io.sparksr.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sparksr export-onnx}: writes a parseable model; mistakes are usage errors (exit 2). */
class ExportOnnxCommandTest {

  @TempDir
  Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SparkSr.commandLine(args);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void rejectsAScaleTheModelDoesNotServe() {
    Path onnx = dir.resolve("m.onnx");
    Run r = run("export-onnx", "--model", "default", "--scale", "5", "--output", onnx.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'scale' is 5 but model 'default' serves [2, 3, 4]");
    assertThat(onnx).doesNotExist();
  }

  @Test
  void rejectsUnknownModelsAndBuiltInOperators() {
    String onnx = dir.resolve("m.onnx").toString();
    Run missing = run("export-onnx", "--model", dir.resolve("nope.srm").toString(), "--scale", "2",
        "--output", onnx);
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.srm' but it is neither one of [default, archive] "
        + "nor a readable model bundle");
    Run bicubic = run("export-onnx", "--model", "bicubic", "--scale", "2", "--output", onnx);
    assertThat(bicubic.code()).isEqualTo(2);
    assertThat(bicubic.err()).contains("'model' is 'bicubic', a built-in operator without weights");
  }

  @Test
  void writesTheShippedModelAndFailsOnAnUnwritableOutput() throws Exception {
    Path onnx = dir.resolve("out/default_x3.onnx");
    Run ok = run("export-onnx", "--scale", "3", "--output", onnx.toString());
    assertThat(ok.code()).isZero();
    assertThat(ok.out()).contains("wrote " + onnx);
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(onnx));
    assertThat(m.getGraph().getInput(0).getName()).isEqualTo("lr");
    assertThat(m.getGraph().getOutput(0).getName()).isEqualTo("sr");
    assertThat(m.getGraph().getNodeList()).anyMatch(n -> n.getOpType().equals("DepthToSpace"));
    try (var files = Files.list(onnx.getParent())) {
      assertThat(files).containsExactly(onnx); // no temporary left
    }

    Path file = dir.resolve("a-file");
    Files.writeString(file, "x");
    Run bad = run("export-onnx", "--scale", "2", "--output", file.resolve("m.onnx").toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("cannot write ONNX model " + file.resolve("m.onnx"));
  }
}
