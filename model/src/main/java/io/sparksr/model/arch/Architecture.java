package io.sparksr.model.arch;

import io.sparksr.model.onnx.OnnxExport;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A multi-scale super-resolution network, described by a name (its key in {@link Architectures})
 * and a config record. Everything is NHWC float32, RGB in [0, 1].
 *
 * <p>The training graph contract (what {@code SrTrainer} relies on):
 * <ul>
 *   <li>placeholder {@value #LR} {@code [B, h, w, 3]} and label placeholder {@value #HR}
 *       {@code [B, h*r, w*r, 3]};</li>
 *   <li>the scale-dependent placeholders {@link #scaleInputNames()}, fed with
 *       {@link #scaleInputs(int)}, so that one graph serves every scale;</li>
 *   <li>output {@value #SR} {@code [B, h*r, w*r, 3]} and the scalar loss {@value #LOSS} = mean of
 *       {@value #LOSS_MAP};</li>
 *   <li>every variable (trainable parameter) belongs to the network.</li>
 * </ul>
 * Inference graphs ({@link #inferenceGraph}) take the placeholders {@link #inferenceInputs} makes
 * from an NHWC batch (at least {@value #LR}) and give {@link #outputName(int)} per served scale
 * (and the same values before the pixel shuffle, {@link #dcrOutputName(int)}), from the weights
 * {@link #instantiate} computed once.
 */
public interface Architecture {
  String LR = "lr";
  String HR = "hr";
  String SR = "sr";
  String LOSS = "loss";
  /** The element-wise loss whose mean is {@link #LOSS}. SameDiff's training pass (M2.1) does not
   *  compute the loss reduction itself (back-propagation starts at its gradient), so the trainer
   *  reads this tensor to report the loss. */
  String LOSS_MAP = "loss_map";

  /** The registered name (see {@link Architectures}). */
  String name();

  /** The config record (serialised to the bundle's metadata with Jackson). */
  Object config();

  /** The scales served. */
  List<Integer> scales();

  /** Receptive-field radius in LR pixels: output pixels of LR cell (y, x) depend only on LR
   *  pixels within this Chebyshev distance of (y, x). */
  int radius();

  /** The border policy whole-image inference uses with this network. */
  BorderPolicy defaultBorder();

  /** Number of trainable parameters of the training graph. */
  long parameterCount();

  /** Multiply-adds x 2 per output (HR) pixel of the inference graph at {@code scale}. */
  double flopsPerOutputPixel(int scale);

  /** C, the feature channels the network works with at LR resolution. */
  int featureChannels();

  /**
   * Estimated peak bytes one more {@code height x width} LR tile adds to a forward pass of the
   * inference graph at {@code scale} (what a model of this architecture answers as
   * {@code TileOperator.workingBytes}, which sizes batches and forward passes).
   */
  long workingBytes(int height, int width, int scale);

  /**
   * The inference graph in NCHW, if the architecture builds one (to measure the layouts against
   * each other); empty by default.
   */
  default Optional<NchwGraph> nchwGraph() {
    return Optional.empty();
  }

  /** The architecture's ONNX form ({@code OnnxExporter}); empty: it cannot be exported. */
  default Optional<OnnxExport> onnxExport() {
    return Optional.empty();
  }

  /** A fresh training graph with parameters initialised deterministically from {@code seed}. */
  SameDiff trainingGraph(long seed);

  /**
   * Training parameters of this architecture that compute exactly the function {@code from}
   * computes with {@code params} (its training parameters), where this architecture is a wider
   * version of {@code from}: the start of a larger model fine-tuned from a smaller one. New
   * parameters are initialised from {@code seed} where their effect starts at zero.
   *
   * @throws IllegalArgumentException naming what differs, when this architecture is not a
   *     widening of {@code from} (the default: no architecture can be widened)
   */
  default Map<String, INDArray> widen(Architecture from, Map<String, INDArray> params, long seed) {
    throw new IllegalArgumentException("a " + name() + " model cannot be started from the weights"
        + " of a " + from.name() + " model of another configuration");
  }

  /** Names of the scale-dependent placeholders, in the order of {@link #scaleInputs(int)}. */
  List<String> scaleInputNames();

  /** The values of the scale-dependent placeholders for {@code scale}. */
  INDArray[] scaleInputs(int scale);

  /** The inference weights for every served scale, computed from a training graph's parameters. */
  Map<String, INDArray> instantiate(SameDiff training);

  /** The inference graph over {@link #instantiate}'s weights (stored as constants), any width. */
  SameDiff inferenceGraph(Map<String, INDArray> weights);

  /**
   * Which inference graph serves inputs {@code width} LR pixels wide: an architecture may build a
   * faster graph for some widths ({@link #inferenceGraph(Map, int)}); graphs of one variant are
   * interchangeable, and every variant computes what {@link #inferenceGraph(Map)} does. 0, the
   * default, is that general graph.
   */
  default int graphVariant(int width) {
    return 0;
  }

  /** The inference graph of a {@link #graphVariant}. */
  default SameDiff inferenceGraph(Map<String, INDArray> weights, int variant) {
    return inferenceGraph(weights);
  }

  /**
   * The inference graph's placeholders for {@code n} NHWC RGB tiles of {@code h x w} in
   * {@code nhwc} (c order): {@value #LR} by default; an architecture may add arrays it derives
   * from the same pixels on the Java side (cheaper than in the graph).
   */
  default Map<String, INDArray> inferenceInputs(float[] nhwc, int n, int h, int w) {
    return Map.of(LR, org.nd4j.linalg.factory.Nd4j.create(nhwc, new long[] {n, h, w, 3}, 'c'));
  }

  /** {@link #inferenceInputs(float[], int, int, int)} for an NHWC {@code [B, h, w, 3]} array. */
  default Map<String, INDArray> inferenceInputs(INDArray lrNhwc) {
    INDArray c = lrNhwc.dup('c');
    float[] d = c.data().asFloat();
    c.close();
    return inferenceInputs(d, (int) lrNhwc.size(0), (int) lrNhwc.size(1), (int) lrNhwc.size(2));
  }

  /**
   * An NCHW twin of the general inference graph: input {@code [B, 3, h, w]}, outputs
   * {@link #outputName} {@code [B, 3, rh, rw]}, over the same instantiated weights.
   */
  interface NchwGraph {
    SameDiff inferenceGraph(Map<String, INDArray> weights);

    /** The graph's placeholders for an NCHW RGB batch {@code [B, 3, h, w]}. */
    Map<String, INDArray> inferenceInputs(INDArray lrNchw);
  }

  /** Output variable of the inference graph for {@code scale}: {@code [B, h*r, w*r, 3]}. */
  static String outputName(int scale) {
    return "sr_x" + scale;
  }

  /**
   * The same values before the pixel shuffle, {@code [B, h, w, r*r*3]}: channel
   * {@code (i*r + j)*3 + c} is colour c of output pixel {@code (y*r + i, x*r + j)} (TensorFlow's
   * DCR depth-to-space order). Callers that copy the output anyway shuffle while copying.
   */
  static String dcrOutputName(int scale) {
    return "dcr_x" + scale;
  }
}
