package io.sparksr.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs bin/sparksr as an operator does: a separate process from the repository root. */
final class Launcher {
  private Launcher() {}

  record Run(int exitCode, String stdout, String stderr) {}

  static Path repoRoot() {
    return Path.of(System.getProperty("sparksr.repo.root", "..")).toAbsolutePath().normalize();
  }

  static Run sparksr(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(repoRoot().resolve("bin/sparksr").toString());
    cmd.addAll(List.of(args));
    File out = File.createTempFile("sparksr-it", ".out");
    File err = File.createTempFile("sparksr-it", ".err");
    try {
      Process p = new ProcessBuilder(cmd).directory(repoRoot().toFile())
          .redirectOutput(out).redirectError(err).start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("bin/sparksr " + String.join(" ", args) + " timed out");
      }
      return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
          Files.readString(err.toPath(), StandardCharsets.UTF_8));
    } finally {
      out.delete();
      err.delete();
    }
  }
}
