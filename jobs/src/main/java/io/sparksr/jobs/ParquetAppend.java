package io.sparksr.jobs;

import io.sparksr.io.AtomicFiles;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Appends one run's rows, collected on the driver, as one Parquet file (zstd) to a folder that
 * grows by one file per run (upscale's {@code manifest.parquet/}, evaluate's
 * {@code results.parquet/}), with parquet-hadoop directly: a Spark SQL write of these few rows
 * costs a Spark job, and in a fresh JVM ~3 s of Spark SQL start-up (measured: 2.7-3.1 s of a 5.5 s
 * upscale run of 8 photos), for what takes milliseconds here. The file is written atomically
 * (hidden temporary name, then renamed), so readers ({@code spark.read.parquet(folder)}) never see
 * a partial file. Columns: the {@link StructType}'s string, int, long, double and boolean fields,
 * required unless nullable.
 */
public final class ParquetAppend {
  private ParquetAppend() {}

  /** Writes {@code rows} as {@code <folder>/part-<runId>.zstd.parquet}. */
  public static void append(Configuration conf, String folder, String runId, StructType schema,
      List<Row> rows) throws IOException {
    MessageType parquet = parquetSchema(schema);
    String path = folder + "/part-" + runId + ".zstd.parquet";
    AtomicFiles.write(conf, path, (fs, tmp) -> {
      try (ParquetWriter<Group> w = ExampleParquetWriter.builder(fs.makeQualified(tmp))
          .withConf(conf)
          .withType(parquet)
          .withCompressionCodec(CompressionCodecName.ZSTD)
          .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
          .build()) {
        SimpleGroupFactory groups = new SimpleGroupFactory(parquet);
        StructField[] fields = schema.fields();
        for (Row row : rows) {
          Group g = groups.newGroup();
          for (int i = 0; i < fields.length; i++) {
            if (row.isNullAt(i)) {
              continue;
            }
            DataType t = fields[i].dataType();
            String name = fields[i].name();
            if (t.equals(DataTypes.StringType)) {
              g.append(name, row.getString(i));
            } else if (t.equals(DataTypes.IntegerType)) {
              g.append(name, row.getInt(i));
            } else if (t.equals(DataTypes.LongType)) {
              g.append(name, row.getLong(i));
            } else if (t.equals(DataTypes.BooleanType)) {
              g.append(name, row.getBoolean(i));
            } else {
              g.append(name, row.getDouble(i));
            }
          }
          w.write(g);
        }
      }
    });
  }

  public static MessageType parquetSchema(StructType schema) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (StructField f : schema.fields()) {
      Type.Repetition rep = f.nullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
      DataType t = f.dataType();
      if (t.equals(DataTypes.StringType)) {
        b.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType())
            .named(f.name());
      } else if (t.equals(DataTypes.IntegerType)) {
        b.primitive(PrimitiveTypeName.INT32, rep).named(f.name());
      } else if (t.equals(DataTypes.LongType)) {
        b.primitive(PrimitiveTypeName.INT64, rep).named(f.name());
      } else if (t.equals(DataTypes.DoubleType)) {
        b.primitive(PrimitiveTypeName.DOUBLE, rep).named(f.name());
      } else if (t.equals(DataTypes.BooleanType)) {
        b.primitive(PrimitiveTypeName.BOOLEAN, rep).named(f.name());
      } else {
        throw new IllegalArgumentException("column " + f.name() + " has type " + t
            + "; the writer knows string, int, long, double and boolean");
      }
    }
    return b.named("spark_schema");
  }
}
