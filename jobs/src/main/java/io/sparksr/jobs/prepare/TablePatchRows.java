package io.sparksr.jobs.prepare;

import io.sparksr.jobs.ImageTables;
import io.sparksr.jobs.ImageTables.TableFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * The patch rows of every image of one table file (a Parquet file of image bytes:
 * {@link ImageTables}), image after image: each row's bytes are written to a temporary local
 * file and cut by {@link PatchRows}, as an image file would be; its {@code source} is
 * {@code <file>#<key>} and its {@code image_id} starts with the key. A row without bytes is a
 * failed image; a file that cannot be read on (a corrupt row group) is a failed entry naming the
 * file and the row it stopped at, not a failed job. The reader and the temporary file are
 * released when the file is done, and at the end of the task however it ends.
 */
final class TablePatchRows implements FlatMapFunction<TableFile, Row> {
  private final PatchRows patches;
  private final org.apache.spark.broadcast.Broadcast<io.sparksr.io.HadoopConf> conf;

  TablePatchRows(org.apache.spark.broadcast.Broadcast<io.sparksr.io.HadoopConf> conf,
      PatchRows patches) {
    this.conf = conf;
    this.patches = patches;
  }

  @Override
  public Iterator<Row> call(TableFile f) throws IOException {
    Configuration c = conf.value().get();
    MessageType schema;
    try {
      schema = ImageTables.schema(c, f.path());
    } catch (IOException | RuntimeException e) { // a cut or corrupt footer
      patches.failed(f.path(), "table file unreadable: " + io.sparksr.io.Failures.reason(e));
      return Collections.emptyIterator();
    }
    ImageTables.ImageColumn image = ImageTables.imageColumn(schema, null, f.path());
    int key = ImageTables.keyColumn(schema, null, f.path());
    ParquetReader<Group> reader;
    try {
      reader = ParquetReader.builder(new GroupReadSupport(), new Path(f.path())).withConf(c)
          .build();
    } catch (IOException | RuntimeException e) {
      patches.failed(f.path(), "table file unreadable: " + io.sparksr.io.Failures.reason(e));
      return Collections.emptyIterator();
    }
    java.nio.file.Path tmp = Files.createTempFile("sparksr-prepare-", ".img");
    Runnable release = () -> {
      try {
        reader.close();
      } catch (IOException e) {
        // nothing more to read from it
      }
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        tmp.toFile().deleteOnExit();
      }
    };
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) t ->
          release.run());
    }
    return new Iterator<>() {
      private long row;
      private Iterator<Row> current = Collections.emptyIterator();
      private boolean done;

      @Override
      public boolean hasNext() {
        try {
          while (!current.hasNext() && !done) {
            Group g;
            try {
              g = reader.read();
            } catch (IOException | RuntimeException e) {
              patches.failed(f.path(), "table file unreadable after " + row + " row(s): "
                  + io.sparksr.io.Failures.reason(e));
              g = null;
            }
            if (g == null) {
              done = true;
              release.run();
              break;
            }
            String k = ImageTables.key(g, key, row++);
            String source = f.path() + "#" + k;
            byte[] bytes = image.bytes(g);
            if (bytes == null) {
              patches.failed(source, "no image bytes in column '" + image.name() + "'");
              continue;
            }
            Files.write(tmp, bytes);
            List<Row> rows = patches.rows(source, k, tmp.toUri().toString());
            current = rows.iterator();
          }
          return current.hasNext();
        } catch (IOException e) {
          throw new UncheckedIOException("reading table " + f.path(), e);
        }
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }
}
