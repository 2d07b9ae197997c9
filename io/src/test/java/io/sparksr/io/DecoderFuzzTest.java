package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.partitioning.tiling.Rect;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds mutated image bytes to every decoding entry point ({@link ImageStore#info}, {@link
 * ImageStore#read}, {@link ImageStore#readRegion}, and through them the JDK codecs and {@link
 * TiledTiffReader}) for a bounded time: every outcome must be a decoded image or an {@link
 * ImageDecodeException}, never another exception, an error, or a hang.
 *
 * <p>Seeded (default below; {@code -Dfuzz.seed=N} to replay, {@code -Dfuzz.seconds=S} to run
 * longer); prints the seed and the counts. The store runs with a pixel limit of 16 MP so that a
 * mutated header cannot make an iteration allocate gigabytes (the limit check is itself among
 * the code paths fuzzed).
 */
class DecoderFuzzTest {
  private static final long DEFAULT_SEED = 20261122L;

  @TempDir
  Path dir;

  @Test
  void mutatedImagesGiveOnlyTypedDecodeErrors() throws Exception {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    double seconds = Double.parseDouble(System.getProperty("fuzz.seconds", "20"));
    Configuration conf = new Configuration();
    conf.setDouble(ImageStore.MAX_MEGAPIXELS_KEY, 16);
    ImageStore store = new ImageStore(conf);
    Map<String, byte[]> seeds = seeds(store);

    Map<String, Integer> counts = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    AtomicReference<String> current = new AtomicReference<>("");
    int[] iterations = {0};
    Thread worker = new Thread(() -> {
      Random rnd = new Random(seed);
      List<String> names = new ArrayList<>(seeds.keySet());
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      while (System.nanoTime() < deadline) {
        int it = iterations[0]++;
        String name = names.get(rnd.nextInt(names.size()));
        byte[] original = seeds.get(name);
        String how = mutation(rnd.nextInt(6));
        byte[] bytes = mutate(original, how, rnd);
        String ext = name.substring(name.indexOf('.') + 1);
        int call = rnd.nextInt(3);
        current.set("iteration " + it + " (" + name + ", " + how + ", call " + call + ")");
        Path f = dir.resolve("m" + (it % 8) + "." + ext);
        try {
          Files.write(f, bytes);
          switch (call) {
            case 0 -> store.info(f.toString());
            case 1 -> store.read(f.toString());
            default -> store.readRegion(f.toString(), new Rect(1, 1, 7, 5));
          }
          counts.merge("decoded", 1, Integer::sum);
        } catch (ImageDecodeException e) {
          counts.merge("ImageDecodeException", 1, Integer::sum);
        } catch (IllegalArgumentException e) {
          // a region outside a (mutated, smaller) image: the caller's error, named as such
          if (e.getMessage() != null && e.getMessage().contains("must lie inside the image")) {
            counts.merge("region outside the image", 1, Integer::sum);
          } else {
            failures.add(current.get() + ": " + e);
          }
        } catch (Throwable e) {
          failures.add(current.get() + ": " + e);
        }
      }
    }, "decoder-fuzz");
    long t0 = System.nanoTime();
    worker.setDaemon(true);
    worker.start();
    worker.join((long) (seconds * 1000) + 60_000);
    double took = (System.nanoTime() - t0) / 1e9;
    assertThat(worker.isAlive()).as("a decoder hung at %s", current.get()).isFalse();
    System.out.printf("DecoderFuzzTest: seed %d, %d iterations in %.1f s over %d seed files,"
        + " outcomes %s, %d unexpected%n", seed, iterations[0], took, seeds.size(), counts,
        failures.size());
    failures.stream().limit(10).forEach(f -> System.out.println("  unexpected: " + f));
    assertThat(failures).as("seed %d", seed).isEmpty();
    assertThat(counts.getOrDefault("ImageDecodeException", 0)).isPositive();
    assertThat(counts.getOrDefault("decoded", 0)).isPositive();
  }

  private static String mutation(int k) {
    return switch (k) {
      case 0 -> "flip bytes";
      case 1 -> "truncate";
      case 2 -> "extreme values";
      case 3 -> "delete block";
      case 4 -> "duplicate block";
      default -> "large int";
    };
  }

  private static byte[] mutate(byte[] in, String how, Random rnd) {
    byte[] b = in.clone();
    switch (how) {
      case "flip bytes" -> {
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        return b;
      }
      case "truncate" -> {
        return Arrays.copyOf(b, rnd.nextInt(b.length));
      }
      case "extreme values" -> {
        int at = rnd.nextInt(b.length);
        byte v = new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80}[rnd.nextInt(4)];
        for (int i = at; i < Math.min(b.length, at + 1 + rnd.nextInt(4)); i++) {
          b[i] = v;
        }
        return b;
      }
      case "delete block" -> {
        int at = rnd.nextInt(b.length);
        int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        return out;
      }
      case "duplicate block" -> {
        int at = rnd.nextInt(b.length);
        int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at + len);
        System.arraycopy(b, at, out, at + len, b.length - at);
        return out;
      }
      default -> {
        // headers: sizes, offsets and counts near the start of the file
        int at = rnd.nextInt(Math.max(1, Math.min(b.length - 4, 256)));
        int[] values = {0x7fffffff, 0xffffffff, 65535, 65500 << 16, 1 << 30, -1};
        ByteBuffer.wrap(b).putInt(at, values[rnd.nextInt(values.length)]);
        return b;
      }
    }
  }

  /** Small valid files of every kind the store reads. */
  private Map<String, byte[]> seeds(ImageStore store) throws Exception {
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put("rgb8.png", write(store, "rgb8.png", 3, 8));
    out.put("ga16.png", write(store, "ga16.png", 2, 16));
    out.put("rgba.tif", write(store, "rgba.tif", 4, 8));
    out.put("grey16.tif", write(store, "grey16.tif", 1, 16));
    out.put("rgb.jpg", write(store, "rgb.jpg", 3, 8));
    out.put("rgb.bmp", write(store, "rgb.bmp", 3, 8));
    Path tiled = dir.resolve("seed-tiled.tif");
    store.writeTiledTiff(tiled.toString(), TestImages.random(3, 40, 48, 4),
        PixelFormat.of("tiff", 3, 8), 16);
    out.put("tiled.tif", Files.readAllBytes(tiled));
    TiledTiff.Layout layout = new TiledTiff.Layout(40, 24, 16, 3, 8, false, null, 1);
    long[] counts = new long[layout.tileCount()];
    Arrays.fill(counts, layout.rawTileBytes());
    byte[] tile = new byte[(int) layout.rawTileBytes()];
    new Random(1).nextBytes(tile);
    Path big = dir.resolve("seed-big.tif");
    TiledTiff.write(new Configuration(), big.toString(), layout, counts,
        (i, o) -> o.write(tile), true);
    out.put("bigtiff.tif", Files.readAllBytes(big));
    out.put("palette-trns.png", palettePng());
    out.put("cmyk.jpg", CmykFixtures.cmykJpeg(CmykFixtures.inks(24, 16), 24, 16, "adobe"));
    out.put("ycck.jpg", CmykFixtures.cmykJpeg(CmykFixtures.inks(24, 16), 24, 16, "ycck"));
    ByteArrayOutputStream gif = new ByteArrayOutputStream();
    ImageIO.write(paletteImage(), "gif", gif);
    out.put("palette.gif", gif.toByteArray());
    return out;
  }

  private byte[] write(ImageStore store, String name, int channels, int bits) throws Exception {
    Path f = dir.resolve("seed-" + name);
    String format = name.substring(name.indexOf('.') + 1);
    store.write(f.toString(), TestImages.random(channels, 24, 32, name.hashCode()),
        PixelFormat.of(format, channels, bits));
    return Files.readAllBytes(f);
  }

  private static BufferedImage paletteImage() {
    byte[] r = new byte[16];
    byte[] g = new byte[16];
    byte[] b = new byte[16];
    byte[] a = new byte[16];
    for (int i = 0; i < 16; i++) {
      r[i] = (byte) (i * 16);
      g[i] = (byte) (255 - i * 16);
      b[i] = (byte) (i * 7);
      a[i] = (byte) (i == 0 ? 0 : 255);
    }
    BufferedImage im = new BufferedImage(32, 24, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(4, 16, r, g, b, a));
    for (int y = 0; y < 24; y++) {
      for (int x = 0; x < 32; x++) {
        im.getRaster().setSample(x, y, 0, (x + y) % 16);
      }
    }
    return im;
  }

  private static byte[] palettePng() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(paletteImage(), "png", out);
    return out.toByteArray();
  }
}
