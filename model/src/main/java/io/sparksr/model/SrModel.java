package io.sparksr.model;

import io.sparksr.model.arch.Architecture;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Resize;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trained multi-scale model as a {@link TileOperator}: the inference graph built from a bundle's
 * instantiated weights (encoder + one plain conv per scale + depth-to-space + skip; the kernel
 * generator never runs here).
 *
 * <p>Pixels: input and output are RGB in [0, 1]; outputs are clamped to [0, 1]. A grey tile (1
 * channel) is replicated to RGB and the output averaged back to grey; an alpha channel (2 or 4
 * channels) is upscaled with MATLAB bicubic, not by the network.
 *
 * <p>Tiling: {@link #radius()} is the receptive-field radius from the architecture (checked
 * empirically by the tests); convolutions pad with zeros, so a tile padded by at least the radius
 * with {@link #defaultBorder()} gives the same core as the whole image. The border is REPLICATE.
 *
 * <p>Threads: one instance per bundle per JVM ({@link #load} caches by the bundle's SHA-256).
 * {@link #upscale} and {@link #run} may be called from any thread; the forward pass itself runs on
 * one of the JVM's {@link ForwardLanes} (long-lived threads, each with its own copy of the graph),
 * so at most {@code lanes} passes run at once and SameDiff's per-thread inference state (about
 * 400 MB of cached activations per thread for 332-pixel tiles) exists once per lane, not once per
 * Spark task thread that ever called the model.
 */
public final class SrModel implements TileOperator {
  private static final Logger LOG = LoggerFactory.getLogger(SrModel.class);
  private static final ConcurrentHashMap<String, SrModel> CACHE = new ConcurrentHashMap<>();

  private final Architecture arch;
  private final BundleMetadata metadata;
  private final String checksum;
  private final String source;
  private final Map<String, INDArray> weights;
  private final BorderPolicy border;

  private SrModel(ModelBundle bundle, String source) {
    this.arch = bundle.architecture();
    this.metadata = bundle.metadata();
    this.checksum = bundle.checksum();
    this.source = source;
    this.weights = bundle.inferenceWeights();
    arch.inferenceGraph(weights); // fails here, naming the missing weight, not at the first tile
    this.border = BorderPolicy.parse(metadata.border());
  }

  /** An inference model of a parsed bundle (not cached). */
  public static SrModel fromBundle(ModelBundle bundle, String source) {
    NativeBackend.configure();
    return new SrModel(bundle, source);
  }

  /**
   * The model in the bundle file {@code path} on its Hadoop file system; one instance per bundle
   * content per JVM.
   *
   * @throws IOException naming the path if unreadable, not a bundle, truncated or corrupt
   */
  public static SrModel load(Configuration conf, String path) throws IOException {
    NativeBackend.configure();
    byte[] bytes = ModelBundle.readBytes(conf, path);
    return cached(bytes, path);
  }

  /** The model in a class-path resource (e.g. the shipped default), cached like {@link #load}. */
  public static SrModel loadResource(String resource) throws IOException {
    NativeBackend.configure();
    try (InputStream in = SrModel.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("model bundle resource " + resource + " is not on the class path");
      }
      return cached(in.readAllBytes(), "classpath:" + resource);
    }
  }

  private static SrModel cached(byte[] bytes, String source) throws IOException {
    String sum = ModelBundle.sha256(bytes);
    try {
      return CACHE.computeIfAbsent(sum, k -> {
        try {
          long t0 = System.nanoTime();
          SrModel m = new SrModel(ModelBundle.parse(bytes, source), source);
          LOG.info("loaded model {} ({} {}, scales {}, radius {}, sha256 {}) in {} ms", source,
              m.arch.name(), m.metadata.weights(), m.arch.scales(), m.radius(), k,
              (System.nanoTime() - t0) / 1_000_000);
          return m;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  public Architecture architecture() {
    return arch;
  }

  /** The instantiated inference weights (read only). */
  Map<String, INDArray> weights() {
    return weights;
  }

  public BundleMetadata metadata() {
    return metadata;
  }

  /** SHA-256 of the bundle file (null for a model made in memory). */
  public String checksum() {
    return checksum;
  }

  public String source() {
    return source;
  }

  @Override
  public int radius() {
    return metadata.radius();
  }

  @Override
  public boolean supportsScale(int scale) {
    return arch.scales().contains(scale);
  }

  @Override
  public BorderPolicy defaultBorder() {
    return border;
  }

  @Override
  public ImageTensor apply(ImageTensor tile, int scale) {
    return upscale(List.of(tile), scale).get(0);
  }

  /** One forward pass over the whole batch ({@link #upscale}). */
  @Override
  public List<ImageTensor> applyBatch(List<ImageTensor> tiles, int scale) {
    return upscale(tiles, scale);
  }

  /** {@link Architecture#workingBytes}. */
  @Override
  public long workingBytes(int height, int width, int scale) {
    return arch.workingBytes(height, width, scale);
  }

  /**
   * The most tiles of this shape one forward pass takes: as many as keep twice their
   * {@link #workingBytes} within the lane's array cache ({@link ForwardLanes#cacheBytes()}), at
   * least 1. The cache keeps released arrays per exact shape, so a pass reuses its own arrays
   * only if the cache holds each shape's peak, about twice the pass's peak working set: two
   * 588-pixel tiles at x4 (718 MB by {@link #workingBytes}) ran at 5.09 s per round with the
   * 1,024 MiB cache and 3.59 s with 2,048 MiB; one tile per pass at 1,024 MiB, 3.82 s for the
   * same work (docs/BENCHMARKS.md). Larger batches go through in several passes.
   */
  int tilesPerPass(int height, int width, int scale) {
    long per = 2 * Math.max(1, workingBytes(height, width, scale));
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ForwardLanes.cacheBytes() / per));
  }

  /**
   * Upscales tiles of one size, in forward passes of at most {@link #tilesPerPass} tiles.
   *
   * @throws IllegalArgumentException if the scale is not served or the tiles differ in shape
   */
  public List<ImageTensor> upscale(List<ImageTensor> tiles, int scale) {
    return upscale(tiles, scale, tiles.isEmpty() ? 1
        : tilesPerPass(tiles.get(0).height(), tiles.get(0).width(), scale));
  }

  /** {@link #upscale(List, int)} in forward passes of at most {@code most} tiles. */
  List<ImageTensor> upscale(List<ImageTensor> tiles, int scale, int most) {
    checkScale(scale);
    if (tiles.isEmpty()) {
      return List.of();
    }
    ImageTensor first = tiles.get(0);
    for (ImageTensor t : tiles) {
      if (!t.sameShape(first)) {
        throw new IllegalArgumentException("tiles of one batch must have one shape but " + t
            + " differs from " + first);
      }
    }
    int ch = first.channels();
    if (ch < 1 || ch > 4) {
      throw new IllegalArgumentException(
          "tile has " + ch + " channels but must have 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA)");
    }
    List<ImageTensor> result = new ArrayList<>(tiles.size());
    for (int i = 0; i < tiles.size(); i += most) {
      result.addAll(pass(tiles.subList(i, Math.min(tiles.size(), i + most)), scale));
    }
    return result;
  }

  /** One forward pass over tiles of one (checked) shape. */
  private List<ImageTensor> pass(List<ImageTensor> tiles, int scale) {
    ImageTensor first = tiles.get(0);
    int ch = first.channels();
    int h = first.height();
    int w = first.width();
    int n = tiles.size();
    int colour = ch >= 3 ? 3 : 1;
    float[] in = new float[n * h * w * 3];
    for (int b = 0; b < n; b++) {
      float[] d = tiles.get(b).data();
      int plane = h * w;
      int base = b * plane * 3;
      for (int c = 0; c < 3; c++) {
        int src = (colour == 3 ? c : 0) * plane;
        for (int i = 0; i < plane; i++) {
          in[base + i * 3 + c] = d[src + i];
        }
      }
    }
    int r = scale;
    int oplane = h * r * w * r;
    float[][] out = new float[n][ch * oplane];
    forward(in, n, h, w, scale, o -> shuffle(o, h, w, r, colour, out));
    List<ImageTensor> result = new ArrayList<>(n);
    for (int b = 0; b < n; b++) {
      float[] t = out[b];
      if (ch == 2 || ch == 4) {
        ImageTensor alpha = Resize.imresize(tiles.get(b).channels(ch - 1, ch), scale);
        float[] a = alpha.data();
        for (int i = 0; i < oplane; i++) {
          t[(ch - 1) * oplane + i] = clamp(a[i]);
        }
      }
      result.add(new ImageTensor(ch, h * r, w * r, t));
    }
    return result;
  }

  /**
   * The raw network output (not clamped) for an NHWC RGB batch {@code [B, h, w, 3]}: returns
   * {@code [B, h*scale, w*scale, 3]}. Runs on one of the JVM's forward lanes.
   */
  public INDArray run(INDArray lrNhwc, int scale) {
    checkScale(scale);
    if (lrNhwc.rank() != 4 || lrNhwc.size(3) != 3) {
      throw new IllegalArgumentException("input shape is " + java.util.Arrays.toString(
          lrNhwc.shape()) + " but must be [batch, height, width, 3] (NHWC RGB)");
    }
    String name = Architecture.outputName(scale);
    int variant = arch.graphVariant((int) lrNhwc.size(2));
    return ForwardLanes.shared().call(() -> {
      Map<String, INDArray> in = arch.inferenceInputs(lrNhwc);
      INDArray out = graph(variant).output(in, name).get(name);
      in.values().forEach(INDArray::close);
      return out;
    });
  }

  /**
   * One forward pass on a lane over {@code n} NHWC RGB tiles in {@code in}; {@code read} gets the
   * output before the pixel shuffle ({@link Architecture#dcrOutputName}, c order) where the pass
   * left it, on the lane, and copies out what it needs (the graph's depth_to_space took 31 of
   * 1,228 ms of a pass at x2; a copy of the whole output to a Java array 66 MB per 588-pixel tile
   * at x4). The output array goes back to the lane's cache for the next pass (no fresh pages to
   * fault in); the inputs made here are closed at once (not left to the garbage collector), so
   * off-heap memory does not pile up between collections.
   */
  private void forward(float[] in, int n, int h, int w, int scale,
      java.util.function.Consumer<FloatBuffer> read) {
    String name = Architecture.dcrOutputName(scale);
    ForwardLanes.shared().call(() -> {
      Map<String, INDArray> x = arch.inferenceInputs(in, n, h, w);
      try {
        INDArray out = graph(arch.graphVariant(w)).output(x, name).get(name);
        INDArray c = out.ordering() == 'c' && !out.isView() && out.offset() == 0 ? out
            : out.dup('c');
        long want = (long) n * h * w * scale * scale * 3;
        if (c.length() != want) {
          throw new IllegalStateException("the graph gave " + c.length() + " values for "
              + java.util.Arrays.toString(c.shape()) + " but " + want + " were expected");
        }
        read.accept(c.data().asNioFloat());
        if (c != out) {
          c.close();
        }
        ForwardLanes.arrayCache().release(out);
        return null;
      } finally {
        x.values().forEach(INDArray::close);
      }
    });
  }

  /**
   * Pixel shuffle and clamp of a DCR output {@code [n, h, w, r, r, 3]} (sample (y, x, i, j, c) is
   * colour c of output pixel (y r + i, x r + j)) into the first planes of {@code out[b]}: three
   * colour planes, or their mean for grey ({@code colour} 1). Row by row through a small buffer.
   */
  private static void shuffle(FloatBuffer o, int h, int w, int r, int colour, float[][] out) {
    int ow = w * r;
    int oplane = h * r * ow;
    int rowLen = w * r * r * 3;
    float[] row = new float[rowLen];
    for (int b = 0; b < out.length; b++) {
      float[] t = out[b];
      for (int y = 0; y < h; y++) {
        o.get((b * h + y) * rowLen, row, 0, rowLen);
        int k = 0;
        for (int x = 0; x < w; x++) {
          for (int i = 0; i < r; i++) {
            int dst = (y * r + i) * ow + x * r;
            for (int j = 0; j < r; j++, k += 3) {
              if (colour == 3) {
                t[dst + j] = clamp(row[k]);
                t[oplane + dst + j] = clamp(row[k + 1]);
                t[2 * oplane + dst + j] = clamp(row[k + 2]);
              } else {
                t[dst + j] = clamp((row[k] + row[k + 1] + row[k + 2]) / 3f);
              }
            }
          }
        }
      }
    }
  }

  /**
   * This lane thread's copy of the inference graph of {@code variant}
   * ({@link Architecture#graphVariant}), built on first use, with an inference session made here
   * over the lane's bounded array cache ({@link ForwardLanes#arrayCache()}): tiles of many shapes
   * (an archive of photos of many sizes) would fill SameDiff's default one.
   */
  private SameDiff graph(int variant) {
    return ForwardLanes.local(this, variant, () -> {
      SameDiff sd = arch.inferenceGraph(weights, variant);
      InferenceSession session = new InferenceSession(sd);
      session.setMmgr(ForwardLanes.arrayCache());
      sd.getSessions().put(Thread.currentThread().getId(), session);
      return sd;
    });
  }

  private void checkScale(int scale) {
    if (!supportsScale(scale)) {
      throw new IllegalArgumentException("scale is " + scale + " but model " + source
          + " serves " + arch.scales());
    }
  }

  private static float clamp(float v) {
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }
}
