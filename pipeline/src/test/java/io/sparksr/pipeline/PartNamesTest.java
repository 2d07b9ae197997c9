package io.sparksr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Part-file names are written by one executor and found by another (the assembly after a shuffle,
 * a resumed run): they must not depend on the JVM's locale. With ar-SA or fa-IR, {@code %d} gives
 * Arabic-Indic digits.
 */
class PartNamesTest {
  @Test
  void partNamesUseAsciiDigitsWhateverTheDefaultLocale() {
    Locale before = Locale.getDefault();
    try {
      for (String tag : new String[] {"ar-SA", "fa-IR", "th-TH-u-nu-thai", "en-US"}) {
        Locale.setDefault(Locale.forLanguageTag(tag));
        assertThat(ImageAssembler.partName(42)).as(tag).isEqualTo("t0000042.bin");
      }
    } finally {
      Locale.setDefault(before);
    }
  }
}
