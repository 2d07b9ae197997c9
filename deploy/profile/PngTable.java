import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * The table side of the archive-scale benchmark (docs/BENCHMARKS.md), with parquet-hadoop and
 * the JDK's PNG decoder, on the application's class path:
 * <pre>
 * java -cp "$(ls jobs/target/*-app.jar):$(cat deploy/spark-runtime/target/spark-classpath.txt)" \
 *   deploy/profile/PngTable.java write folder/ table/ 10   # folder of PNGs -> 10 shards (key, png)
 * java -cp ... deploy/profile/PngTable.java compare table-out/ folder-out/
 * </pre>
 * {@code compare} decodes every row's upscaled image and the folder run's output of the same
 * input ({@code <key>_x2.png}, in its hash shard when the folder was sharded) and counts pixels
 * that differ.
 */
public class PngTable {
  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration();
    if (args[0].equals("write")) {
      Path folder = Path.of(args[1]);
      List<Path> pngs;
      try (Stream<Path> s = Files.list(folder)) {
        pngs = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
      }
      int shards = Integer.parseInt(args[3]);
      MessageType schema = MessageTypeParser.parseMessageType(
          "message t { required binary key (STRING); required binary png; }");
      for (int k = 0; k < shards; k++) {
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(
            new org.apache.hadoop.fs.Path(Path.of(args[2], String.format("%05d.parquet", k))
                .toUri())).withConf(conf).withType(schema).build()) {
          for (int i = k; i < pngs.size(); i += shards) {
            String name = pngs.get(i).getFileName().toString();
            w.write(new SimpleGroupFactory(schema).newGroup()
                .append("key", name.substring(0, name.length() - 4))
                .append("png", Binary.fromConstantByteArray(Files.readAllBytes(pngs.get(i)))));
          }
        }
      }
      System.out.println(pngs.size() + " rows in " + shards + " files");
      return;
    }
    Path table = Path.of(args[1]);
    Path folder = Path.of(args[2]);
    long rows = 0;
    long differing = 0;
    long pixels = 0;
    List<Path> files;
    try (Stream<Path> s = Files.list(table)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".parquet")
          && !p.getFileName().toString().startsWith("_")).sorted().toList();
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (Path f : files) {
      try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(),
          new org.apache.hadoop.fs.Path(f.toUri())).withConf(conf).build()) {
        for (Group g = r.read(); g != null; g = r.read()) {
          String name = g.getString("key", 0) + "_x2.png";
          Path out = folder.resolve(name);
          if (!Files.exists(out)) {
            String shard = HexFormat.of().formatHex(sha.digest(name.getBytes("UTF-8")))
                .substring(0, 2);
            out = folder.resolve(shard).resolve(name);
          }
          BufferedImage a = ImageIO.read(new ByteArrayInputStream(g.getBinary("png", 0)
              .getBytes()));
          BufferedImage b = ImageIO.read(out.toFile());
          rows++;
          for (int y = 0; y < b.getHeight(); y++) {
            for (int x = 0; x < b.getWidth(); x++) {
              pixels++;
              if (a.getRGB(x, y) != b.getRGB(x, y)) {
                differing++;
              }
            }
          }
          if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new IllegalStateException(name + ": sizes differ");
          }
        }
      }
    }
    System.out.println(rows + " rows compared, " + pixels + " pixels, " + differing
        + " differ");
  }
}
