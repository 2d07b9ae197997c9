package io.sparksr.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.sparksr.io.ImageStore;
import io.sparksr.model.ModelBundle;
import io.sparksr.model.ModelRegistry;
import io.sparksr.model.SrModel;
import io.sparksr.partitioning.image.ImageTensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import onnx.Onnx.ModelProto;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exported shipped model, run by ONNX Runtime (CPU), gives SrModel.run's numbers (max |diff|
 * <= 1e-4, the bound) at every scale on random and real tiles.
 */
class OnnxExporterTest {
  private static final double BOUND = 1e-4;
  private static ModelBundle bundle;
  private static SrModel model;
  private static OrtEnvironment env;

  @BeforeAll
  static void load() throws Exception {
    bundle = ModelBundle.readResource(ModelRegistry.DEFAULT_RESOURCE);
    model = SrModel.fromBundle(bundle, "classpath:" + ModelRegistry.DEFAULT_RESOURCE);
    env = OrtEnvironment.getEnvironment();
  }

  /** What the exporter emits for GELU must be what DL4J computes: x * sigmoid(1.702 x). */
  @Test
  void dl4jGeluIsTheSigmoidApproximation() {
    int n = 1201;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = -6f + 12f * i / (n - 1);
    }
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1);
    sd.nn().gelu("g", x);
    INDArray g = sd.output(Map.of("x", Nd4j.createFromArray(v)), "g").get("g");
    double sigmoid = 0;
    double tanh = 0;
    for (int i = 0; i < n; i++) {
      double xi = v[i];
      double got = g.getDouble(i);
      sigmoid = Math.max(sigmoid, Math.abs(got - xi / (1 + Math.exp(-1.702 * xi))));
      tanh = Math.max(tanh, Math.abs(got
          - 0.5 * xi * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (xi + 0.044715 * xi * xi * xi)))));
    }
    assertThat(sigmoid).isLessThan(2e-6);
    assertThat(tanh).isGreaterThan(1e-2); // nor the tanh form (nor erf, within 1e-3 of tanh)
    assertThat(OnnxExporter.GELU_SIGMOID_SCALE).isEqualTo(1.702f);
  }

  @ParameterizedTest(name = "x{0}")
  @ValueSource(ints = {2, 3, 4})
  void matchesSrModelOnRandomAndRealTiles(int scale) throws Exception {
    byte[] onnx = OnnxExporter.export(bundle, scale);
    ModelProto proto = ModelProto.parseFrom(onnx);
    assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(OnnxExporter.OPSET);
    assertThat(proto.getGraph().getInput(0).getName()).isEqualTo("lr");
    assertThat(proto.getGraph().getOutput(0).getName()).isEqualTo("sr");
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(onnx, o)) {
        Random rnd = new Random(scale);
        float[] nchw = new float[2 * 3 * 40 * 52];
        for (int i = 0; i < nchw.length; i++) {
          nchw[i] = rnd.nextFloat();
        }
        double random = maxDiff(session, nchw, 2, 40, 52, scale);
        System.out.printf("x%d random 2x40x52: max |ORT - DL4J| = %.3g%n", scale, random);
        assertThat(random).isLessThanOrEqualTo(BOUND);

        Path set5 = Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath()
            .getParent().resolve("shared/datasets/Set5/baby.png").normalize();
        if (!Files.isRegularFile(set5)) {
          System.out.println("skipped the Set5 crop: no ../shared/datasets");
          return;
        }
        ImageTensor img = new ImageStore(new Configuration()).read(set5.toString()).tensor()
            .toRgb();
        int h = 48;
        int w = 64;
        float[] crop = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              crop[(c * h + y) * w + x] =
                  img.data()[(c * img.height() + 200 + y) * img.width() + 220 + x];
            }
          }
        }
        double real = maxDiff(session, crop, 1, h, w, scale);
        System.out.printf("x%d Set5 baby 48x64 crop: max |ORT - DL4J| = %.3g%n", scale, real);
        assertThat(real).isLessThanOrEqualTo(BOUND);
      }
    }
  }

  @Test
  void rejectsAScaleTheModelDoesNotServe() {
    assertThatThrownBy(() -> OnnxExporter.export(bundle, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'scale' is 5 but the model serves [2, 3, 4]");
  }

  /** Runs both on an NCHW batch; max |ORT - DL4J| over every output sample. */
  private static double maxDiff(OrtSession session, float[] nchw, int n, int h, int w, int r)
      throws Exception {
    float[] nhwc = new float[nchw.length];
    for (int b = 0; b < n; b++) {
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < h * w; i++) {
          nhwc[(b * h * w + i) * 3 + c] = nchw[(b * 3 + c) * h * w + i];
        }
      }
    }
    INDArray dl4j = model.run(Nd4j.create(nhwc, new long[] {n, h, w, 3}, 'c'), r).dup('c');
    assertThat(dl4j.shape()).containsExactly(n, (long) h * r, (long) w * r, 3);
    float[] expected = dl4j.data().asFloat();
    int oh = h * r;
    int ow = w * r;
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw),
        new long[] {n, 3, h, w});
        OrtSession.Result res = session.run(Map.of(OnnxExporter.INPUT, in))) {
      OnnxTensor out = (OnnxTensor) res.get(OnnxExporter.OUTPUT).orElseThrow();
      assertThat(out.getInfo().getShape()).containsExactly(n, 3, oh, ow);
      FloatBuffer got = out.getFloatBuffer();
      double max = 0;
      for (int b = 0; b < n; b++) {
        for (int c = 0; c < 3; c++) {
          for (int i = 0; i < oh * ow; i++) {
            float o = got.get((b * 3 + c) * oh * ow + i);
            float e = expected[(b * oh * ow + i) * 3 + c];
            max = Math.max(max, Math.abs(o - e));
          }
        }
      }
      return max;
    }
  }
}
