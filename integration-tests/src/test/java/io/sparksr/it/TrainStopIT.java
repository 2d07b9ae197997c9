package io.sparksr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparksr.io.ImageStore;
import io.sparksr.io.PixelFormat;
import io.sparksr.model.ModelBundle;
import io.sparksr.partitioning.image.ImageTensor;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A background training run stopped with SIGTERM (how an operator or a session ends it) saves a
 * checkpoint of the step it reached, not of the last timed checkpoint, and --resume continues
 * from there.
 */
class TrainStopIT {

  @TempDir
  Path tmp;

  @Test
  void sigtermSavesTheStepReachedAndResumeContinuesFromIt() throws Exception {
    ImageStore store = new ImageStore(new Configuration());
    Random rnd = new Random(3);
    for (int i = 0; i < 4; i++) {
      int h = 64 + 8 * i;
      int w = 72;
      float[] d = new float[3 * h * w];
      for (int k = 0; k < d.length; k++) {
        d[k] = (float) Math.max(0, Math.min(1, 0.5 + 0.4 * Math.sin(k * 0.37)
            + 0.1 * rnd.nextGaussian()));
      }
      store.write(tmp.resolve("hr/img" + i + ".png").toString(), new ImageTensor(3, h, w, d),
          PixelFormat.of("png", 3, 8));
    }
    String data = tmp.resolve("ds").toString();
    Launcher.Run prep = Launcher.sparksr("prepare", "--input", tmp.resolve("hr").toString(),
        "--output", data, "--patch-size", "16", "--val-fraction", "0");
    assertThat(prep.exitCode()).as(prep.stderr()).isZero();

    String bundle = tmp.resolve("m.srm").toString();
    List<String> cmd = new ArrayList<>(List.of(Launcher.repoRoot().resolve("bin/sparksr")
        .toString(), "train", "--data", data, "--output", bundle, "--total-steps", "100000",
        "--batch-size", "2", "--crop", "16", "--warmup-steps", "1", "--log-every", "1",
        "--checkpoint-minutes", "60"));
    File log = tmp.resolve("train.log").toFile();
    Process p = new ProcessBuilder(cmd).directory(Launcher.repoRoot().toFile())
        .redirectErrorStream(true).redirectOutput(log).start();
    Pattern step = Pattern.compile("step (\\d+) +loss");
    long seen = 0;
    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (seen < 5 && System.nanoTime() < end && p.isAlive()) {
      Thread.sleep(200);
      Matcher m = step.matcher(Files.readString(log.toPath(), StandardCharsets.UTF_8));
      while (m.find()) {
        seen = Math.max(seen, Long.parseLong(m.group(1)));
      }
    }
    assertThat(seen).as(Files.readString(log.toPath())).isGreaterThanOrEqualTo(5);
    assertThat(new File(bundle)).as("no timed checkpoint yet").doesNotExist();
    p.destroy(); // SIGTERM: bin/sparksr execs the JVM, so this is the trainer itself
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    assertThat(text).contains("stop requested").contains("checkpoint saved");
    long saved = iteration(bundle);
    assertThat(saved).as(text).isGreaterThanOrEqualTo(seen);

    Launcher.Run resumed = Launcher.sparksr("train", "--data", data, "--output", bundle,
        "--resume", "--max-steps", Long.toString(saved + 2), "--batch-size", "2", "--crop", "16",
        "--log-every", "1");
    assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
    assertThat(resumed.stderr()).contains("at iteration " + saved);
    assertThat(iteration(bundle)).isEqualTo(saved + 2);
  }

  private static long iteration(String bundle) throws java.io.IOException {
    return ModelBundle.read(new Configuration(), bundle).metadata().training().iteration();
  }
}
