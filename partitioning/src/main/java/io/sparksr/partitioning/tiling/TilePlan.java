package io.sparksr.partitioning.tiling;

import java.io.Serializable;
import java.util.List;

/**
 * The immutable result of {@link TilePlanner#plan}: a grid of {@code columns x rows} tiles over a
 * {@code width x height} image, upscaled by {@code scale}.
 */
public record TilePlan(int width, int height, int tileSize, int halo, int scale, int columns,
    int rows, List<TileSpec> tiles) implements Serializable {

  public TilePlan {
    tiles = List.copyOf(tiles);
  }

  public int outputWidth() {
    return width * scale;
  }

  public int outputHeight() {
    return height * scale;
  }

  public Rect image() {
    return new Rect(0, 0, width, height);
  }

  public TileSpec tile(int column, int row) {
    return tiles.get(row * columns + column);
  }

  /** The tiles of one tile row, left to right. */
  public List<TileSpec> band(int row) {
    return tiles.subList(row * columns, (row + 1) * columns);
  }

  /** Output rows {@code [y, y + h)} covered by band {@code row}. */
  public Rect bandOutput(int row) {
    TileSpec first = tile(0, row);
    return new Rect(0, first.output().y(), outputWidth(), first.output().height());
  }
}
