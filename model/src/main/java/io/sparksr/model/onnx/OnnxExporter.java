package io.sparksr.model.onnx;

import io.sparksr.io.AtomicFiles;
import io.sparksr.model.ModelBundle;
import io.sparksr.model.arch.Architecture;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes ONE scale of a bundle as an ONNX model (opset {@value #OPSET},
 * IR version {@value #IR_VERSION}): input {@value #INPUT} float {@code [N, 3, H, W]}, output
 * {@value #OUTPUT} {@code [N, 3, rH, rW]} (NCHW, the ONNX convention; N, H, W dynamic), RGB in
 * [0, 1], not clamped: the numbers of {@code SrModel.run} (NHWC) up to the layout.
 *
 * <p>The graph is the architecture's ({@link Architecture#onnxExport()}, built with
 * {@link OnnxGraph}); architectures without one cannot be exported. It is built from the same
 * instantiated weights the DL4J inference graph uses ({@link ModelBundle#inferenceWeights()}), op
 * for op (igconv-plksr's table of DL4J ops and their ONNX form is in arch/IgConvPlksrOnnx).
 *
 * <p>Serialisation: the ONNX protobuf classes generated from onnx.proto that nd4j-api already
 * ships (package {@code onnx}, on the shaded {@code org.nd4j.shade.protobuf} runtime), so the
 * exporter adds no dependency and writes no wire format by hand.
 */
public final class OnnxExporter {
  /** The ONNX operator set written (ONNX Runtime 1.23 runs up to 23). */
  public static final int OPSET = 17;
  /** IR version 8 (ONNX 1.10+), the newest the protobuf classes in nd4j-api know. */
  public static final int IR_VERSION = 8;
  public static final String INPUT = Architecture.LR;
  public static final String OUTPUT = Architecture.SR;

  /** libnd4j's GELU: x * sigmoid(1.702 x) (measured against DL4J: max |diff| 6e-7). */
  static final float GELU_SIGMOID_SCALE = 1.702f;

  private OnnxExporter() {}

  /**
   * The ONNX model bytes of {@code bundle} at {@code scale}.
   *
   * @throws IllegalArgumentException if the scale is not served or the architecture cannot be
   *     exported
   */
  public static byte[] export(ModelBundle bundle, int scale) {
    return export(bundle.architecture(), bundle.inferenceWeights(), scale);
  }

  /** The ONNX model bytes of an architecture's inference graph over {@code weights}. */
  public static byte[] export(Architecture arch, Map<String, INDArray> weights, int scale) {
    if (!arch.scales().contains(scale)) {
      throw new IllegalArgumentException("'scale' is " + scale + " but the model serves "
          + arch.scales());
    }
    OnnxExport export = arch.onnxExport().orElseThrow(() -> new IllegalArgumentException(
        "architecture '" + arch.name() + "' has no ONNX export"));
    OnnxGraph graph = new OnnxGraph(weights);
    graph.input(INPUT, "N", "3", "H", "W");
    graph.output(OUTPUT, "N", "3", "H*" + scale, "W*" + scale);
    export.build(graph, scale);
    return graph.model(arch.name() + "_x" + scale,
        arch.name() + " x" + scale + " (NCHW, RGB in [0, 1], output not clamped)").toByteArray();
  }

  /**
   * Writes the model of {@code bundle} at {@code scale} to {@code path} (any Hadoop file system)
   * atomically.
   *
   * @return the number of bytes written
   * @throws IOException naming the path if it cannot be written
   */
  public static long write(ModelBundle bundle, int scale, Configuration conf, String path)
      throws IOException {
    byte[] bytes = export(bundle, scale);
    try {
      AtomicFiles.write(conf, path, (fs, tmp) -> {
        try (OutputStream out = fs.create(tmp, false)) {
          out.write(bytes);
        }
      });
    } catch (IOException e) {
      throw new IOException("cannot write ONNX model " + path + ": " + e.getMessage(), e);
    }
    return bytes.length;
  }
}
