package io.sparksr.jobs.upscale;

import io.sparksr.io.PixelFormat;
import java.io.Serializable;

/** An input image accepted for upscaling, with where its output goes. */
record ImageJob(int index, String input, String output, int width, int height,
    boolean regionReadable, PixelFormat format) implements Serializable {}
