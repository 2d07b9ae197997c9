package io.sparksr.model;

import io.sparksr.model.arch.Architecture;
import io.sparksr.model.arch.Architectures;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;

/**
 * Writes an untrained (freshly initialised) inference-only bundle of a model spec: the placeholder
 * for the shipped {@code default} model until a trained one replaces it. Not a test.
 * <pre>
 * java -cp ... io.sparksr.model.WriteDefaultBundle conf/model/default.yaml \
 *     model/src/main/resources/io/sparksr/model/default.srm [seed]
 * </pre>
 */
public final class WriteDefaultBundle {
  private WriteDefaultBundle() {}

  public static void main(String[] args) throws Exception {
    NativeBackend.configure();
    Path spec = Path.of(args[0]);
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    Architecture arch;
    try (InputStream in = Files.newInputStream(spec)) {
      arch = Architectures.fromYaml(in, spec.toString());
    }
    SrTrainer t = SrTrainer.create(arch, TrainOptions.defaults(1).withSeed(seed));
    String sum = t.toBundle(new Provenance("none (untrained: initial weights, seed " + seed + ")",
        0, 0, "0.1.0-SNAPSHOT", "placeholder until a trained default ships"), false)
        .write(new Configuration(), Path.of(args[1]).toAbsolutePath().toUri().toString());
    System.out.println("wrote " + args[1] + " sha256 " + sum);
  }
}
