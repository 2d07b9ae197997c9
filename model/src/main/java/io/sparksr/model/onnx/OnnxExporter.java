package io.sparksr.model.onnx;

import io.sparksr.io.AtomicFiles;
import io.sparksr.model.ModelBundle;
import io.sparksr.model.arch.Architecture;
import io.sparksr.model.arch.IgConvPlksrConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.AttributeProto.AttributeType;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Writes ONE scale of an {@code igconv-plksr} bundle as an ONNX model (opset {@value #OPSET},
 * IR version {@value #IR_VERSION}): input {@value #INPUT} float {@code [N, 3, H, W]}, output
 * {@value #OUTPUT} {@code [N, 3, rH, rW]} (NCHW, the ONNX convention; N, H, W dynamic), RGB in
 * [0, 1], not clamped: the numbers of {@code SrModel.run} (NHWC) up to the layout.
 *
 * <p>Built from the same instantiated weights the DL4J inference graph uses
 * ({@link ModelBundle#inferenceWeights()}), op for op:
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
  private static final int SKIP_PAD = 2;

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
    if (!(arch.config() instanceof IgConvPlksrConfig cfg)) {
      throw new IllegalArgumentException("architecture '" + arch.name()
          + "' has no ONNX export (only igconv-plksr)");
    }
    return new Builder(cfg, weights).model(scale, arch.name()).toByteArray();
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

  /** Builds the graph; node and value names are unique by a counter. */
  private static final class Builder {
    private final IgConvPlksrConfig cfg;
    private final Map<String, INDArray> weights;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    Builder(IgConvPlksrConfig cfg, Map<String, INDArray> weights) {
      this.cfg = cfg;
      this.weights = weights;
    }

    ModelProto model(int r, String archName) {
      graph.setName(archName + "_x" + r);
      graph.addInput(valueInfo(INPUT, "N", "3", "H", "W"));
      graph.addOutput(valueInfo(OUTPUT, "N", "3", "H*" + r, "W*" + r));
      String f = encoder(INPUT);
      String y = conv(f, "x" + r + ".kernel", null, 1);
      String skip = conv(symmetricPad(INPUT), "x" + r + ".skip", null, 0);
      String sum = node("Add", List.of(y, skip), List.of());
      graph.addNode(NodeProto.newBuilder().setOpType("DepthToSpace").setName("depth_to_space")
          .addInput(sum).addOutput(OUTPUT)
          .addAttribute(intAttr("blocksize", r))
          .addAttribute(AttributeProto.newBuilder().setName("mode").setType(AttributeType.STRING)
              .setS(ByteString.copyFromUtf8("DCR"))));
      return ModelProto.newBuilder()
          .setIrVersion(IR_VERSION)
          .setProducerName("sparksr")
          .setProducerVersion("0.1.0")
          .setDocString(archName + " x" + r + " (NCHW, RGB in [0, 1], output not clamped)")
          .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
          .setGraph(graph)
          .build();
    }

    private String encoder(String lr) {
      int c = cfg.channels();
      int c1 = cfg.splitChannels();
      int k = cfg.kernelSize();
      String f = conv(lr, "enc.head.w", "enc.head.b", 1);
      for (int i = 0; i < cfg.blocks(); i++) {
        String b = "enc.b" + i + ".";
        String h = conv(f, b + "mix1.w", b + "mix1.b", 1);
        h = gelu(h);
        h = conv(h, b + "mix2.w", b + "mix2.b", 1);
        if (c1 < c) {
          String split = constant(new long[] {c1, c - c1});
          String h1 = fresh("split");
          String h2 = fresh("split");
          graph.addNode(NodeProto.newBuilder().setOpType("Split").setName(fresh("node"))
              .addInput(h).addInput(split).addOutput(h1).addOutput(h2)
              .addAttribute(intAttr("axis", 1)));
          h1 = conv(h1, b + "plk.w", b + "plk.b", k / 2);
          h = node("Concat", List.of(h1, h2), List.of(intAttr("axis", 1)));
        } else {
          h = conv(h, b + "plk.w", b + "plk.b", k / 2);
        }
        if (cfg.attention()) {
          String a = conv(h, b + "att.w", b + "att.b", 1);
          h = node("Mul", List.of(h, node("Sigmoid", List.of(a), List.of())), List.of());
        }
        h = conv(h, b + "proj.w", b + "proj.b", 0);
        f = node("Add", List.of(f, h), List.of());
      }
      return f;
    }

    /** x * sigmoid(1.702 x), libnd4j's GELU. */
    private String gelu(String x) {
      String scaled = node("Mul", List.of(x, scalar(GELU_SIGMOID_SCALE)), List.of());
      return node("Mul", List.of(x, node("Sigmoid", List.of(scaled), List.of())), List.of());
    }

    /** Mirror by 2 including the edge pixel (numpy/TF SYMMETRIC): [x1 x0 | x ... | x-1 x-2]. */
    private String symmetricPad(String x) {
      String w = mirror(x, 3);
      return mirror(w, 2);
    }

    private String mirror(String x, int axis) {
      long[] left = new long[SKIP_PAD];
      long[] right = new long[SKIP_PAD];
      for (int i = 0; i < SKIP_PAD; i++) {
        left[i] = SKIP_PAD - 1 - i;   // 1, 0
        right[i] = -1 - i;            // -1, -2
      }
      String l = node("Gather", List.of(x, constant(left)), List.of(intAttr("axis", axis)));
      String r = node("Gather", List.of(x, constant(right)), List.of(intAttr("axis", axis)));
      return node("Concat", List.of(l, x, r), List.of(intAttr("axis", axis)));
    }

    /** Conv with the YXIO weight {@code w} as OIHW, optional bias, symmetric {@code pad}. */
    private String conv(String x, String w, String bias, int pad) {
      INDArray yxio = required(w);
      if (yxio.rank() != 4) {
        throw new IllegalArgumentException("weight '" + w + "' has shape "
            + Arrays.toString(yxio.shape()) + " but must be [kH, kW, in, out]");
      }
      List<String> in = new ArrayList<>(List.of(x, initializer(w, yxio.permute(3, 2, 0, 1))));
      if (bias != null) {
        INDArray b = required(bias);
        in.add(initializer(bias, b.reshape(b.length())));
      }
      long kh = yxio.size(0);
      long kw = yxio.size(1);
      return node("Conv", in, List.of(ints("kernel_shape", kh, kw), ints("strides", 1, 1),
          ints("dilations", 1, 1), ints("pads", pad, pad, pad, pad), intAttr("group", 1)));
    }

    private INDArray required(String name) {
      INDArray a = weights.get(name);
      if (a == null) {
        throw new IllegalArgumentException("weights lack '" + name + "'");
      }
      return a;
    }

    private String initializer(String name, INDArray a) {
      INDArray c = a.dup('c');
      float[] v = c.data().asFloat();
      ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(v);
      TensorProto.Builder t = TensorProto.newBuilder().setName(name)
          .setDataType(TensorProto.DataType.FLOAT.getNumber())
          .setRawData(ByteString.copyFrom(buf.array()));
      for (long d : c.shape()) {
        t.addDims(d);
      }
      graph.addInitializer(t);
      return name;
    }

    private String constant(long[] values) {
      String name = fresh("const");
      ByteBuffer buf = ByteBuffer.allocate(values.length * Long.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN);
      buf.asLongBuffer().put(values);
      graph.addInitializer(TensorProto.newBuilder().setName(name)
          .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length)
          .setRawData(ByteString.copyFrom(buf.array())));
      return name;
    }

    private String scalar(float value) {
      String name = fresh("const");
      ByteBuffer buf = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      buf.putFloat(value);
      graph.addInitializer(TensorProto.newBuilder().setName(name)
          .setDataType(TensorProto.DataType.FLOAT.getNumber())
          .setRawData(ByteString.copyFrom(buf.array())));
      return name;
    }

    private String node(String op, List<String> inputs, List<AttributeProto> attrs) {
      String out = fresh(op.toLowerCase(java.util.Locale.ROOT));
      graph.addNode(NodeProto.newBuilder().setOpType(op).setName(out + "_node")
          .addAllInput(inputs).addOutput(out).addAllAttribute(attrs));
      return out;
    }

    private String fresh(String prefix) {
      return prefix + "_" + counter++;
    }

    private static AttributeProto intAttr(String name, long v) {
      return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
    }

    private static AttributeProto ints(String name, long... v) {
      AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
          .setType(AttributeType.INTS);
      for (long x : v) {
        a.addInts(x);
      }
      return a.build();
    }

    private static ValueInfoProto valueInfo(String name, String... dims) {
      TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
      for (String d : dims) {
        TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
        if (d.chars().allMatch(Character::isDigit)) {
          dim.setDimValue(Long.parseLong(d));
        } else {
          dim.setDimParam(d);
        }
        shape.addDim(dim);
      }
      return ValueInfoProto.newBuilder().setName(name)
          .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
              .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
          .build();
    }
  }
}
