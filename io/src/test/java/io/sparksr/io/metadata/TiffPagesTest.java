package io.sparksr.io.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import javax.imageio.plugins.tiff.TIFFTagSet;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only the first image of a TIFF is read: the pages after it are reported dropped (a 5-page
 * scanned letter must not become a 1-page derivative without a word), reduced-resolution images
 * (previews) are not pages.
 */
class TiffPagesTest {
  @TempDir
  Path dir;

  @Test
  void pagesAfterTheFirstAreReportedAndPreviewsAreNotPages() throws Exception {
    Path three = dir.resolve("letter.tif");
    // page 1, page 2, a reduced-resolution preview, page 3
    Files.write(three, tiff(image(19, 15), page(false), image(7, 5), page(false), image(5, 4),
        page(true), image(9, 6), page(false)));
    assertThat(pages(three)).containsExactly(false, false, true, false);
    SourceMetadata m = SourceMetadata.read(new Configuration(), three.toString());
    assertThat(m.problems()).containsExactly(
        "pages (2 more page(s) of a multi-page TIFF: only the first is read)");
    // the output's report says it
    OutputMetadata out = OutputMetadata.of(m, null, "tiff", 38, 30);
    assertThat(out.report().summary())
        .contains("dropped pages (2 more page(s) of a multi-page TIFF: only the first is read)");

    Path withPreview = dir.resolve("photo.tif");
    Files.write(withPreview, tiff(image(19, 15), page(false), image(5, 4), page(true)));
    assertThat(SourceMetadata.read(new Configuration(), withPreview.toString()).problems())
        .isEmpty();
    Path single = dir.resolve("single.tif");
    Files.write(single, tiff(image(19, 15), page(false)));
    assertThat(SourceMetadata.read(new Configuration(), single.toString()).problems()).isEmpty();
  }

  private static BufferedImage image(int w, int h) {
    BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    b.setRGB(0, 0, 0x123456);
    return b;
  }

  /** NewSubfileType 1 (reduced resolution) or 0. */
  private static TIFFDirectory page(boolean reduced) {
    TIFFDirectory d = new TIFFDirectory(new TIFFTagSet[] {BaselineTIFFTagSet.getInstance()},
        null);
    d.addTIFFField(new TIFFField(BaselineTIFFTagSet.getInstance()
        .getTag(BaselineTIFFTagSet.TAG_NEW_SUBFILE_TYPE), TIFFTag.TIFF_LONG, 1,
        new long[] {reduced ? 1 : 0}));
    return d;
  }

  /** Images and their directories, alternating. */
  private static byte[] tiff(Object... imagesAndDirs) throws Exception {
    ImageWriter w = ImageIO.getImageWritersByFormatName("tiff").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      w.setOutput(out);
      w.prepareWriteSequence(null);
      for (int i = 0; i < imagesAndDirs.length; i += 2) {
        IIOMetadata md = ((TIFFDirectory) imagesAndDirs[i + 1]).getAsMetadata();
        w.writeToSequence(new IIOImage((BufferedImage) imagesAndDirs[i], null, md), null);
      }
      w.endWriteSequence();
    }
    w.dispose();
    return bytes.toByteArray();
  }

  /** Each image's reduced-resolution bit, as the JDK reads the file back. */
  private static java.util.List<Boolean> pages(Path tiff) throws Exception {
    java.util.List<Boolean> out = new java.util.ArrayList<>();
    try (ImageInputStream in = ImageIO.createImageInputStream(tiff.toFile())) {
      ImageReader r = ImageIO.getImageReaders(in).next();
      r.setInput(in);
      for (int i = 0; i < r.getNumImages(true); i++) {
        TIFFField f = TIFFDirectory.createFromMetadata(r.getImageMetadata(i))
            .getTIFFField(BaselineTIFFTagSet.TAG_NEW_SUBFILE_TYPE);
        out.add(f != null && (f.getAsLong(0) & 1) != 0);
      }
      r.dispose();
    }
    return out;
  }
}
