package io.sparksr.jobs.upscale;

import java.io.Serializable;

/** One row of the manifest: what happened to one input image. */
public record ImageOutcome(String input, String output, boolean ok, int width, int height,
    int outputWidth, int outputHeight, int tiles, String reason) implements Serializable {

  static ImageOutcome failed(String input, String output, String reason) {
    return new ImageOutcome(input, output, false, 0, 0, 0, 0, 0, reason);
  }

  static String csvHeader() {
    return "input,output,status,width,height,output_width,output_height,tiles,reason";
  }

  String csvRow() {
    return String.join(",", csv(input), csv(output), ok ? "ok" : "failed",
        Integer.toString(width), Integer.toString(height), Integer.toString(outputWidth),
        Integer.toString(outputHeight), Integer.toString(tiles), csv(reason == null ? "" : reason));
  }

  private static String csv(String s) {
    if (s == null) {
      return "";
    }
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
