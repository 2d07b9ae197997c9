package io.sparksr.model.onnx;

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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * An ONNX graph under construction over an architecture's instantiated inference weights (NCHW):
 * the ops an architecture's {@link OnnxExport} needs, each translated from its DL4J form (see
 * {@link OnnxExporter}'s table). Value and node names are unique by a counter; weights become
 * initializers named as in the weight map.
 */
public final class OnnxGraph {
  private final Map<String, INDArray> weights;
  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private int counter;

  OnnxGraph(Map<String, INDArray> weights) {
    this.weights = weights;
  }

  /** Conv with the YXIO weight {@code w} as OIHW, optional {@code bias}, symmetric {@code pad}. */
  public String conv(String x, String w, String bias, int pad) {
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

  /** DL4J's {@code gelu}, libnd4j's x * sigmoid(1.702 x) ({@link OnnxExporter#GELU_SIGMOID_SCALE}). */
  public String gelu(String x) {
    String scaled = node("Mul", List.of(x, scalar(OnnxExporter.GELU_SIGMOID_SCALE)), List.of());
    return node("Mul", List.of(x, node("Sigmoid", List.of(scaled), List.of())), List.of());
  }

  /** {@code x * sigmoid(a)}. */
  public String gate(String x, String a) {
    return node("Mul", List.of(x, node("Sigmoid", List.of(a), List.of())), List.of());
  }

  /** Element-wise sum. */
  public String add(String a, String b) {
    return node("Add", List.of(a, b), List.of());
  }

  /** Splits {@code x} on the channel axis (1) into parts of {@code sizes} channels. */
  public String[] splitChannels(String x, long... sizes) {
    String split = constant(sizes);
    String[] out = new String[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      out[i] = fresh("split");
    }
    NodeProto.Builder n = NodeProto.newBuilder().setOpType("Split").setName(fresh("node"))
        .addInput(x).addInput(split);
    for (String o : out) {
      n.addOutput(o);
    }
    graph.addNode(n.addAttribute(intAttr("axis", 1)));
    return out;
  }

  /** Concatenation on the channel axis (1). */
  public String concatChannels(String... parts) {
    return node("Concat", List.of(parts), List.of(intAttr("axis", 1)));
  }

  /**
   * Mirrors {@code x} by {@code pad} pixels including the edge pixel (numpy/TF SYMMETRIC, DL4J's
   * {@code PadMode.SYMMETRIC}): [x1 x0 | x ... | x-1 x-2] for 2. ONNX Pad has no symmetric mode.
   */
  public String symmetricPad(String x, int pad) {
    String w = mirror(x, 3, pad);
    return mirror(w, 2, pad);
  }

  /** DepthToSpace in TensorFlow's DCR order (DL4J's {@code depthToSpace}) into {@code out}. */
  public void depthToSpace(String x, int blockSize, String out) {
    graph.addNode(NodeProto.newBuilder().setOpType("DepthToSpace").setName("depth_to_space")
        .addInput(x).addOutput(out)
        .addAttribute(intAttr("blocksize", blockSize))
        .addAttribute(AttributeProto.newBuilder().setName("mode").setType(AttributeType.STRING)
            .setS(ByteString.copyFromUtf8("DCR"))));
  }

  /** Declares a float input; a dimension that is not a number is symbolic (dynamic). */
  void input(String name, String... dims) {
    graph.addInput(valueInfo(name, dims));
  }

  /** Declares a float output; a dimension that is not a number is symbolic (dynamic). */
  void output(String name, String... dims) {
    graph.addOutput(valueInfo(name, dims));
  }

  ModelProto model(String name, String doc) {
    graph.setName(name);
    return ModelProto.newBuilder()
        .setIrVersion(OnnxExporter.IR_VERSION)
        .setProducerName("sparksr")
        .setProducerVersion("0.1.0")
        .setDocString(doc)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("")
            .setVersion(OnnxExporter.OPSET))
        .setGraph(graph)
        .build();
  }

  private String mirror(String x, int axis, int pad) {
    long[] left = new long[pad];
    long[] right = new long[pad];
    for (int i = 0; i < pad; i++) {
      left[i] = pad - 1 - i;   // 1, 0
      right[i] = -1 - i;       // -1, -2
    }
    String l = node("Gather", List.of(x, constant(left)), List.of(intAttr("axis", axis)));
    String r = node("Gather", List.of(x, constant(right)), List.of(intAttr("axis", axis)));
    return node("Concat", List.of(l, x, r), List.of(intAttr("axis", axis)));
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
