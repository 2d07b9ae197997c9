package io.sparksr.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparksr.io.AtomicFiles;
import io.sparksr.model.arch.Architecture;
import io.sparksr.model.arch.Architectures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model bundle: ONE zip file holding everything about a trained model.
 * <pre>
 *   metadata.json               BundleMetadata (first entry): spec, scales, radius, layout, provenance,
 *                               SHA-256 of every other entry
 *   inference/&lt;name&gt;.npy       instantiated inference weights (encoder + K_r, B_r per scale)
 *   training/graph.sd           the SameDiff training graph with Adam state (for resume; optional)
 *   training/ema/&lt;name&gt;.npy    EMA of the trainable parameters (optional)
 * </pre>
 * Every entry's digest is checked on load, so a truncated or altered file fails with an error
 * naming it. {@link #checksum()} (SHA-256 of the whole file) identifies the bundle, e.g. as the key
 * of {@link SrModel}'s per-JVM cache. Entries carry a fixed timestamp, so equal content gives equal
 * bytes. Written atomically with {@link AtomicFiles}, on any Hadoop file system.
 */
public final class ModelBundle {
  public static final String FORMAT = "sparksr-model-bundle";
  public static final int FORMAT_VERSION = 1;
  /** File name extension used by convention (not required). */
  public static final String EXTENSION = ".srm";

  static final String METADATA = "metadata.json";
  static final String INFERENCE = "inference/";
  static final String TRAINING_GRAPH = "training/graph.sd";
  static final String EMA = "training/ema/";

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final BundleMetadata metadata;
  private final Map<String, INDArray> inference;
  private final byte[] trainingGraph;
  private final Map<String, INDArray> ema;
  private final String checksum;

  private ModelBundle(BundleMetadata metadata, Map<String, INDArray> inference,
      byte[] trainingGraph, Map<String, INDArray> ema, String checksum) {
    this.metadata = metadata;
    this.inference = inference;
    this.trainingGraph = trainingGraph;
    this.ema = ema;
    this.checksum = checksum;
  }

  /**
   * A bundle to be written. The metadata's {@code entries} are filled in by {@link #toBytes()}.
   *
   * @param trainingGraph bytes of {@code SameDiff.save(out, true)}, or null (inference only)
   * @param ema           EMA parameters, or null
   */
  static ModelBundle of(BundleMetadata metadata, Map<String, INDArray> inference,
      byte[] trainingGraph, Map<String, INDArray> ema) {
    return new ModelBundle(metadata, inference, trainingGraph, ema, null);
  }

  public BundleMetadata metadata() {
    return metadata;
  }

  /** The architecture named by the metadata, with its config. */
  public Architecture architecture() {
    return Architectures.fromSpec(metadata.model());
  }

  /** Inference weights by name. */
  public Map<String, INDArray> inferenceWeights() {
    return inference;
  }

  /** Whether the bundle holds the training graph with optimiser state (resumable). */
  public boolean resumable() {
    return trainingGraph != null;
  }

  byte[] trainingGraph() {
    return trainingGraph;
  }

  /** EMA parameters, or null. */
  Map<String, INDArray> ema() {
    return ema;
  }

  /** SHA-256 (hex) of the bundle file; null for a bundle not yet written or read. */
  public String checksum() {
    return checksum;
  }

  // ------------------------------------------------------------------ writing

  /** The bundle file's bytes (deterministic for equal content). */
  public byte[] toBytes() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : new TreeMap<>(inference).entrySet()) {
      entries.put(INFERENCE + e.getKey() + ".npy", Nd4j.toNpyByteArray(e.getValue()));
    }
    if (trainingGraph != null) {
      entries.put(TRAINING_GRAPH, trainingGraph);
    }
    if (ema != null) {
      for (Map.Entry<String, INDArray> e : new TreeMap<>(ema).entrySet()) {
        entries.put(EMA + e.getKey() + ".npy", Nd4j.toNpyByteArray(e.getValue()));
      }
    }
    Map<String, String> digests = new LinkedHashMap<>();
    entries.forEach((name, bytes) -> digests.put(name, sha256(bytes)));
    BundleMetadata m = metadata;
    BundleMetadata withEntries = new BundleMetadata(m.format(), m.formatVersion(), m.model(),
        m.scales(), m.radius(), m.border(), m.layout(), m.channelOrder(), m.valueRange(),
        m.parameters(), m.weights(), m.created(), m.training(), m.provenance(), digests);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bos)) {
      put(zip, METADATA, JSON.writeValueAsBytes(withEntries));
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        put(zip, e.getKey(), e.getValue());
      }
    }
    return bos.toByteArray();
  }

  private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry z = new ZipEntry(name);
    z.setTime(0L);
    zip.putNextEntry(z);
    zip.write(bytes);
    zip.closeEntry();
  }

  /**
   * Writes the bundle to {@code path} on its Hadoop file system atomically.
   *
   * @return the written file's checksum
   */
  public String write(Configuration conf, String path) throws IOException {
    byte[] bytes = toBytes();
    try {
      AtomicFiles.write(conf, path, (fs, tmp) -> {
        try (OutputStream out = fs.create(tmp, false)) {
          out.write(bytes);
        }
      });
    } catch (IOException e) {
      throw new IOException("cannot write model bundle " + path + ": " + e.getMessage(), e);
    }
    return sha256(bytes);
  }

  // ------------------------------------------------------------------ reading

  /** Reads the bundle file at {@code path} (any Hadoop file system). */
  public static ModelBundle read(Configuration conf, String path) throws IOException {
    return parse(readBytes(conf, path), path);
  }

  /** The raw bytes of a bundle file. */
  static byte[] readBytes(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(conf);
      try (FSDataInputStream in = fs.open(p)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new IOException("cannot read model bundle " + path + ": " + e.getMessage(), e);
    }
  }

  /** Reads a bundle from a class-path resource. */
  public static ModelBundle readResource(String resource) throws IOException {
    try (InputStream in = ModelBundle.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("model bundle resource " + resource + " is not on the class path");
      }
      return parse(in.readAllBytes(), "classpath:" + resource);
    }
  }

  /**
   * Parses and verifies bundle bytes.
   *
   * @param source names the file in error messages
   * @throws IOException naming {@code source} if it is not a bundle, truncated or corrupt
   */
  public static ModelBundle parse(byte[] bytes, String source) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        entries.put(e.getName(), zip.readAllBytes());
      }
    } catch (IOException e) {
      throw new IOException("model bundle " + source + " is truncated or corrupt ("
          + e.getMessage() + ")" + (entries.isEmpty() ? "" : "; readable entries: "
          + entries.keySet()), e);
    }
    byte[] metaBytes = entries.get(METADATA);
    if (metaBytes == null) {
      throw new IOException("'" + source + "' is not a sparksr model bundle (" + FORMAT
          + "): no " + METADATA + (bytes.length < 4 ? ", the file has " + bytes.length + " bytes"
          : entries.isEmpty() ? ", not a zip file" : ", entries " + entries.keySet()));
    }
    BundleMetadata meta;
    try {
      meta = JSON.readValue(metaBytes, BundleMetadata.class);
    } catch (IOException e) {
      throw new IOException("model bundle " + source + " has an unreadable " + METADATA + ": "
          + e.getMessage(), e);
    }
    if (!FORMAT.equals(meta.format())) {
      throw new IOException("'" + source + "' is not a sparksr model bundle: format is '"
          + meta.format() + "' but must be '" + FORMAT + "'");
    }
    if (meta.formatVersion() > FORMAT_VERSION) {
      throw new IOException("model bundle " + source + " has format version "
          + meta.formatVersion() + " but this code reads up to " + FORMAT_VERSION);
    }
    if (meta.entries() == null) {
      throw new IOException("model bundle " + source + " lists no entries in " + METADATA);
    }
    for (Map.Entry<String, String> want : meta.entries().entrySet()) {
      byte[] b = entries.get(want.getKey());
      if (b == null) {
        throw new IOException("model bundle " + source + " lacks entry " + want.getKey()
            + " (truncated file?)");
      }
      String got = sha256(b);
      if (!got.equals(want.getValue())) {
        throw new IOException("model bundle " + source + ": checksum of " + want.getKey()
            + " is " + got + " but metadata says " + want.getValue() + " (corrupt file)");
      }
    }
    Map<String, INDArray> inference = new LinkedHashMap<>();
    Map<String, INDArray> ema = null;
    byte[] graph = null;
    for (String name : meta.entries().keySet()) {
      byte[] b = entries.get(name);
      if (name.startsWith(INFERENCE)) {
        inference.put(stripNpy(name.substring(INFERENCE.length())), npy(b));
      } else if (name.startsWith(EMA)) {
        if (ema == null) {
          ema = new LinkedHashMap<>();
        }
        ema.put(stripNpy(name.substring(EMA.length())), npy(b));
      } else if (name.equals(TRAINING_GRAPH)) {
        graph = b;
      }
    }
    return new ModelBundle(meta, inference, graph, ema, sha256(bytes));
  }

  private static String stripNpy(String name) {
    return name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
  }

  private static INDArray npy(byte[] b) {
    return Nd4j.createNpyFromByteArray(b).dup('c');
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  static List<Double> unitRange() {
    return List.of(0.0, 1.0);
  }
}
