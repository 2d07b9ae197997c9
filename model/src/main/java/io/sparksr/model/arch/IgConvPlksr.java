package io.sparksr.model.arch;

import io.sparksr.model.onnx.OnnxExport;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.DataFormat;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * "igconv-plksr": a PLKSR-style encoder with an IGConv (implicit grid convolution) upsampler; one
 * set of weights serves every scale in {@link IgConvPlksrConfig#scales()}.
 *
 * <pre>
 * encoder   f = conv3x3(lr, 3 -> C)
 *           N times: h = conv3x3(GELU(conv3x3(f, C -> 2C)), 2C -> C)
 *                    h[..., :c1] = convKxK(h[..., :c1])          c1 = floor(C * ratio)
 *                    h = h * sigmoid(conv3x3(h))                  (if attention)
 *                    f = f + conv1x1(h)
 * upsampler sr = depthToSpace_r(conv3x3(f, K_r) + conv5x5(lr, B_r))
 * </pre>
 * No normalisation and no global operation: output pixels depend on a bounded neighbourhood
 * ({@link #radius()}) and convolutions pad with zeros (SAME), so tiling with a halo of at least the
 * radius reproduces whole-image inference.
 *
 * <p><b>Kernel generator (IGConv).</b> K_r has shape {@code [3, 3, C, 3 r^2]} (YXIO). For every
 * (tap, input channel) there are F learned frequency pairs (f1, f2), amplitudes a and phases
 * p = p0 + p1 * (2 / r) (conditioned on the cell size). For each sub-pixel cell centre (x, y) of the
 * r x r grid (x_j = -1 + (2j + 1) / r, in [-1, 1]) the features a * cos(pi (f1 x + f2 y + p)) and
 * a * sin(...) (2F values) go through an MLP (2F -> D -> ... -> 3, GELU) to the 3 (RGB) weights of
 * that (tap, channel, sub-pixel). Output channel (i r + j) * 3 + c of the conv is sub-pixel (i, j),
 * colour c: TensorFlow's DCR depth-to-space order (what ND4J's depthToSpace uses). The training
 * graph does the pixel shuffle as reshape -> permute -> reshape with r fed as a placeholder, so one
 * graph trains every scale; inference graphs use depthToSpace(r) on the instantiated K_r.
 *
 * <p><b>Skip.</b> B_r is a fixed (not trained) 5x5 kernel that upsamples the LR image: MATLAB
 * bicubic (the weights of {@link Resize} per output phase, a = -0.5) or nearest (the LR pixel
 * repeated). It runs on the LR image mirrored by 2 pixels (SYMMETRIC, as MATLAB does), so the skip
 * equals {@code Resize.imresize} on the whole input, borders included, and patch borders in
 * training do not see a zero-padded (dark) skip.
 *
 * <p><b>Geometric ensemble</b> (optional): K_r is replaced by the mean of its 8 images under the
 * dihedral group acting jointly on the taps and the sub-pixel grid (flip ky with i, kx with j,
 * transpose (ky, kx) with (i, j)). It is part of the training graph too, so instantiation folds it in
 * at no inference cost and training and inference compute the same function.
 *
 * <p><b>Why one long class:</b> the training graph, the inference graph (and its two-phase form of
 * the large-kernel conv) and the cost model (FLOPs, working memory) must describe the same network
 * variable by variable; kept in one file, a change to a block cannot miss one of them. Its config
 * is {@link IgConvPlksrConfig}, its ONNX form {@link IgConvPlksrOnnx}.
 */
public final class IgConvPlksr implements Architecture {
  public static final String NAME = "igconv-plksr";

  static final String COORDS = "coords";
  static final String CELL = "cell";
  static final String SCALE = "r";
  static final String SKIP_KERNEL = "skip_kernel";
  static final String KERNEL = "kernel";

  static final int SKIP_SIZE = 5;

  /**
   * The inference graph's second placeholder: the LR batch mirrored by 2 pixels
   * ({@link BorderPolicy#SYMMETRIC}, MATLAB's border) for the skip. Built on the Java side: the
   * graph's SYMMETRIC pad op took 72 of 1,399 ms of a pass (two 332 x 332 tiles, x2, one thread;
   * docs/BENCHMARKS.md), the copy here about 1 ms.
   */
  public static final String LR_PADDED = "lr_padded";
  /** {@link #graphVariant} of the graph for even widths (two-phase large-kernel conv). */
  static final int EVEN_WIDTH = 1;

  private final IgConvPlksrConfig cfg;

  public IgConvPlksr(IgConvPlksrConfig config) {
    this.cfg = Objects.requireNonNull(config, "config").validate();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public IgConvPlksrConfig config() {
    return cfg;
  }

  @Override
  public List<Integer> scales() {
    return cfg.scales();
  }

  /**
   * 1 (head) + N * (1 + 1 + k/2 + attention) + 1 (the K_r conv), and at least the skip's radius
   * (2 for bicubic, 0 for nearest).
   */
  @Override
  public int radius() {
    int block = 2 + cfg.kernelSize() / 2 + (cfg.attention() ? 1 : 0);
    int net = 1 + cfg.blocks() * block + 1;
    return Math.max(net, skipRadius());
  }

  private int skipRadius() {
    return "bicubic".equals(cfg.skip()) ? 2 : 0;
  }

  /**
   * REPLICATE: the edge pixel continued outwards. Training patches never see an image border, so
   * any policy is an extrapolation; replicate keeps edges flat, which the network treats as a
   * smooth area (reflect would invent mirrored detail at the edge).
   */
  @Override
  public BorderPolicy defaultBorder() {
    return BorderPolicy.REPLICATE;
  }

  @Override
  public long parameterCount() {
    long n = 0;
    for (long[] s : paramShapes().values()) {
      long m = 1;
      for (long d : s) {
        m *= d;
      }
      n += m;
    }
    return n;
  }

  @Override
  public double flopsPerOutputPixel(int scale) {
    long c = cfg.channels();
    long c1 = cfg.splitChannels();
    long k = cfg.kernelSize();
    long perLr = 9 * 3 * c; // head
    long block = 9 * c * 2 * c + 9 * 2 * c * c + k * k * c1 * c1 + c * c;
    if (cfg.attention()) {
      block += 9 * c * c;
    }
    perLr += cfg.blocks() * block;
    long r2 = (long) scale * scale;
    // per HR pixel: its share of the encoder, the 3 outputs of the K_r conv and of the skip conv
    double macs = (double) perLr / r2 + 3 * 9 * c + 3 * SKIP_SIZE * SKIP_SIZE * 3;
    return 2 * macs;
  }

  /** C, {@link IgConvPlksrConfig#channels()}. */
  @Override
  public int featureChannels() {
    return cfg.channels();
  }

  /**
   * Float32 activations of about 4C + 4 channels per LR pixel (a PLKSR block holds x, its 2C
   * expansion and the attention branch at once) and 8 values per HR pixel (the r^2 x 3 output of
   * the upsampling conv, the bicubic skip, their sum and the Java copies). Fitted to the default
   * model (C = 32) on the oneDNN CPU build: a 332 x 332 tile at x4 measured 107-109 MB of peak RSS
   * per tile at batch 1-2 (this gives 114 MB), at x2 62-76 MB (72 MB).
   */
  @Override
  public long workingBytes(int height, int width, int scale) {
    long lr = (long) height * width;
    long hr = lr * scale * scale;
    return Float.BYTES * (lr * (4L * featureChannels() + 4) + hr * 8);
  }

  /** The NCHW graph of {@link #inferenceGraphNchw} and its inputs. */
  @Override
  public Optional<NchwGraph> nchwGraph() {
    return Optional.of(new NchwGraph() {
      @Override
      public SameDiff inferenceGraph(Map<String, INDArray> weights) {
        return inferenceGraphNchw(weights);
      }

      @Override
      public Map<String, INDArray> inferenceInputs(INDArray lrNchw) {
        return inferenceInputsNchw(lrNchw);
      }
    });
  }

  /** {@link IgConvPlksrOnnx}. */
  @Override
  public Optional<OnnxExport> onnxExport() {
    return Optional.of(new IgConvPlksrOnnx(cfg));
  }

  // ---------------------------------------------------------------- parameters

  /** Every trainable parameter, name -> shape, in creation order. */
  Map<String, long[]> paramShapes() {
    Map<String, long[]> p = new LinkedHashMap<>();
    long c = cfg.channels();
    long c1 = cfg.splitChannels();
    long k = cfg.kernelSize();
    p.put("enc.head.w", new long[] {3, 3, 3, c});
    p.put("enc.head.b", new long[] {c});
    for (int i = 0; i < cfg.blocks(); i++) {
      String b = "enc.b" + i + ".";
      p.put(b + "mix1.w", new long[] {3, 3, c, 2 * c});
      p.put(b + "mix1.b", new long[] {2 * c});
      p.put(b + "mix2.w", new long[] {3, 3, 2 * c, c});
      p.put(b + "mix2.b", new long[] {c});
      p.put(b + "plk.w", new long[] {k, k, c1, c1});
      p.put(b + "plk.b", new long[] {c1});
      if (cfg.attention()) {
        p.put(b + "att.w", new long[] {3, 3, c, c});
        p.put(b + "att.b", new long[] {c});
      }
      p.put(b + "proj.w", new long[] {1, 1, c, c});
      p.put(b + "proj.b", new long[] {c});
    }
    long rows = 9 * c * cfg.fourierFeatures();
    p.put("gen.freq", new long[] {rows, 2});
    p.put("gen.phase", new long[] {rows, 1});
    p.put("gen.phase_cell", new long[] {rows, 1});
    p.put("gen.amp", new long[] {rows, 1});
    long in = 2L * cfg.fourierFeatures();
    for (int l = 0; l < cfg.mlpLayers(); l++) {
      long out = l == cfg.mlpLayers() - 1 ? 3 : cfg.mlpDim();
      p.put("gen.mlp" + l + ".w", new long[] {in, out});
      p.put("gen.mlp" + l + ".b", new long[] {1, out});
      in = out;
    }
    return p;
  }

  /** Deterministic initial value of a parameter. */
  private INDArray initial(String name, long[] shape, long seed) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    Random rnd = new Random(seed * 1_000_003L + name.hashCode());
    if (name.endsWith(".b") || name.equals("gen.phase_cell")) {
      // zero
    } else if (name.equals("gen.amp")) {
      java.util.Arrays.fill(v, 1f);
    } else if (name.equals("gen.phase")) {
      for (int i = 0; i < n; i++) {
        v[i] = (float) (2 * rnd.nextDouble() - 1);
      }
    } else if (name.equals("gen.freq")) {
      for (int i = 0; i < n; i++) {
        v[i] = (float) (1.5 * rnd.nextGaussian());
      }
    } else {
      // He-normal on the fan-in; damped where a branch joins a residual sum or makes the kernel
      long fanIn = 1;
      for (int i = 0; i < shape.length - 1; i++) {
        fanIn *= shape[i];
      }
      double std = Math.sqrt(2.0 / fanIn);
      if (name.endsWith("proj.w")) {
        std *= 0.1;
      } else if (name.equals("gen.mlp" + (cfg.mlpLayers() - 1) + ".w")) {
        // the generated weights start small: the network starts near the skip (bicubic)
        std = 0.01 / Math.sqrt(9.0 * cfg.channels()) / Math.sqrt(fanIn);
      }
      for (int i = 0; i < n; i++) {
        v[i] = (float) (std * rnd.nextGaussian());
      }
    }
    return Nd4j.create(v, shape, 'c');
  }

  /**
   * The parameters of this (wider) model that compute what {@code from} computes with
   * {@code params}: every configuration key equal but {@code channels} (C -> C' >= C) and
   * {@code split-ratio} (c1 -> c1' >= c1). Old channels keep their indices; new feature channels
   * start at zero (the head and every block's 1x1 projection write nothing to them), so nothing
   * they feed (the blocks' first convs, the generated K_r) changes the output; every weight from a
   * new channel into an old one is zero, and the large-kernel conv passes channels [c1, c1')
   * through unchanged (a centred delta), as the narrower model's split did. Weights into new
   * channels are drawn as a fresh model's are ({@code seed}), so the new channels start to learn
   * from the first step (the new feature channels through the K_r weights the generator makes for
   * them). Tested: the widened model's output equals the original's.
   */
  @Override
  public Map<String, INDArray> widen(Architecture from, Map<String, INDArray> params, long seed) {
    if (!(from instanceof IgConvPlksr narrow)) {
      return Architecture.super.widen(from, params, seed);
    }
    IgConvPlksrConfig a = narrow.cfg;
    if (!a.withWidth(cfg.channels(), cfg.splitRatio()).equals(cfg)) {
      throw new IllegalArgumentException("a model can only be widened (more 'channels', the same "
          + "other keys): " + a + " -> " + cfg);
    }
    int c = a.channels();
    int cw = cfg.channels();
    int c1 = a.splitChannels();
    int c1w = cfg.splitChannels();
    if (cw < c || c1w < c1) {
      throw new IllegalArgumentException("a model can only be widened: 'channels' " + c + " -> "
          + cw + ", large-kernel channels " + c1 + " -> " + c1w);
    }
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : paramShapes().entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      INDArray old = params.get(name);
      if (old == null) {
        throw new IllegalArgumentException("the weights to widen have no '" + name + "'");
      }
      INDArray w;
      if (name.startsWith("gen.mlp")) {
        w = old.dup();
      } else if (name.startsWith("gen.")) {
        // rows (tap, channel, feature): old channels keep theirs, new ones are drawn afresh
        int ff = cfg.fourierFeatures();
        w = initial(name, shape, seed).reshape('c', 9, cw, ff, shape[1]).dup('c');
        w.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c), NDArrayIndex.all(),
            NDArrayIndex.all()).assign(old.reshape('c', 9, c, ff, shape[1]));
        w = w.reshape('c', shape).dup('c');
      } else if (name.endsWith(".b")) {
        w = Nd4j.zeros(DataType.FLOAT, shape);
        w.get(NDArrayIndex.interval(0, old.length())).assign(old);
      } else if (name.endsWith("plk.w")) {
        w = Nd4j.zeros(DataType.FLOAT, shape);
        put(w, old);
        int mid = cfg.kernelSize() / 2;
        for (int i = c1; i < c1w; i++) {
          w.putScalar(new long[] {mid, mid, i, i}, 1f);
        }
      } else if (name.equals("enc.head.w") || name.endsWith("proj.w")) {
        // what writes the residual stream: nothing into the new channels
        w = Nd4j.zeros(DataType.FLOAT, shape);
        put(w, old);
      } else {
        // mix1, mix2, att: new outputs drawn afresh, nothing from new inputs into old outputs
        w = initial(name, shape, seed);
        long inOld = old.size(2);
        long outOld = old.size(3);
        w.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(inOld, shape[2]),
            NDArrayIndex.interval(0, outOld)).assign(0);
        put(w, old);
      }
      out.put(name, w);
    }
    return out;
  }

  /** {@code old} into the leading corner of {@code w} (every axis from 0). */
  private static void put(INDArray w, INDArray old) {
    org.nd4j.linalg.indexing.INDArrayIndex[] at =
        new org.nd4j.linalg.indexing.INDArrayIndex[old.rank()];
    for (int i = 0; i < at.length; i++) {
      at[i] = NDArrayIndex.interval(0, old.size(i));
    }
    w.get(at).assign(old);
  }

  // ---------------------------------------------------------------- graphs

  @Override
  public SameDiff trainingGraph(long seed) {
    SameDiff sd = SameDiff.create();
    Map<String, SDVariable> p = new LinkedHashMap<>();
    paramShapes().forEach((name, shape) -> p.put(name, sd.var(name, initial(name, shape, seed))));
    SDVariable lr = sd.placeHolder(LR, DataType.FLOAT, -1, -1, -1, 3);
    SDVariable hr = sd.placeHolder(HR, DataType.FLOAT, -1, -1, -1, 3);
    SDVariable coords = sd.placeHolder(COORDS, DataType.FLOAT, -1, 2);
    SDVariable cell = sd.placeHolder(CELL, DataType.FLOAT, 1);
    SDVariable r = sd.placeHolder(SCALE, DataType.INT64, 1);
    SDVariable skipK = sd.placeHolder(SKIP_KERNEL, DataType.FLOAT, SKIP_SIZE, SKIP_SIZE, 3, -1);

    SDVariable feat = encoder(sd, lr, p, false, false, false);
    SDVariable kernel = generator(sd, p, coords, cell, r);
    SDVariable y = conv(sd, feat, kernel, null, 3, false).add(skip(sd, lr, skipK, false));
    // pixel shuffle in DCR order: [B, h, w, r*r*3] -> [B, h, w, r, r, 3] -> [B, h, r, w, r, 3]
    SDVariable shp = sd.shape(y).castTo(DataType.INT64);
    SDVariable three = sd.constant(Nd4j.createFromArray(3L));
    SDVariable bhw = shp.get(SDIndex.interval(0, 3));
    SDVariable y6 = sd.reshape(y, sd.concat(0, bhw, r, r, three)).permute(0, 1, 3, 2, 4, 5);
    SDVariable outShape = sd.concat(0, shp.get(SDIndex.interval(0, 1)),
        shp.get(SDIndex.interval(1, 2)).mul(r), shp.get(SDIndex.interval(2, 3)).mul(r), three);
    SDVariable sr = sd.reshape(SR, y6, outShape);
    SDVariable lossMap = sd.math().abs(LOSS_MAP, sr.sub(hr));
    lossMap.mean(LOSS);
    sd.setLossVariables(LOSS);
    return sd;
  }

  @Override
  public List<String> scaleInputNames() {
    return List.of(COORDS, CELL, SCALE, SKIP_KERNEL);
  }

  @Override
  public INDArray[] scaleInputs(int scale) {
    return new INDArray[] {
      Nd4j.create(subPixelCentres(scale), new long[] {(long) scale * scale, 2}, 'c'),
      Nd4j.createFromArray(2f / scale),
      Nd4j.createFromArray((long) scale),
      Nd4j.create(skipKernel(scale, cfg.skip()),
          new long[] {SKIP_SIZE, SKIP_SIZE, 3, 3L * scale * scale}, 'c')
    };
  }

  @Override
  public Map<String, INDArray> instantiate(SameDiff training) {
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String name : paramShapes().keySet()) {
      if (name.startsWith("enc.")) {
        w.put(name, training.getVariable(name).getArr().dup());
      }
    }
    List<String> inputs = scaleInputNames();
    for (int s : cfg.scales()) {
      INDArray[] in = scaleInputs(s);
      Map<String, INDArray> ph = new LinkedHashMap<>();
      ph.put(COORDS, in[inputs.indexOf(COORDS)]);
      ph.put(CELL, in[inputs.indexOf(CELL)]);
      ph.put(SCALE, in[inputs.indexOf(SCALE)]);
      w.put("x" + s + ".kernel", training.output(ph, KERNEL).get(KERNEL).dup());
      w.put("x" + s + ".skip", in[inputs.indexOf(SKIP_KERNEL)]);
    }
    return w;
  }

  @Override
  public SameDiff inferenceGraph(Map<String, INDArray> weights) {
    return graph(weights, false, false);
  }

  /**
   * {@value #EVEN_WIDTH} for even widths when the large-kernel conv has fewer than 16 output
   * channels (one AVX-512 register of floats): its two-phase form ({@link #twoPhaseConv}) fills
   * the vector lanes the plain conv leaves half empty. Odd widths take the general graph.
   */
  @Override
  public int graphVariant(int width) {
    return width % 2 == 0 && cfg.splitChannels() < 16 ? EVEN_WIDTH : 0;
  }

  @Override
  public SameDiff inferenceGraph(Map<String, INDArray> weights, int variant) {
    return graph(weights, false, variant == EVEN_WIDTH);
  }

  /**
   * The general inference graph in NCHW: input {@code [B, 3, h, w]}, outputs
   * {@code [B, 3, rh, rw]}, the same weights (YXIO kernels serve both layouts). It exists to
   * measure the layouts against each other.
   */
  public SameDiff inferenceGraphNchw(Map<String, INDArray> weights) {
    return graph(weights, true, false);
  }

  /** {@code twoPhase}: NHWC, even widths only ({@link #graphVariant}). */
  private SameDiff graph(Map<String, INDArray> weights, boolean nchw, boolean twoPhase) {
    SameDiff sd = SameDiff.create();
    Map<String, SDVariable> p = new LinkedHashMap<>();
    Map<String, INDArray> w = foldTanhScales(weights);
    if (twoPhase) {
      w = twoPhaseKernels(w);
    }
    for (Map.Entry<String, INDArray> e : w.entrySet()) {
      p.put(e.getKey(), sd.constant(e.getKey(), e.getValue()));
    }
    SDVariable lr = nchw ? sd.placeHolder(LR, DataType.FLOAT, -1, 3, -1, -1)
        : sd.placeHolder(LR, DataType.FLOAT, -1, -1, -1, 3);
    SDVariable lrPadded = nchw ? sd.placeHolder(LR_PADDED, DataType.FLOAT, -1, 3, -1, -1)
        : sd.placeHolder(LR_PADDED, DataType.FLOAT, -1, -1, -1, 3);
    SDVariable feat = encoder(sd, lr, p, nchw, true, twoPhase);
    for (int s : cfg.scales()) {
      SDVariable k = required(p, "x" + s + ".kernel");
      SDVariable b = required(p, "x" + s + ".skip");
      // the sum itself is the DCR output (no identity copy of the largest tensor per pass)
      SDVariable y = conv(sd, feat, k, null, 3, nchw).add(Architecture.dcrOutputName(s),
          skipConv(sd, lrPadded, b, nchw));
      sd.cnn().depthToSpace(Architecture.outputName(s), y, s,
          nchw ? DataFormat.NCHW : DataFormat.NHWC);
    }
    return sd;
  }

  @Override
  public Map<String, INDArray> inferenceInputs(float[] nhwc, int n, int h, int w) {
    int b = SKIP_SIZE / 2;
    return Map.of(LR, Nd4j.create(nhwc, new long[] {n, h, w, 3}, 'c'),
        LR_PADDED, Nd4j.create(mirrorNhwc(nhwc, n, h, w, b), new long[] {n, h + 2 * b,
            w + 2 * b, 3}, 'c'));
  }

  /** The placeholders of the NCHW graph ({@code inferenceGraph(weights, true)}) for an NCHW batch. */
  public Map<String, INDArray> inferenceInputsNchw(INDArray lrNchw) {
    Map<String, INDArray> nhwc = inferenceInputs(lrNchw.permute(0, 2, 3, 1));
    Map<String, INDArray> out = new LinkedHashMap<>();
    nhwc.forEach((k, v) -> out.put(k, v.permute(0, 3, 1, 2).dup('c')));
    return out;
  }

  /** {@code n} NHWC RGB tiles mirrored ({@link BorderPolicy#SYMMETRIC}) by {@code b} pixels. */
  static float[] mirrorNhwc(float[] x, int n, int h, int w, int b) {
    int ph = h + 2 * b;
    int pw = w + 2 * b;
    float[] out = new float[n * ph * pw * 3];
    int[] col = new int[pw];
    for (int i = 0; i < pw; i++) {
      col[i] = BorderPolicy.SYMMETRIC.map(i - b, w);
    }
    int o = 0;
    for (int t = 0; t < n; t++) {
      for (int y = 0; y < ph; y++) {
        int row = (t * h + BorderPolicy.SYMMETRIC.map(y - b, h)) * w;
        for (int i = 0; i < pw; i++) {
          int src = (row + col[i]) * 3;
          out[o++] = x[src];
          out[o++] = x[src + 1];
          out[o++] = x[src + 2];
        }
      }
    }
    return out;
  }

  private static SDVariable required(Map<String, SDVariable> p, String name) {
    SDVariable v = p.get(name);
    if (v == null) {
      throw new IllegalArgumentException("weights lack '" + name + "'");
    }
    return v;
  }

  /** GELU's and the attention sigmoid's slope inside tanh: gelu(x) = x sigmoid(1.702 x). */
  private static final double GELU_SLOPE = 1.702;

  /**
   * The weights for the tanh form of the inference encoder ({@code encoder(..., true)}): with
   * sigmoid(z) = (1 + tanh(z / 2)) / 2,
   * <pre>
   *   gelu(h)        = h' (1 + tanh(h')) / 1.702      h' = 0.851 h   (mix1 w, b x 0.851)
   *   h sigmoid(a)   = (h + h tanh(a')) / 2            a' = a / 2     (att w, b x 0.5)
   * </pre>
   * and the outer factors 1 / 1.702 and 1 / 2 go into the linear conv that follows (mix2 w,
   * proj w; not their biases). Same function, two cheap element-wise passes and one vectorised
   * tanh instead of libnd4j's scalar gelu/sigmoid loops.
   */
  private Map<String, INDArray> foldTanhScales(Map<String, INDArray> weights) {
    Map<String, INDArray> w = new LinkedHashMap<>(weights);
    for (int i = 0; i < cfg.blocks(); i++) {
      String b = "enc.b" + i + ".";
      scale(w, b + "mix1.w", GELU_SLOPE / 2);
      scale(w, b + "mix1.b", GELU_SLOPE / 2);
      scale(w, b + "mix2.w", 1 / GELU_SLOPE);
      if (cfg.attention()) {
        scale(w, b + "att.w", 0.5);
        scale(w, b + "att.b", 0.5);
        scale(w, b + "proj.w", 0.5);
      }
    }
    return w;
  }

  private static void scale(Map<String, INDArray> w, String name, double factor) {
    INDArray v = w.get(name);
    if (v == null) {
      throw new IllegalArgumentException("weights lack '" + name + "'");
    }
    w.put(name, v.castTo(DataType.DOUBLE).muli(factor).castTo(v.dataType()));
  }

  /**
   * The encoder. {@code tanhForm}: the inference form over {@link #foldTanhScales} weights;
   * otherwise gelu and sigmoid as trained.
   */
  private SDVariable encoder(SameDiff sd, SDVariable lr, Map<String, SDVariable> p,
      boolean nchw, boolean tanhForm, boolean twoPhase) {
    int ch = nchw ? 1 : 3;
    int c1 = cfg.splitChannels();
    int c = cfg.channels();
    int k = cfg.kernelSize();
    SDVariable f = conv(sd, lr, required(p, "enc.head.w"), required(p, "enc.head.b"), 3, nchw);
    for (int i = 0; i < cfg.blocks(); i++) {
      String b = "enc.b" + i + ".";
      SDVariable h = conv(sd, f, required(p, b + "mix1.w"), required(p, b + "mix1.b"), 3, nchw);
      h = tanhForm ? h.mul(OneDnnTanh.of(sd, h)).add(h) : sd.nn().gelu(h);
      h = conv(sd, h, required(p, b + "mix2.w"), required(p, b + "mix2.b"), 3, nchw);
      if (c1 < c) {
        SDVariable h1 = nchw
            ? h.get(SDIndex.all(), SDIndex.interval(0, c1), SDIndex.all(), SDIndex.all())
            : h.get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.interval(0, c1));
        SDVariable h2 = nchw
            ? h.get(SDIndex.all(), SDIndex.interval(c1, c), SDIndex.all(), SDIndex.all())
            : h.get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.interval(c1, c));
        h1 = largeKernelConv(sd, h1, p, b, k, nchw, twoPhase);
        h = sd.concat(ch, h1, h2);
      } else {
        h = largeKernelConv(sd, h, p, b, k, nchw, twoPhase);
      }
      if (cfg.attention()) {
        SDVariable a = conv(sd, h, required(p, b + "att.w"), required(p, b + "att.b"), 3, nchw);
        h = tanhForm ? h.mul(OneDnnTanh.of(sd, a)).add(h) : h.mul(sd.nn().sigmoid(a));
      }
      h = conv(sd, h, required(p, b + "proj.w"), required(p, b + "proj.b"), 1, nchw);
      f = f.add(h);
    }
    return f;
  }

  private static SDVariable largeKernelConv(SameDiff sd, SDVariable x, Map<String, SDVariable> p,
      String block, int k, boolean nchw, boolean twoPhase) {
    return twoPhase
        ? twoPhaseConv(sd, x, required(p, block + "plk.w2"), required(p, block + "plk.b2"), k)
        : conv(sd, x, required(p, block + "plk.w"), required(p, block + "plk.b"), k, nchw);
  }

  /**
   * A k x k SAME conv of an NHWC input of even width as a k x (k+1) conv of stride 2 along x
   * with twice the output channels ({@link #twoPhaseKernels}): output channel {@code p c + o} at
   * column x' is channel o of output column {@code 2 x' + p}, so {@code [B, H, W/2, 2c]} is, byte
   * for byte, the plain conv's {@code [B, H, W, c]} and the reshape moves nothing. SAME padding
   * of a (k+1)-wide kernel at stride 2 pads W by (k-1)/2 on either side, as the plain conv does.
   * oneDNN vectorises a direct conv over 16 output channels; with 8 it computes half-empty vectors
   * (75-82 GFLOP/s against 150-159 for the 3x3 convs, docs/BENCHMARKS.md); 2 x 8 fills them at
   * (k+1)/k of the FLOPs. Measured: 13 x 13 8->8 on 588 x 588, 109 -> 64 ms (one thread).
   */
  private static SDVariable twoPhaseConv(SameDiff sd, SDVariable x, SDVariable w2, SDVariable b2,
      int k) {
    return sd.reshape(sd.cnn().conv2d(x, w2, b2, twoPhaseConfig(k)), sd.shape(x));
  }

  /** The conv config of {@link #twoPhaseConv} for a k x k kernel (NHWC, YXIO weights). */
  public static Conv2DConfig twoPhaseConfig(int k) {
    return Conv2DConfig.builder().kH(k).kW(k + 1).sH(1).sW(2).paddingMode(PaddingMode.SAME)
        .dataFormat("NHWC").build();
  }

  /**
   * The two-phase form of a k x k conv's weights {@code w [k, k, i, c]} and bias ({@code c}
   * values), for {@link #twoPhaseConv}: {@code w2 [k, k+1, i, 2c]} with
   * {@code w2[ky, kx + p, i, p c + o] = w[ky, kx, i, o]}, zero elsewhere, and the bias twice.
   */
  public static INDArray[] twoPhaseWeights(INDArray w, INDArray bias) {
    long k = w.size(0);
    long c = w.size(3);
    INDArray w2 = Nd4j.zeros(w.dataType(), k, k + 1, w.size(2), 2 * c);
    INDArray b2 = Nd4j.create(w.dataType(), 2 * c);
    for (int ph = 0; ph < 2; ph++) {
      w2.get(NDArrayIndex.all(), NDArrayIndex.interval(ph, ph + k), NDArrayIndex.all(),
          NDArrayIndex.interval(ph * c, (ph + 1) * c)).assign(w);
      b2.get(NDArrayIndex.interval(ph * c, (ph + 1) * c)).assign(bias.reshape(c));
    }
    return new INDArray[] {w2, b2};
  }

  /** Replaces {@code plk.w}, {@code plk.b} per block by their {@link #twoPhaseWeights}. */
  private Map<String, INDArray> twoPhaseKernels(Map<String, INDArray> weights) {
    Map<String, INDArray> out = new LinkedHashMap<>(weights);
    for (int i = 0; i < cfg.blocks(); i++) {
      String b = "enc.b" + i + ".";
      INDArray w = out.remove(b + "plk.w");
      INDArray bias = out.remove(b + "plk.b");
      if (w == null || bias == null) {
        throw new IllegalArgumentException("weights lack '" + b + "plk.w' or '" + b + "plk.b'");
      }
      INDArray[] two = twoPhaseWeights(w, bias);
      out.put(b + "plk.w2", two[0]);
      out.put(b + "plk.b2", two[1]);
    }
    return out;
  }

  /** K_r {@code [3, 3, C, 3 r^2]} from the sub-pixel centres, the cell size and r. */
  private SDVariable generator(SameDiff sd, Map<String, SDVariable> p, SDVariable coords,
      SDVariable cell, SDVariable r) {
    int c = cfg.channels();
    int ff = cfg.fourierFeatures();
    // [9CF, 2] x [S, 2]^T -> [9CF, S]
    SDVariable arg = sd.mmul(p.get("gen.freq"), coords, false, true, false);
    SDVariable phase = p.get("gen.phase").add(p.get("gen.phase_cell").mul(cell));
    arg = arg.add(phase).mul(Math.PI);
    SDVariable amp = p.get("gen.amp");
    SDVariable cos = sd.math().cos(arg).mul(amp);
    SDVariable sin = sd.math().sin(arg).mul(amp);
    // [9C, F, S] -> [9C, S, F]; features [9C, S, 2F] -> rows (tap, channel, sub-pixel)
    cos = sd.reshape(cos, 9L * c, ff, -1).permute(0, 2, 1);
    sin = sd.reshape(sin, 9L * c, ff, -1).permute(0, 2, 1);
    SDVariable h = sd.reshape(sd.concat(2, cos, sin), -1, 2L * ff);
    for (int l = 0; l < cfg.mlpLayers(); l++) {
      h = sd.mmul(h, p.get("gen.mlp" + l + ".w")).add(p.get("gen.mlp" + l + ".b"));
      if (l < cfg.mlpLayers() - 1) {
        h = sd.nn().gelu(h);
      }
    }
    // rows (tap, c, s) x 3 colours -> [3, 3, C, S * 3]: output channel s * 3 + colour (DCR)
    SDVariable kernel = sd.reshape(h, 3, 3, c, -1);
    if (cfg.ensemble()) {
      SDVariable three = sd.constant(Nd4j.createFromArray(3L, 3L, (long) c));
      SDVariable rgb = sd.constant(Nd4j.createFromArray(3L));
      SDVariable k6 = sd.reshape(kernel, sd.concat(0, three, r, r, rgb)); // [ky, kx, c, i, j, rgb]
      SDVariable a = k6.add(sd.reverse(k6, 0, 3));
      SDVariable b = a.add(sd.reverse(a, 1, 4));
      SDVariable t = b.add(b.permute(1, 0, 2, 4, 3, 5));
      kernel = sd.reshape(t.mul(0.125), 3, 3, c, -1);
    }
    return sd.identity(KERNEL, kernel);
  }

  /**
   * The skip: B_r applied to the LR image mirrored by 2 pixels (SYMMETRIC, MATLAB's border), so it
   * equals {@code Resize.imresize} on the whole input, borders included.
   */
  private static SDVariable skip(SameDiff sd, SDVariable lr, SDVariable kernel, boolean nchw) {
    int h = SKIP_SIZE / 2;
    SDVariable pads = sd.constant(Nd4j.createFromArray(nchw
        ? new int[][] {{0, 0}, {0, 0}, {h, h}, {h, h}}
        : new int[][] {{0, 0}, {h, h}, {h, h}, {0, 0}}));
    return skipConv(sd, sd.nn().pad(lr, pads, PadMode.SYMMETRIC, 0), kernel, nchw);
  }

  /** B_r on an LR batch already mirrored by 2 pixels. */
  private static SDVariable skipConv(SameDiff sd, SDVariable padded, SDVariable kernel,
      boolean nchw) {
    Conv2DConfig c = Conv2DConfig.builder().kH(SKIP_SIZE).kW(SKIP_SIZE).sH(1).sW(1)
        .paddingMode(PaddingMode.VALID).dataFormat(nchw ? "NCHW" : "NHWC").build();
    return sd.cnn().conv2d(padded, kernel, c);
  }

  private static SDVariable conv(SameDiff sd, SDVariable x, SDVariable w, SDVariable b, int k,
      boolean nchw) {
    Conv2DConfig c = Conv2DConfig.builder().kH(k).kW(k).sH(1).sW(1)
        .paddingMode(PaddingMode.SAME).dataFormat(nchw ? "NCHW" : "NHWC").build();
    return b == null ? sd.cnn().conv2d(x, w, c) : sd.cnn().conv2d(x, w, b, c);
  }

  // ---------------------------------------------------------------- fixed tensors

  /** Centres of the r x r sub-pixel cells in [-1, 1], row s = i r + j holds (x_j, y_i). */
  static float[] subPixelCentres(int r) {
    float[] v = new float[2 * r * r];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < r; j++) {
        int s = i * r + j;
        v[2 * s] = (float) (-1 + (2.0 * j + 1) / r);
        v[2 * s + 1] = (float) (-1 + (2.0 * i + 1) / r);
      }
    }
    return v;
  }

  /**
   * The 1-D skip weights of output phase {@code i} (0-based) on the LR offsets -2..2:
   * MATLAB bicubic (source coordinate u = (i + 0.5) / r + 0.5 in 1-based units relative to the LR
   * pixel, weights cubic(u - o - 1) normalised) or nearest (offset 0).
   */
  static double[] skipWeights1d(int r, int i, String mode) {
    double[] w = new double[SKIP_SIZE];
    if ("nearest".equals(mode)) {
      w[SKIP_SIZE / 2] = 1;
      return w;
    }
    double u = (i + 0.5) / r + 0.5;
    double sum = 0;
    for (int o = -3; o <= 3; o++) {
      sum += Resize.cubic(u - o - 1);
    }
    for (int o = -2; o <= 2; o++) {
      w[o + 2] = Resize.cubic(u - o - 1) / sum;
    }
    return w;
  }

  /** B_r {@code [5, 5, 3, 3 r^2]} (YXIO): colour c of sub-pixel (i, j) from LR colour c only. */
  static float[] skipKernel(int r, String mode) {
    int outC = 3 * r * r;
    float[] k = new float[SKIP_SIZE * SKIP_SIZE * 3 * outC];
    double[][] w = new double[r][];
    for (int i = 0; i < r; i++) {
      w[i] = skipWeights1d(r, i, mode);
    }
    for (int ky = 0; ky < SKIP_SIZE; ky++) {
      for (int kx = 0; kx < SKIP_SIZE; kx++) {
        for (int i = 0; i < r; i++) {
          for (int j = 0; j < r; j++) {
            for (int c = 0; c < 3; c++) {
              int o = (i * r + j) * 3 + c;
              k[((ky * SKIP_SIZE + kx) * 3 + c) * outC + o] = (float) (w[i][ky] * w[j][kx]);
            }
          }
        }
      }
    }
    return k;
  }

  /** The parameter groups (name prefixes) gradient tests check. */
  public static List<String> parameterGroups() {
    return new ArrayList<>(List.of("gen.freq", "gen.phase", "gen.amp", "gen.mlp", "enc."));
  }
}
