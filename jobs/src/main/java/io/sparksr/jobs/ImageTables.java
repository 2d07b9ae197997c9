package io.sparksr.jobs;

import io.sparksr.io.HadoopFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images stored as tables (upscale and prepare read them): a Parquet file, or a folder of them (img2dataset shards, a Hugging Face
 * dataset's files), with a column of image bytes. What is a table, which files it has, which
 * column holds the images, and the shape of the upscaled table: the input's columns in their
 * order, the image column holding the upscaled bytes, and {@code width}, {@code height} (of the
 * output), {@code status} and {@code reason} (replacing input columns of these names: an
 * img2dataset shard's width, height and status describe its download).
 */
public final class ImageTables {
  private static final Logger LOG = LoggerFactory.getLogger(ImageTables.class);
  /** Columns an upscaled table sets (replacing input columns of these names). */
  public static final List<String> ADDED = List.of("width", "height", "status", "reason");
  /**
   * Image columns looked for in an input table, in this order: img2dataset names its column after
   * the encoding ({@code jpg}, {@code png}, {@code webp}), Hugging Face datasets use {@code image}
   * (a struct of {@code bytes} and {@code path}).
   */
  public static final List<String> IMAGE_COLUMNS = List.of("image", "jpg", "jpeg", "png", "webp",
      "bmp", "tif", "tiff", "bytes");

  private ImageTables() {}

  /** A file of a table: its path and its path below the table's root (the output's name). */
  public record TableFile(String path, String relative) implements Serializable {}

  /**
   * True when {@code input} is a Parquet file or a folder whose files are all Parquet (names
   * starting with '.' or '_' aside, at any depth: {@code _SUCCESS}, {@code .crc},
   * {@code _temporary/} of a write in progress). A folder is listed only until its first other
   * file (an archive of images is told by its first image, not listed whole on the driver); one
   * with a folder that cannot be listed is not a table (read as images, the walk reports that
   * folder as an ignored entry).
   */
  public static boolean isTable(Configuration conf, String input) throws IOException {
    if (input.chars().anyMatch(ch -> "*?[{".indexOf(ch) >= 0)) {
      return false;
    }
    Boolean folder = HadoopFiles.isFolder(conf, input);
    if (folder == null) {
      return false;
    }
    if (!folder) {
      return isParquet(new Path(input).getName());
    }
    boolean[] parquet = {false};
    try {
      boolean onlyParquet = HadoopFiles.visitFiles(conf, input, name -> !marker(name), rel -> {
        String name = rel.substring(rel.lastIndexOf('/') + 1);
        parquet[0] |= !marker(name) && isParquet(name);
        return marker(name) || isParquet(name);
      });
      return onlyParquet && parquet[0];
    } catch (IOException e) {
      LOG.info("'{}' is read as images, not as a table: {}", input, e.getMessage());
      return false;
    }
  }

  /** Names a table's readers skip: {@code _SUCCESS}, {@code .crc}, {@code _temporary/}. */
  private static boolean marker(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  /** The files below folder {@code dir} by relative path, sorted, without marker names. */
  private static List<String> dataFiles(Configuration conf, String dir) throws IOException {
    return HadoopFiles.listTree(conf, dir).files().keySet().stream()
        .filter(rel -> java.util.Arrays.stream(rel.split("/")).noneMatch(ImageTables::marker))
        .toList();
  }

  private static boolean isParquet(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".parquet");
  }

  /**
   * True when every input is a table, false when none is.
   *
   * @param job names the job in the error ("upscale", "prepare")
   * @throws IllegalArgumentException when the inputs mix tables and images
   */
  public static boolean allTables(Configuration conf, List<String> inputs, String job)
      throws IOException {
    long tables = 0;
    for (String in : inputs) {
      tables += isTable(conf, in) ? 1 : 0;
    }
    if (tables > 0 && tables < inputs.size()) {
      throw new IllegalArgumentException("the inputs mix tables (Parquet files) and images: "
          + job + " them in separate runs");
    }
    return tables > 0;
  }

  /** Rows of a Parquet file, from its footer. */
  public static long rows(Configuration conf, String path) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path),
        conf))) {
      return r.getRecordCount();
    }
  }

  /** The Parquet files of table {@code input}, by path below it, sorted. */
  public static List<TableFile> files(Configuration conf, String input) throws IOException {
    String qualified = HadoopFiles.qualify(conf, input);
    Boolean folder = HadoopFiles.isFolder(conf, input);
    if (folder == null) {
      throw new FileNotFoundException("table '" + input + "' does not exist");
    }
    if (!folder) {
      return List.of(new TableFile(qualified, new Path(qualified).getName()));
    }
    String base = qualified.replaceAll("/+$", "");
    return dataFiles(conf, input).stream().filter(ImageTables::isParquet)
        .map(rel -> new TableFile(base + "/" + rel, rel)).toList();
  }

  /**
   * Writes the images of table file {@code f} as files into {@code folder}, named
   * {@code <key>.<ext>} (the extension from the bytes' signature: png, jpg, bmp, tif; '/' in a
   * key becomes '_'), for jobs that read images as files (evaluate); returns how many. A row
   * without a key (no key column, or no value) is named {@code <file>-<row number>}, the table
   * file's relative path without {@code .parquet} ('/' as '_'), so that the rows of different
   * files of one table do not share names. Rows without bytes are left out.
   */
  public static int extract(Configuration conf, TableFile f, String folder) throws IOException {
    MessageType schema = schema(conf, f.path());
    ImageColumn image = imageColumn(schema, null, f.path());
    int key = keyColumn(schema, null, f.path());
    int n = 0;
    try (org.apache.parquet.hadoop.ParquetReader<Group> r = org.apache.parquet.hadoop
        .ParquetReader.builder(new org.apache.parquet.hadoop.example.GroupReadSupport(),
            new Path(f.path())).withConf(conf).build()) {
      long row = 0;
      for (Group g = r.read(); g != null; g = r.read()) {
        long number = row++;
        String k = (key < 0 || g.getFieldRepetitionCount(key) == 0 ? keylessName(f, number)
            : key(g, key, number)).replace('/', '_');
        if (k.isEmpty() || k.startsWith(".")) {
          k = "_" + k; // a hidden name would not be listed, so not scored
        }
        byte[] b = image.bytes(g);
        if (b != null) {
          HadoopFiles.writeBytes(conf, folder + "/" + k + "." + extension(b), b);
          n++;
        }
      }
    }
    return n;
  }

  /** The file name of a row without a key: {@code <table file's relative stem>-<row>}. */
  static String keylessName(TableFile f, long row) {
    String stem = f.relative().replaceAll("(?i)\\.parquet$", "");
    return stem + "-" + row;
  }

  /** The file extension of image bytes by their signature; "bin" when unknown. */
  static String extension(byte[] b) {
    if (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "png";
    }
    if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
      return "jpg";
    }
    if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
      return "bmp";
    }
    if (b.length >= 4 && (b[0] == 'I' && b[1] == 'I' || b[0] == 'M' && b[1] == 'M')) {
      return "tif";
    }
    return "bin";
  }

  /** The schema of a Parquet file. */
  public static MessageType schema(Configuration conf, String path) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path),
        conf))) {
      return r.getFooter().getFileMetaData().getSchema();
    }
  }

  /**
   * Where a table's images are: column {@code index} of the schema, binary or a struct whose
   * field {@code bytesField} is binary.
   */
  public record ImageColumn(String name, int index, int bytesField) implements Serializable {
    public boolean struct() {
      return bytesField >= 0;
    }

    /** The image bytes of a row, or null. */
    public byte[] bytes(Group row) {
      if (row.getFieldRepetitionCount(index) == 0) {
        return null;
      }
      if (!struct()) {
        return row.getBinary(index, 0).getBytes();
      }
      Group g = row.getGroup(index, 0);
      return g.getFieldRepetitionCount(bytesField) == 0 ? null
          : g.getBinary(bytesField, 0).getBytes();
    }
  }

  /**
   * The image column: {@code wanted}, else the first of {@link #IMAGE_COLUMNS}
   * the table has.
   *
   * @throws IllegalArgumentException naming the file, the column and the columns it has
   */
  public static ImageColumn imageColumn(MessageType schema, String wanted, String file) {
    List<String> names = wanted != null ? List.of(wanted) : IMAGE_COLUMNS;
    for (String n : names) {
      if (!schema.containsField(n)) {
        continue;
      }
      int i = schema.getFieldIndex(n);
      Type t = schema.getType(i);
      if (t.isPrimitive() && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY
          && t.getRepetition() != Type.Repetition.REPEATED) {
        return new ImageColumn(n, i, -1);
      }
      if (!t.isPrimitive() && t.asGroupType().containsField("bytes")) {
        Type b = t.asGroupType().getType("bytes");
        if (b.isPrimitive() && b.asPrimitiveType().getPrimitiveTypeName()
            == PrimitiveTypeName.BINARY) {
          return new ImageColumn(n, i, t.asGroupType().getFieldIndex("bytes"));
        }
      }
      if (wanted != null) {
        throw new IllegalArgumentException("table " + file + ": column '" + wanted + "' is " + t
            + ", not binary image bytes (or a struct with a binary 'bytes' field)");
      }
    }
    throw new IllegalArgumentException("table " + file + " has no " + (wanted != null
        ? "column '" + wanted + "'" : "image column (looked for " + names + "; --image-column "
            + "names another)") + "; its columns: " + schema.getFields().stream()
                .map(Type::getName).toList());
  }

  /** The key column's index, -1 for the row number. */
  public static int keyColumn(MessageType schema, String wanted, String file) {
    if (wanted != null && !schema.containsField(wanted)) {
      throw new IllegalArgumentException("table " + file + " has no column '" + wanted
          + "'; its columns: " + schema.getFields().stream().map(Type::getName).toList());
    }
    String name = wanted != null ? wanted : schema.containsField("key") ? "key" : null;
    if (name == null) {
      return -1;
    }
    int i = schema.getFieldIndex(name);
    if (!schema.getType(i).isPrimitive()) {
      throw new IllegalArgumentException("table " + file + ": key column '" + name
          + "' is not a plain value");
    }
    return i;
  }

  /** A row's key: the key column's value as text, else its row number. */
  public static String key(Group row, int keyIndex, long rowNumber) {
    return keyIndex < 0 || row.getFieldRepetitionCount(keyIndex) == 0 ? Long.toString(rowNumber)
        : row.getValueToString(keyIndex, 0);
  }

  /**
   * The upscaled table's schema: the input's fields in their order, the image column optional
   * (a failed row has none), {@link #ADDED} in place of input fields of those names, else at the
   * end.
   */
  public static MessageType outputSchema(MessageType in, ImageColumn image) {
    List<Type> fields = new ArrayList<>();
    for (int i = 0; i < in.getFieldCount(); i++) {
      Type t = in.getType(i);
      if (i == image.index()) {
        fields.add(optional(t));
      } else if (ADDED.contains(t.getName())) {
        fields.add(added(t.getName()));
      } else {
        fields.add(t);
      }
    }
    for (String n : ADDED) {
      if (!in.containsField(n)) {
        fields.add(added(n));
      }
    }
    return new MessageType(in.getName(), fields);
  }

  private static Type optional(Type t) {
    if (t.isPrimitive()) {
      return Types.optional(t.asPrimitiveType().getPrimitiveTypeName())
          .as(t.getLogicalTypeAnnotation()).named(t.getName());
    }
    GroupType g = t.asGroupType();
    List<Type> sub = new ArrayList<>();
    for (Type f : g.getFields()) {
      sub.add(f.getName().equals("bytes") ? optional(f) : f);
    }
    return Types.buildGroup(Type.Repetition.OPTIONAL).as(g.getLogicalTypeAnnotation())
        .addFields(sub.toArray(Type[]::new)).named(g.getName());
  }

  private static PrimitiveType added(String name) {
    return switch (name) {
      case "width", "height" -> Types.optional(PrimitiveTypeName.INT32).named(name);
      default -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
          .named(name);
    };
  }

  /**
   * Copies the value(s) of field {@code i} of {@code from} to field {@code i} of {@code to}
   * (same type), nested groups included.
   */
  public static void copyField(Group from, Group to, int i) {
    Type t = from.getType().getType(i);
    for (int r = 0; r < from.getFieldRepetitionCount(i); r++) {
      if (!t.isPrimitive()) {
        Group sub = from.getGroup(i, r);
        Group out = to.addGroup(i);
        for (int j = 0; j < sub.getType().getFieldCount(); j++) {
          copyField(sub, out, j);
        }
        continue;
      }
      switch (t.asPrimitiveType().getPrimitiveTypeName()) {
        case INT32 -> to.add(i, from.getInteger(i, r));
        case INT64 -> to.add(i, from.getLong(i, r));
        case FLOAT -> to.add(i, from.getFloat(i, r));
        case DOUBLE -> to.add(i, from.getDouble(i, r));
        case BOOLEAN -> to.add(i, from.getBoolean(i, r));
        case INT96 -> to.add(i, from.getInt96(i, r));
        default -> to.add(i, from.getBinary(i, r));
      }
    }
  }

  /**
   * The output row of {@code in}: every other field copied, the image replaced by {@code bytes}
   * (none when null), the added fields set.
   */
  public static void fill(Group in, Group out, ImageColumn image, byte[] bytes, long width, long height,
      String status, String reason) {
    MessageType inSchema = (MessageType) in.getType();
    for (int i = 0; i < inSchema.getFieldCount(); i++) {
      String name = inSchema.getType(i).getName();
      if (i == image.index()) {
        if (bytes == null) {
          continue;
        }
        if (!image.struct()) {
          out.add(i, Binary.fromConstantByteArray(bytes));
        } else {
          Group src = in.getFieldRepetitionCount(i) == 0 ? null : in.getGroup(i, 0);
          Group dst = out.addGroup(i);
          for (int j = 0; j < dst.getType().getFieldCount(); j++) {
            if (j == image.bytesField()) {
              dst.add(j, Binary.fromConstantByteArray(bytes));
            } else if (src != null) {
              copyField(src, dst, j);
            }
          }
        }
      } else if (!ADDED.contains(name)) {
        copyField(in, out, i);
      }
    }
    if (status.equals(io.sparksr.pipeline.ImageOutcome.OK)) {
      out.add("width", (int) width);
      out.add("height", (int) height);
    }
    out.add("status", status);
    if (reason != null) {
      out.add("reason", reason);
    }
  }
}
