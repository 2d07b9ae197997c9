package io.sparksr.io;

import io.sparksr.partitioning.image.ImageTensor;

/** A decoded image: pixels (CHW float32 in [0, 1], see {@link ImageStore}) and how to write them back. */
public record DecodedImage(ImageTensor tensor, PixelFormat format) {
}
