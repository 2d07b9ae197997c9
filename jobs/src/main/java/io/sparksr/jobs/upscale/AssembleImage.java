package io.sparksr.jobs.upscale;

import io.sparksr.io.HadoopConf;
import io.sparksr.pipeline.ImageAssembler;
import io.sparksr.pipeline.ImageOutcome;
import io.sparksr.pipeline.OutputSettings;
import io.sparksr.pipeline.TileOutput;
import io.sparksr.pipeline.Tiling;
import io.sparksr.pipeline.Upscaled;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Step 5, for images split over partitions: after the shuffle by image, puts one image's tiles
 * together and writes it ({@link ImageAssembler}); an image its partition already finished
 * arrives as its outcome.
 */
final class AssembleImage implements Function<Tuple2<Integer, Iterable<Upscaled>>, ImageOutcome> {
  private final Broadcast<HadoopConf> conf;
  private final Tiling tiling;
  private final OutputSettings settings;

  AssembleImage(Broadcast<HadoopConf> conf, Tiling tiling, OutputSettings settings) {
    this.conf = conf;
    this.tiling = tiling;
    this.settings = settings;
  }

  @Override
  public ImageOutcome call(Tuple2<Integer, Iterable<Upscaled>> byImage) {
    List<TileOutput> tiles = new ArrayList<>();
    for (Upscaled u : byImage._2()) {
      if (u instanceof ImageOutcome done) {
        return done; // finished in its partition: the only record of its image
      }
      tiles.add((TileOutput) u);
    }
    return ImageAssembler.finish(conf.value().get(), tiling, settings, tiles);
  }

  /** Keys a partition's record by its image, for the shuffle. */
  static final class ByImage implements PairFunction<Upscaled, Integer, Upscaled> {
    @Override
    public Tuple2<Integer, Upscaled> call(Upscaled u) {
      return new Tuple2<>(u.imageIndex(), u);
    }
  }

  /** When no image is split, every record is an image's outcome. */
  static final class Finished implements Function<Upscaled, ImageOutcome> {
    @Override
    public ImageOutcome call(Upscaled u) {
      if (u instanceof ImageOutcome done) {
        return done;
      }
      throw new IllegalStateException("tile " + ((TileOutput) u).tile() + " of image "
          + u.imageIndex() + " was not stitched in its partition");
    }
  }
}
