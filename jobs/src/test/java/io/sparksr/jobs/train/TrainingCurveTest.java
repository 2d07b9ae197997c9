package io.sparksr.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The curve CSV read on resume and written back byte for byte; the PNG chart. */
class TrainingCurveTest {
  private static final Path SHIPPED = Path.of("../docs/training/default.curve.csv");

  @Test
  void theShippedCurveIsReadAndWrittenBackByteForByteAndAppendedTo(@TempDir Path tmp)
      throws Exception {
    String shipped = Files.readString(SHIPPED, StandardCharsets.UTF_8);
    Path csv = tmp.resolve("m.srm.curve.csv");
    Files.writeString(csv, shipped);
    TrainingCurve curve = new TrainingCurve(new Configuration(), csv.toString(),
        tmp.resolve("m.srm.curve.png").toString());
    curve.resume(Long.MAX_VALUE);
    List<String> lines = shipped.lines().toList();
    // the shipped default trains with the FFT-L1 term since step 22,362: its curve has the column
    boolean fft = lines.get(0).equals(TrainingCurve.HEADER + "," + TrainingCurve.FFT_COLUMN);
    assertThat(lines.get(0)).isIn(TrainingCurve.HEADER,
        TrainingCurve.HEADER + "," + TrainingCurve.FFT_COLUMN);
    assertThat(curve.points()).hasSize(lines.size() - 1);
    // independent reading of a validation row: cells 5..7 are the PSNRs
    String[] cells = lines.stream().skip(1).map(l -> l.split(",", -1))
        .filter(c -> !c[5].isEmpty()).skip(1).findFirst().orElseThrow();
    TrainingCurve.Point p = curve.points().stream()
        .filter(q -> q.step() == Long.parseLong(cells[0])).filter(q -> !Double.isNaN(q.psnr2()))
        .findFirst().orElseThrow();
    assertThat(p.psnr2()).isEqualTo(Double.parseDouble(cells[5]));
    assertThat(p.psnr4()).isEqualTo(Double.parseDouble(cells[7]));
    if (fft) {
      String[] term = lines.stream().skip(1).map(l -> l.split(",", -1))
          .filter(c -> !c[8].isEmpty()).findFirst().orElseThrow();
      assertThat(curve.points().stream().filter(q -> q.step() == Long.parseLong(term[0]))
          .mapToDouble(TrainingCurve.Point::fftL1).max().orElseThrow())
          .isEqualTo(Double.parseDouble(term[8]));
    }

    curve.add(new TrainingCurve.Point(99_999, 1234.5, 0.025, 1e-6, 20.5, Double.NaN,
        Double.NaN, Double.NaN));
    curve.write();
    String written = Files.readString(csv, StandardCharsets.UTF_8);
    assertThat(written).startsWith(shipped)
        .endsWith("\n99999,1234.500,0.0250000,1.00000e-06,20.5000,,,"
            + (fft ? "," : "") + "\n");
    BufferedImage png = ImageIO.read(tmp.resolve("m.srm.curve.png").toFile());
    assertThat(png.getWidth()).isEqualTo(900);
    assertThat(png.getHeight()).isEqualTo(420);
  }

  /** A run with the FFT-L1 term adds the fft_l1 column; it is read back on resume. */
  @Test
  void theFftL1ColumnIsWrittenOnlyWhenMeasuredAndReadBack(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("f.csv");
    TrainingCurve curve = new TrainingCurve(new Configuration(), csv.toString(),
        tmp.resolve("f.png").toString());
    curve.add(new TrainingCurve.Point(100, 1, 0.05, 1e-4, 20, Double.NaN, Double.NaN,
        Double.NaN, 0.02));
    curve.add(new TrainingCurve.Point(200, 2, Double.NaN, 1e-4, Double.NaN, 30, 31, 32));
    curve.write();
    assertThat(Files.readString(csv, StandardCharsets.UTF_8)).isEqualTo(TrainingCurve.HEADER
        + ",fft_l1\n100,1.000,0.0500000,0.000100000,20.0000,,,,0.0200000\n"
        + "200,2.000,,0.000100000,,30.0000,31.0000,32.0000,\n");
    TrainingCurve back = new TrainingCurve(new Configuration(), csv.toString(),
        tmp.resolve("f.png").toString());
    back.resume(Long.MAX_VALUE);
    assertThat(back.points()).isEqualTo(curve.points());
    assertThat(back.points().get(0).fftL1()).isEqualTo(0.02);
  }

  @Test
  void aResumedRunKeepsOnlyTheRowsUpToItsStep(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("c.csv");
    Files.writeString(csv, TrainingCurve.HEADER + "\n100,1.000,0.0300000,,,,,\n"
        + "200,2.000,,0.000100000,,33.0000,,\n300,3.000,0.0200000,,,,,\n");
    TrainingCurve curve = new TrainingCurve(new Configuration(), csv.toString(),
        tmp.resolve("c.png").toString());
    curve.resume(200);
    assertThat(curve.points()).extracting(TrainingCurve.Point::step).containsExactly(100L, 200L);
    assertThat(curve.points().get(1).loss()).isNaN();
    assertThat(curve.points().get(1).psnr2()).isEqualTo(33.0);
    assertThat(TrainingCurve.csv(curve.points())).isEqualTo(TrainingCurve.HEADER
        + "\n100,1.000,0.0300000,,,,,\n200,2.000,,0.000100000,,33.0000,,\n");
  }
}
