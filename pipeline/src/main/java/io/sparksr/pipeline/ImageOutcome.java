package io.sparksr.pipeline;

/**
 * What happened to one input image: a row of the upscale manifest.
 *
 * @param input        the input (qualified path)
 * @param relative     the input's path below its input root (the output mirrors it); null when
 *                     unknown
 * @param output       the output file ({@code null} when no name could be given)
 * @param status       {@value #OK}, {@value #FAILED} or {@value #SKIPPED} (the output existed)
 * @param reason       why it failed or was skipped; null when ok
 * @param width        input width (0 if unreadable)
 * @param height       input height
 * @param inputBytes   input file size (-1 if unknown)
 * @param outputWidth  output width as written (after the EXIF orientation); 0 if none
 * @param outputHeight output height
 * @param outputBytes  output file size (-1 if none)
 * @param format       output format: png, jpeg, bmp or tiff ({@code tiled-tiff} / {@code bigtiff}
 *                     for outputs assembled from tiles)
 * @param tiles        tiles the image was split into
 * @param seconds      executor seconds spent on the image (tiles, stitch, encode, write)
 * @param metadata     what happened to the input's metadata in the output (kept, changed,
 *                     dropped and why); null when nothing was written
 * @param imageIndex   the image's index in the run's plan; -1 for inputs settled before planning
 */
public record ImageOutcome(String input, String relative, String output, String status,
    String reason, int width, int height, long inputBytes, long outputWidth, long outputHeight,
    long outputBytes, String format, int tiles, double seconds, String metadata, int imageIndex)
    implements Upscaled {

  public static final String OK = "ok";
  public static final String FAILED = "failed";
  public static final String SKIPPED = "skipped";
  /** A file found under an input that is not read (not a supported image): reason says why. */
  public static final String IGNORED = "ignored";

  /** An input that failed before it had a plan entry (unreadable header, name collision...). */
  public static ImageOutcome failed(String input, String relative, String output, String reason) {
    return new ImageOutcome(input, relative, output, FAILED, reason, 0, 0, -1, 0, 0, -1, null, 0,
        0, null, -1);
  }

  /** A file that is not read, and why. */
  public static ImageOutcome ignored(String input, String relative, long bytes, String reason) {
    return new ImageOutcome(input, relative, null, IGNORED, reason, 0, 0, bytes, 0, 0, -1, null,
        0, 0, null, -1);
  }

  /** A planned image that failed. */
  public static ImageOutcome failed(ImageJob job, String reason, int tiles, double seconds) {
    return new ImageOutcome(job.input().path(), job.input().relative(), job.output(), FAILED,
        reason, job.width(), job.height(), job.input().bytes(), 0, 0, -1, null, tiles, seconds,
        null, job.index());
  }

  /** A planned image written to {@code job.output()}; {@code metadata} as in the class comment. */
  public static ImageOutcome ok(ImageJob job, long outputWidth, long outputHeight,
      long outputBytes, String format, String metadata) {
    return new ImageOutcome(job.input().path(), job.input().relative(), job.output(), OK, null,
        job.width(), job.height(), job.input().bytes(), outputWidth, outputHeight, outputBytes,
        format, 0, 0, metadata, job.index());
  }

  /** This outcome with the image's tile count and executor seconds. */
  public ImageOutcome withWork(int newTiles, double newSeconds) {
    return new ImageOutcome(input, relative, output, status, reason, width, height, inputBytes,
        outputWidth, outputHeight, outputBytes, format, newTiles, newSeconds, metadata,
        imageIndex);
  }

  public boolean ok() {
    return OK.equals(status);
  }

  public boolean isFailed() {
    return FAILED.equals(status);
  }

  public boolean skipped() {
    return SKIPPED.equals(status);
  }

  public boolean ignored() {
    return IGNORED.equals(status);
  }
}
