package io.sparksr.partitioning.degrade;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.image.Quantized;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A fixed degradation evaluate applies to an LR image after the MATLAB-bicubic downscale (e.g.
 * {@code jpeg75}: one JPEG round trip at quality 75; {@code noise3+jpeg90}: Gaussian noise of
 * sigma 3 levels, then JPEG 90), so models are scored on the inputs archives hold. Deterministic:
 * noise fields are seeded by the op's seed and the image's key, so every run, model and setting
 * sees the same degraded LR. The result is rounded to 8 bits, as an LR file would be.
 *
 * @param name the name in {@code --degradations} and in result rows ({@value #CLEAN}: none)
 * @param ops  applied in order
 */
public record LrDegradation(String name, List<Op> ops) implements Serializable {
  public static final String CLEAN = "clean";

  /** No degradation. */
  public static final LrDegradation NONE = new LrDegradation(CLEAN, List.of());

  /**
   * One step.
   *
   * @param kind  {@code jpeg} (value = quality 1..100), {@code gaussian} (value = sigma in 8-bit
   *              levels), {@code poisson} (value = BasicSR's scale) or {@code blur} (value = the
   *              sigma of an isotropic Gaussian, kernel side 2 * ceil(3 sigma) + 1)
   * @param value the kind's parameter
   * @param seed  the noise seed (noise kinds)
   */
  public record Op(String kind, double value, long seed) implements Serializable {
    public Op {
      if (!List.of("jpeg", "gaussian", "poisson", "blur").contains(kind)) {
        throw new IllegalArgumentException("degradation op '" + kind
            + "' is not one of jpeg, gaussian, poisson, blur");
      }
      if (kind.equals("jpeg") && (value < 1 || value > 100)) {
        throw new IllegalArgumentException("jpeg quality is " + value + " but must be 1..100");
      }
      if (!(value >= 0)) {
        throw new IllegalArgumentException(kind + " is " + value + " but must be >= 0");
      }
      if (kind.equals("blur") && value == 0) {
        // a Gaussian of sigma 0 normalises 0 / 0: every tap NaN, a black LR
        throw new IllegalArgumentException("blur is 0 but must be > 0 (leave the step out for "
            + "no blur)");
      }
    }

    /** This step as text: {@code jpeg 75}, {@code gaussian 3 seed 0}, {@code blur 1.2}. */
    public String spec() {
      String v = value == Math.rint(value) && Math.abs(value) < 1e15
          ? Long.toString((long) value) : Double.toString(value);
      boolean noise = kind.equals("gaussian") || kind.equals("poisson");
      return kind + " " + v + (noise ? " seed " + seed : "");
    }
  }

  public LrDegradation {
    Objects.requireNonNull(name, "name");
    ops = List.copyOf(ops);
    if (name.isBlank() || !name.matches("[A-Za-z0-9_.+-]+")) {
      throw new IllegalArgumentException("degradation name '" + name
          + "' must be letters, digits and _ . + - only");
    }
    if (ops.isEmpty() && !name.equals(CLEAN)) {
      // a setting on the clean LR is named without its degradation: 'none' would be a second
      // 'clean' under another name, and its rows would collide with clean's
      throw new IllegalArgumentException("degradation '" + name + "' has no steps; the clean LR "
          + "is '" + CLEAN + "'");
    }
  }

  /**
   * The steps as text ({@code jpeg 75, gaussian 3 seed 0}; empty for the clean LR): what a result
   * computed from this LR records, so a degradation redefined under the same name is told apart.
   */
  public String spec() {
    return String.join(", ", ops.stream().map(Op::spec).toList());
  }

  public boolean isClean() {
    return ops.isEmpty();
  }

  /** {@code lr} degraded; {@code imageKey} (e.g. data set/image/scale) seeds its noise fields. */
  public ImageTensor apply(ImageTensor lr, String imageKey) {
    if (ops.isEmpty()) {
      return lr;
    }
    ImageTensor x = lr;
    for (Op op : ops) {
      x = switch (op.kind()) {
        case "jpeg" -> Jpeg.roundTrip(x, (int) Math.round(op.value()));
        case "blur" -> {
          int side = 2 * (int) Math.ceil(3 * op.value()) + 1;
          yield Kernels.convolve(x, Kernels.kernel("iso", side, op.value(), op.value(), 0, 0),
              side);
        }
        default -> Degrader.noise(x, new DegradationParams.Stage("", 0, 0, 0, 0, 0, "", 1,
            op.kind(), op.value(), false, seed(op.seed(), imageKey), 0));
      };
      x = Quantized.of(x, 8).toTensor();
    }
    return x;
  }

  private static long seed(long seed, String key) {
    long h = seed * 0x9E3779B97F4A7C15L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ b) * 0x100000001B3L;
    }
    return h;
  }
}
