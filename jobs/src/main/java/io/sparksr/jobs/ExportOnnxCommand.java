package io.sparksr.jobs;

import io.sparksr.model.ModelBundle;
import io.sparksr.model.ModelRegistry;
import io.sparksr.model.onnx.OnnxExporter;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparksr export-onnx}: one scale of a model bundle as an ONNX model ({@link OnnxExporter}:
 * input {@code lr} [N, 3, H, W], output {@code sr} [N, 3, rH, rW], RGB in [0, 1]). No Spark.
 */
@Command(name = "export-onnx", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write one scale of a model as an ONNX model (opset " + OnnxExporter.OPSET
        + "): input 'lr' float [N, 3, H, W], output 'sr' [N, 3, r*H, r*W], NCHW, RGB in [0, 1], "
        + "not clamped. Runs without Spark.")
public final class ExportOnnxCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = ModelRegistry.DEFAULT, paramLabel = "<model>",
      description = "'default' or 'archive' (the shipped bundles) or the path of a model bundle "
          + "(.srm) on any Hadoop file system (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--scale", required = true, paramLabel = "<r>",
      description = "The scale to export (one of the model's, e.g. 2, 3 or 4).")
  int scale;

  @Option(names = "--output", required = true, paramLabel = "<file.onnx>",
      description = "Where to write the ONNX model (written atomically).")
  String output;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Configuration conf = new Configuration();
    ModelBundle bundle;
    try {
      bundle = ModelRegistry.bundle(model, conf);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    if (!bundle.architecture().scales().contains(scale)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "'scale' is " + scale
          + " but model '" + model + "' serves " + bundle.architecture().scales());
    }
    try {
      long bytes = OnnxExporter.write(bundle, scale, conf, output);
      spec.commandLine().getOut().printf("wrote %s (%s x%d, opset %d, %,d bytes)%n", output,
          bundle.architecture().name(), scale, OnnxExporter.OPSET, bytes);
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("export-onnx: " + e.getMessage());
      return 1;
    }
  }
}
