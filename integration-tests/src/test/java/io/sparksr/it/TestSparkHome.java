package io.sparksr.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * A SPARK_HOME made from the Maven-resolved Spark jars: a RELEASE file, {@code jars/} with links
 * to the jars of deploy/spark-runtime's class path (what a Spark 3.5.8 distribution's jars/ holds,
 * spark-yarn included) and a {@code bin/spark-submit} doing what the distribution's does.
 */
final class TestSparkHome {
  private TestSparkHome() {}

  /** Creates the SPARK_HOME at {@code sparkHome} (a folder that does not exist yet). */
  static Path create(Path sparkHome) throws IOException {
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    Files.writeString(sparkHome.resolve("RELEASE"), "Spark 3.5.8 (jars from Maven, sparksr IT)\n");
    // bin/spark-submit as a distribution has it (spark-submit + spark-class): Spark's launcher
    // library builds the driver command (driver memory, extraJavaOptions, Java 17 options)
    Path bin = Files.createDirectories(sparkHome.resolve("bin"));
    Path submit = bin.resolve("spark-submit");
    Files.writeString(submit, String.join("\n",
        "#!/usr/bin/env bash",
        "# what a Spark distribution's bin/spark-submit and bin/spark-class do: the launcher",
        "# prints messages, a NUL and a newline, then the command as NUL-separated words",
        "RUNNER=\"${JAVA_HOME:?}/bin/java\"",
        "build_command() {",
        "  \"$RUNNER\" -Xmx128m -cp \"$SPARK_HOME/jars/*\" org.apache.spark.launcher.Main "
            + "org.apache.spark.deploy.SparkSubmit \"$@\"",
        "  printf '%d\\0' $?",
        "}",
        "CMD=()",
        "DELIM=$'\\n'",
        "STARTED=false",
        "while IFS= read -d \"$DELIM\" -r ARG; do",
        "  if [ \"$STARTED\" = true ]; then CMD+=(\"$ARG\")",
        "  elif [ \"$ARG\" = $'\\0' ]; then DELIM=''; STARTED=true",
        "  elif [ -n \"$ARG\" ]; then echo \"$ARG\"; fi",
        "done < <(build_command \"$@\")",
        "COUNT=${#CMD[@]}",
        "LAST=$((COUNT - 1))",
        "CODE=${CMD[$LAST]}",
        "[ \"$CODE\" = 0 ] || exit \"$CODE\"",
        "exec \"${CMD[@]:0:$LAST}\"", ""));
    submit.toFile().setExecutable(true);
    String cp = Files.readString(Launcher.repoRoot()
        .resolve("deploy/spark-runtime/target/spark-classpath.txt")).trim();
    Set<String> names = new HashSet<>();
    for (String entry : cp.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isRegularFile(p) && names.add(p.getFileName().toString())) {
        Files.createSymbolicLink(jars.resolve(p.getFileName()), p);
      }
    }
    return sparkHome;
  }
}
