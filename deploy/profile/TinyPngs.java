import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * Writes {@code count} small RGB PNGs (16x16, content varying with the index) into one flat
 * folder, for the archive-scale benchmark (archive_bench.sh). Runs on a bare JDK:
 * {@code java deploy/profile/TinyPngs.java <folder> <count>}.
 */
public class TinyPngs {
  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args[0]));
    int count = Integer.parseInt(args[1]);
    IntStream.range(0, count).parallel().forEach(i -> {
      BufferedImage im = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          int v = (i * 31 + x * 7 + y * 13) & 0xff;
          im.setRGB(x, y, v << 16 | ((v + x * 9) & 0xff) << 8 | ((i >> 8) + y * 5) & 0xff);
        }
      }
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(im, "png", out);
        Files.write(dir.resolve(String.format("img%07d.png", i)), out.toByteArray());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
  }
}
