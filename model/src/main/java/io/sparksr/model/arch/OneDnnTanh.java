package io.sparksr.model.arch;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * libnd4j's declarable {@code tanh} op in a SameDiff graph. {@code sd.math().tanh} builds the
 * legacy transform op instead, which runs a scalar loop; the declarable op has a oneDNN platform
 * implementation in the {@code -onednn} builds (JIT-vectorised): 1,065 against 138 M elements/s on
 * one AVX-512 core, 14.1 M floats ({@code EltwiseBench}, docs/BENCHMARKS.md). Inference only: no
 * gradient is defined here.
 */
public final class OneDnnTanh extends DynamicCustomOp {
  public OneDnnTanh() {}

  public OneDnnTanh(SameDiff sd, SDVariable x) {
    super(sd, new SDVariable[] {x});
  }

  @Override
  public String opName() {
    return "tanh";
  }

  @Override
  public List<DataType> calculateOutputDataTypes(List<DataType> in) {
    return List.of(in.get(0));
  }

  /** tanh(x) through the declarable op. */
  public static SDVariable of(SameDiff sd, SDVariable x) {
    return new OneDnnTanh(sd, x).outputVariable();
  }
}
