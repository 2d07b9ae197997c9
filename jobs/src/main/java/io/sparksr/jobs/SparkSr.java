package io.sparksr.jobs;

import io.sparksr.jobs.evaluate.EvaluateCommand;
import io.sparksr.jobs.prepare.PrepareCommand;
import io.sparksr.jobs.train.TrainCommand;
import io.sparksr.jobs.upscale.UpscaleCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code sparksr} command line: {@code sparksr <job> [options]}. The same entry point runs
 * under bin/sparksr (Spark local mode) and under {@code spark-submit --class io.sparksr.jobs.SparkSr}.
 */
@Command(name = "sparksr", mixinStandardHelpOptions = true, version = SparkSr.VERSION,
    description = "Super-resolution at cluster scale on Apache Spark.%n"
        + "Every option of upscale, prepare, train, evaluate and bench can also come from a YAML "
        + "file: --config conf/<job>.yaml (keys = option names; the command line wins).",
    subcommands = {UpscaleCommand.class, PrepareCommand.class, TrainCommand.class,
        EvaluateCommand.class, io.sparksr.jobs.bench.BenchCommand.class,
        ExportOnnxCommand.class, CommandLine.HelpCommand.class})
public final class SparkSr implements Runnable {
  /** The software's name and version, as outputs record it in their provenance. */
  public static final String VERSION = "sparksr 0.1.0";


  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a job: upscale, prepare, train, evaluate, bench, export-onnx");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 1 some inputs failed, 2 usage). */
  public static int execute(String... args) {
    CommandLine cli;
    try {
      cli = commandLine(args);
    } catch (CommandLine.ParameterException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    return cli.execute(args);
  }

  /** The command line for {@code args}, with the job's --config YAML (if any) installed. */
  public static CommandLine commandLine(String... args) {
    CommandLine cli = configured(new SparkSr());
    YamlDefaults.install(cli, args);
    return cli;
  }

  /**
   * A command line as every sparksr command parses: comma-separated lists (--input a,b) keep a
   * double-quoted element whole and drop its quotes, so a path holding a comma is given as
   * {@code --input '"/archive/Smith, John/"',b/} (a YAML list element needs nothing).
   */
  public static CommandLine configured(Object command) {
    return new CommandLine(command).setTrimQuotes(true);
  }
}
