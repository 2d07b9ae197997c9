package io.sparksr.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** The jobs' CSV dialect: RFC 4180 quoting, '\n' line ends, and what is read back. */
class CsvTest {

  @Test
  void plainFieldsAreWrittenAsIsAndQuotedOnlyWhenNeeded() {
    String text = Csv.text(List.of("a", "b", "c"), List.of(
        Arrays.asList("x", "1.5", ""),
        Arrays.asList("a,b", "say \"hi\"", null)));
    assertThat(text).isEqualTo("a,b,c\nx,1.5,\n\"a,b\",\"say \"\"hi\"\"\",\n");
  }

  @Test
  void fieldsWithCommasQuotesAndLineBreaksRoundTrip() throws IOException {
    List<String> row = List.of("comma,inside", "quote \" inside", "line\nbreak", "carriage\rret",
        "crlf\r\nend", "", "plain", "hdfs://nn/m/a.srm");
    List<String> header = List.of("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8");
    String text = Csv.text(header, List.of(row, row));
    List<CSVRecord> back = Csv.records(text, "mem");
    assertThat(back).hasSize(2);
    for (CSVRecord r : back) {
      assertThat(r.toList()).isEqualTo(row);
      assertThat(r.get("c3")).isEqualTo("line\nbreak");
      assertThat(r.get("c4")).isEqualTo("carriage\rret");
    }
    // RFC 4180: the \r and \n stay inside their quoted field, rows end in \n only
    assertThat(text).contains("\"carriage\rret\"").contains("\"crlf\r\nend\"")
        .endsWith(",plain,hdfs://nn/m/a.srm\n");
  }

  @Test
  void readingSkipsBlankLinesAndNamesTheOriginOnBadInput() throws IOException {
    assertThat(Csv.records("a,b\n1,2\n\n3,4\n", "f.csv")).extracting(r -> r.get("b"))
        .containsExactly("2", "4");
    assertThatThrownBy(() -> Csv.records("a,b\n\"unterminated,2\n", "/x/f.csv"))
        .isInstanceOf(IOException.class).hasMessageContaining("/x/f.csv");
  }
}
