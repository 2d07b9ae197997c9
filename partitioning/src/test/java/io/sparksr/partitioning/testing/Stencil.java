package io.sparksr.partitioning.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.inference.TileOperator;
import io.sparksr.partitioning.tiling.BorderPolicy;
import java.util.Random;

/**
 * An upscaling stencil: output (X, Y) = sum over |dx|,|dy| <= r of k[phase][dy][dx] times the
 * input at (X / s + dx, Y / s + dy), reading zero outside the array it is given (as a CNN's zero
 * padding does), so it is only right on a tile's core if the halo covers the radius.
 */
public record Stencil(int radius, int scale, float[][] kernels) implements TileOperator {
  public static Stencil random(Random rnd, int radius, int scale) {
    int side = 2 * radius + 1;
    float[][] k = new float[scale * scale][side * side];
    for (float[] phase : k) {
      for (int i = 0; i < phase.length; i++) {
        phase[i] = rnd.nextFloat() - 0.3f;
      }
    }
    return new Stencil(radius, scale, k);
  }

  /** The value read at (x, y) of the source, under the given lookup. */
  interface Source {
    float at(int c, int x, int y);
  }

  float value(Source src, int c, int ox, int oy) {
    int x = ox / scale;
    int y = oy / scale;
    float[] k = kernels[(oy % scale) * scale + (ox % scale)];
    int side = 2 * radius + 1;
    float acc = 0;
    for (int dy = -radius; dy <= radius; dy++) {
      for (int dx = -radius; dx <= radius; dx++) {
        acc += k[(dy + radius) * side + dx + radius] * src.at(c, x + dx, y + dy);
      }
    }
    return acc + 0.01f * c;
  }

  @Override
  public ImageTensor apply(ImageTensor tile, int s) {
    assertThat(s).isEqualTo(scale);
    ImageTensor out = ImageTensor.zeros(tile.channels(), tile.height() * s, tile.width() * s);
    Source zeroPadded = (c, x, y) -> x < 0 || y < 0 || x >= tile.width() || y >= tile.height()
        ? 0f : tile.get(c, y, x);
    for (int c = 0; c < tile.channels(); c++) {
      for (int y = 0; y < out.height(); y++) {
        for (int x = 0; x < out.width(); x++) {
          out.set(c, y, x, value(zeroPadded, c, x, y));
        }
      }
    }
    return out;
  }

  /** The independent definition: the operator on the whole image, borders by the policy. */
  public ImageTensor reference(ImageTensor img, BorderPolicy policy) {
    ImageTensor out = ImageTensor.zeros(img.channels(), img.height() * scale, img.width() * scale);
    Source bordered = (c, x, y) -> {
      int mx = policy.map(x, img.width());
      int my = policy.map(y, img.height());
      return mx < 0 || my < 0 ? 0f : img.get(c, my, mx);
    };
    for (int c = 0; c < img.channels(); c++) {
      for (int y = 0; y < out.height(); y++) {
        for (int x = 0; x < out.width(); x++) {
          out.set(c, y, x, value(bordered, c, x, y));
        }
      }
    }
    return out;
  }

  @Override
  public boolean supportsScale(int s) {
    return s == scale;
  }
}
