package io.sparksr.jobs;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/**
 * The CSV dialect of every file the jobs write (Apache Commons CSV): RFC 4180 with '\n' line ends,
 * a header row, a field quoted only when it must be (it holds ',', '"', '\n' or '\r', starts with
 * a character up to '#' or ends with one up to ' ', or is an empty first field), quotes doubled
 * inside; null is an empty field. Files are small (a row per step or per summary), so they are
 * built and parsed as text and written with HadoopFiles.
 */
public final class Csv {
  /** Writing: no header of its own (callers pass theirs to {@link #text}). */
  public static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator('\n')
      .setQuoteMode(QuoteMode.MINIMAL).build();
  /** Reading: the first row is the header, blank lines are skipped. */
  private static final CSVFormat READ = CSVFormat.RFC4180.builder().setHeader()
      .setSkipHeaderRecord(true).setIgnoreEmptyLines(true).build();

  private Csv() {}

  /** A header row and {@code rows} as CSV text, every row ending in '\n'. */
  public static String text(List<String> header, List<? extends List<?>> rows) {
    StringBuilder sb = new StringBuilder();
    try (CSVPrinter out = new CSVPrinter(sb, FORMAT)) {
      out.printRecord(header);
      for (List<?> row : rows) {
        out.printRecord(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing CSV to memory", e); // StringBuilder never throws
    }
    return sb.toString();
  }

  /**
   * The rows of CSV text whose first row is its header; fields are read by header name. {@code
   * origin} (a path) names the text in errors.
   */
  public static List<CSVRecord> records(String text, String origin) throws IOException {
    try (var parser = READ.parse(new StringReader(text))) {
      return parser.getRecords();
    } catch (IOException | UncheckedIOException | IllegalArgumentException
        | IllegalStateException e) {
      throw new IOException("cannot parse CSV " + origin + ": " + e.getMessage(), e);
    }
  }
}
