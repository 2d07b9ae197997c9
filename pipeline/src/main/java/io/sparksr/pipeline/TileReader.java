package io.sparksr.pipeline;

import io.sparksr.io.ImageStore;
import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.Rect;
import io.sparksr.partitioning.tiling.TileSpec;
import io.sparksr.partitioning.tiling.Tiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the padded inputs of some tiles of one image: each tile's own region when the source
 * allows it (tiled TIFF), otherwise one read of the band of rows the tiles span (the whole image
 * when they span it), cropped per tile. Padding outside the image follows the border policy.
 */
final class TileReader {
  private TileReader() {}

  static List<ImageTensor> readPadded(ImageStore store, ImageJob im, List<TileSpec> tiles,
      Tiling tiling) throws IOException {
    List<ImageTensor> padded = new ArrayList<>(tiles.size());
    String source = im.source().path();
    if (im.source().regionReadable()) {
      for (TileSpec t : tiles) {
        padded.add(pad(store.readRegion(source, t.read()), t, im, tiling));
      }
      return padded;
    }
    Rect band = tiles.get(0).read();
    for (TileSpec t : tiles) {
      band = union(band, t.read());
    }
    ImageTensor read = band.equals(new Rect(0, 0, im.width(), im.height()))
        ? store.read(source).tensor() : store.readRegion(source, band);
    for (TileSpec t : tiles) {
      ImageTensor part = read.crop(t.read().translate(-band.x(), -band.y()));
      padded.add(pad(part, t, im, tiling));
    }
    return padded;
  }

  private static ImageTensor pad(ImageTensor read, TileSpec tile, ImageJob im, Tiling tiling) {
    return Tiles.pad(read, tile.read(), tile.padded(), im.width(), im.height(), tiling.border());
  }

  private static Rect union(Rect a, Rect b) {
    int x0 = Math.min(a.x(), b.x());
    int y0 = Math.min(a.y(), b.y());
    return new Rect(x0, y0, Math.max(a.right(), b.right()) - x0,
        Math.max(a.bottom(), b.bottom()) - y0);
  }
}
