package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class PixelFormatTest {
  private final byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();

  @Test
  void equalityComparesProfileBytes() {
    PixelFormat a = new PixelFormat("png", 3, 8, false, false, icc);
    PixelFormat b = new PixelFormat("png", 3, 8, false, false, icc.clone());
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(a.withIccProfile(null));
    byte[] other = icc.clone();
    other[other.length - 1] ^= 1;
    assertThat(a).isNotEqualTo(a.withIccProfile(other));
    assertThat(a.toString()).contains("icc=" + icc.length + " bytes");
  }

  @Test
  void profileIsCopiedInAndOut() {
    byte[] bytes = icc.clone();
    PixelFormat f = PixelFormat.of("png", 3, 8).withIccProfile(bytes);
    bytes[0] ^= 1;
    f.iccProfile()[1] ^= 1;
    assertThat(f.iccProfile()).isEqualTo(icc);
  }

  @Test
  void namesAreNormalised() {
    assertThat(PixelFormat.of("JPG", 3, 8).formatName()).isEqualTo("jpeg");
    assertThat(PixelFormat.of("tif", 1, 16).formatName()).isEqualTo("tiff");
    assertThat(PixelFormat.of("png", 4, 8).withFormatName("TIFF"))
        .isEqualTo(PixelFormat.of("tiff", 4, 8));
  }

  @Test
  void alphaFollowsChannels() {
    assertThat(PixelFormat.of("png", 2, 8).alpha()).isTrue();
    assertThat(PixelFormat.of("png", 3, 8).alpha()).isFalse();
    assertThat(PixelFormat.of("png", 2, 8).gray()).isTrue();
  }

  @Test
  void invalidValuesAreRejectedWithKeyValueAndRule() {
    assertThatThrownBy(() -> PixelFormat.of("png", 5, 8))
        .hasMessage("'channels' is 5 but must be in 1..4");
    assertThatThrownBy(() -> PixelFormat.of("png", 3, 12))
        .hasMessage("'bitDepth' is 12 but must be 8 or 16");
    assertThatThrownBy(() -> new PixelFormat("png", 3, 8, true, false, null))
        .hasMessageContaining("'alpha' is true but 3 channels mean alpha = false");
    assertThatThrownBy(() -> PixelFormat.of(" ", 3, 8)).hasMessageContaining("'formatName' is empty");
  }

  @Test
  void serializes() throws Exception {
    PixelFormat f = new PixelFormat("png", 4, 16, true, true, icc);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(f);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(f);
    }
  }
}
