package io.sparksr.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparksr.model.arch.Architecture;
import io.sparksr.model.arch.Architectures;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What callers ask an {@link Architecture} (feature channels, parameters, FLOPs, memory, optional
 * graphs and export) agrees with definitions computed here from the graphs and weights it builds,
 * not from its own formulas. The architecture comes from the registry, by its default name.
 */
class ArchitectureTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The registry's default with the tiny test config's keys. */
  private static Architecture tiny() {
    return Architectures.create(Architectures.defaultName(),
        JSON.valueToTree(TestModels.tinyConfig(false)));
  }

  @Test
  void theDefaultNameIsRegisteredAndBuildsWithoutASpec() {
    assertThat(Architectures.names()).contains(Architectures.defaultName());
    Architecture a = Architectures.create(Architectures.defaultName(), null);
    assertThat(a.name()).isEqualTo(Architectures.defaultName());
  }

  @Test
  void parameterCountIsTheSizeOfTheTrainingGraphsVariables() {
    Architecture a = tiny();
    SameDiff sd = a.trainingGraph(3);
    long n = 0;
    for (SDVariable v : sd.variables()) {
      if (v.isPlaceHolder() || v.isConstant() || v.getVariableType()
          != org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
        continue;
      }
      n += v.getArr().length();
    }
    assertThat(a.parameterCount()).isEqualTo(n);
  }

  @Test
  void featureChannelsAreTheHeadConvsOutputs() {
    Architecture a = tiny();
    Map<String, INDArray> w = a.instantiate(a.trainingGraph(3));
    INDArray head = w.values().stream().filter(x -> x.rank() == 4 && x.size(2) == 3)
        .filter(x -> x.size(0) == 3 && x.size(1) == 3).findFirst().orElseThrow();
    assertThat((long) a.featureChannels()).isEqualTo(head.size(3));
    assertThat(a.featureChannels()).isEqualTo(TestModels.tinyConfig(false).channels());
  }

  /**
   * FLOPs = 2 x the multiply-adds of every conv of the inference graph at scale r (kH kW in out
   * per LR pixel of its YXIO weight), per HR pixel (r^2 of them per LR pixel); biases not counted.
   */
  @Test
  void flopsAreTwiceTheMultiplyAddsOfTheInstantiatedConvs() {
    Architecture a = tiny();
    Map<String, INDArray> w = a.instantiate(a.trainingGraph(3));
    for (int r : a.scales()) {
      double macsPerLr = 0;
      for (Map.Entry<String, INDArray> e : w.entrySet()) {
        String k = e.getKey();
        boolean thisScale = k.startsWith("x" + r + ".");
        boolean otherScale = k.matches("x\\d+\\..*") && !thisScale;
        INDArray x = e.getValue();
        if (x.rank() == 4 && !otherScale) {
          macsPerLr += (double) x.size(0) * x.size(1) * x.size(2) * x.size(3);
        }
      }
      assertThat(a.flopsPerOutputPixel(r)).as("x%d", r)
          .isCloseTo(2 * macsPerLr / (r * r), within(1e-9 * macsPerLr));
    }
  }

  /**
   * The memory estimate of the shipped model against the peak RSS per tile measured on the
   * oneDNN build (332 x 332 tiles: 107-109 MB at x4, 62-76 MB at x2), within 10 %; a model answers
   * its architecture's estimate.
   */
  @Test
  void workingBytesOfTheShippedModelAreNearTheMeasuredPeaks() throws Exception {
    SrModel m = SrModel.loadResource(ModelRegistry.DEFAULT_RESOURCE);
    Architecture a = m.architecture();
    assertThat(m.workingBytes(332, 332, 4)).isEqualTo(a.workingBytes(332, 332, 4));
    assertThat(a.workingBytes(332, 332, 4) / 1e6).isCloseTo(108, within(10.8));
    assertThat(a.workingBytes(332, 332, 2) / 1e6).isCloseTo(69, within(7.6));
    assertThat(a.workingBytes(100, 120, 3)).isGreaterThan(a.workingBytes(100, 100, 3));
  }

  @Test
  void theDefaultArchitectureHasAnNchwGraphAndAnOnnxExport() {
    Architecture a = tiny();
    assertThat(a.nchwGraph()).isPresent();
    assertThat(a.onnxExport()).isPresent();
  }
}
