package io.sparksr.model.onnx;

/**
 * An architecture's ONNX form ({@link io.sparksr.model.arch.Architecture#onnxExport()}): builds
 * the inference graph of one scale into an {@link OnnxGraph} whose input {@link OnnxExporter#INPUT}
 * ({@code [N, 3, H, W]}) is declared, ending in the value {@link OnnxExporter#OUTPUT}
 * ({@code [N, 3, rH, rW]}), from the weights the graph holds.
 */
@FunctionalInterface
public interface OnnxExport {
  void build(OnnxGraph graph, int scale);
}
