package io.sparksr.model.arch;

import io.sparksr.model.onnx.OnnxExport;
import io.sparksr.model.onnx.OnnxExporter;
import io.sparksr.model.onnx.OnnxGraph;

/**
 * {@link IgConvPlksr}'s inference graph as ONNX ({@link OnnxExporter}), op for op the DL4J one:
 * <pre>
 *   DL4J (NHWC, weights YXIO)                 ONNX (NCHW, weights OIHW = YXIO.permute(3, 2, 0, 1))
 *   conv2d k x k, SAME, stride 1 (+ bias)     Conv, pads k/2 on every side (odd k), stride 1
 *   sd.nn().gelu(x)                           x * Sigmoid(1.702 x): Mul, Sigmoid, Mul (libnd4j's
 *                                             GELU is this sigmoid approximation, not erf/tanh)
 *   h.get(..., [0, c1)), h.get(..., [c1, C))  Split on axis 1 into (c1, C - c1)
 *   concat(3, h1, h2)                         Concat axis 1
 *   h * sigmoid(conv3x3(h))                   Conv, Sigmoid, Mul
 *   f + conv1x1(h)                            Conv, Add
 *   pad(lr, 2, SYMMETRIC)                     Gather [1, 0] / [-1, -2] + Concat, on W then H
 *                                             (ONNX Pad has no symmetric mode)
 *   conv2d 5x5 VALID (skip B_r)               Conv, no pads
 *   depthToSpace(r, NHWC) (TF DCR order)      DepthToSpace blocksize r, mode DCR
 * </pre>
 */
final class IgConvPlksrOnnx implements OnnxExport {
  /** The skip's mirror border: half its kernel (2). */
  private static final int SKIP_PAD = IgConvPlksr.SKIP_SIZE / 2;

  private final IgConvPlksrConfig cfg;

  IgConvPlksrOnnx(IgConvPlksrConfig cfg) {
    this.cfg = cfg;
  }

  @Override
  public void build(OnnxGraph g, int r) {
    String f = encoder(g, OnnxExporter.INPUT);
    String y = g.conv(f, "x" + r + ".kernel", null, 1);
    String skip = g.conv(g.symmetricPad(OnnxExporter.INPUT, SKIP_PAD), "x" + r + ".skip", null, 0);
    g.depthToSpace(g.add(y, skip), r, OnnxExporter.OUTPUT);
  }

  private String encoder(OnnxGraph g, String lr) {
    int c = cfg.channels();
    int c1 = cfg.splitChannels();
    int k = cfg.kernelSize();
    String f = g.conv(lr, "enc.head.w", "enc.head.b", 1);
    for (int i = 0; i < cfg.blocks(); i++) {
      String b = "enc.b" + i + ".";
      String h = g.conv(f, b + "mix1.w", b + "mix1.b", 1);
      h = g.gelu(h);
      h = g.conv(h, b + "mix2.w", b + "mix2.b", 1);
      if (c1 < c) {
        String[] parts = g.splitChannels(h, c1, c - c1);
        String h1 = g.conv(parts[0], b + "plk.w", b + "plk.b", k / 2);
        h = g.concatChannels(h1, parts[1]);
      } else {
        h = g.conv(h, b + "plk.w", b + "plk.b", k / 2);
      }
      if (cfg.attention()) {
        String a = g.conv(h, b + "att.w", b + "att.b", 1);
        h = g.gate(h, a);
      }
      h = g.conv(h, b + "proj.w", b + "proj.b", 0);
      f = g.add(f, h);
    }
    return f;
  }
}
