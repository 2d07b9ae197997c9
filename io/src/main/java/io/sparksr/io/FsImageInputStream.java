package io.sparksr.io;

import java.io.IOException;
import javax.imageio.stream.ImageInputStreamImpl;
import org.apache.hadoop.fs.FSDataInputStream;

/**
 * A random-access {@link javax.imageio.stream.ImageInputStream} over a Hadoop
 * {@link FSDataInputStream}: seeks are lazy and reads go through one small buffer, so a region read
 * of a tiled TIFF fetches the header, the tile index and the tiles it needs, not the whole file.
 * An I/O failure of the underlying stream is remembered in {@link #failure()} so the caller can tell
 * a storage fault from a corrupt file (decoders wrap both in {@code IIOException}).
 */
public final class FsImageInputStream extends ImageInputStreamImpl {
  private static final int BUFFER_SIZE = 64 * 1024;

  private final FSDataInputStream in;
  private final long length;
  private final byte[] buffer;
  private long bufferStart;
  private int bufferLength;
  private IOException failure;

  public FsImageInputStream(FSDataInputStream in, long length) {
    this.in = in;
    this.length = length;
    this.buffer = new byte[(int) Math.max(1, Math.min(BUFFER_SIZE, length))];
  }

  /** The first I/O error raised by the file system stream, or null. */
  IOException failure() {
    return failure;
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public int read() throws IOException {
    checkClosed();
    bitOffset = 0;
    if (!buffered(streamPos) && !fill(streamPos)) {
      return -1;
    }
    return buffer[(int) (streamPos++ - bufferStart)] & 0xff;
  }

  /**
   * Reads as many of the {@code len} bytes as the file holds (not just what is buffered): some JDK
   * decoders (BMP) ignore short reads.
   */
  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    checkClosed();
    if (off < 0 || len < 0 || off + len > b.length) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", array " + b.length);
    }
    bitOffset = 0;
    if (len == 0) {
      return 0;
    }
    int total = 0;
    while (total < len && streamPos < length) {
      int n;
      if (buffered(streamPos)) {
        n = (int) Math.min(len - total, bufferStart + bufferLength - streamPos);
        System.arraycopy(buffer, (int) (streamPos - bufferStart), b, off + total, n);
      } else if (len - total >= buffer.length) {
        n = readAt(streamPos, b, off + total, (int) Math.min(len - total, length - streamPos));
      } else {
        n = fill(streamPos) ? 0 : -1;
      }
      if (n < 0) {
        break;
      }
      streamPos += n;
      total += n;
    }
    return total == 0 ? -1 : total;
  }

  @Override
  public void close() throws IOException {
    super.close();
    in.close();
  }

  private boolean buffered(long pos) {
    return pos >= bufferStart && pos < bufferStart + bufferLength;
  }

  private boolean fill(long pos) throws IOException {
    bufferLength = 0;
    if (pos >= length) {
      return false;
    }
    int n = readAt(pos, buffer, 0, (int) Math.min(buffer.length, length - pos));
    if (n <= 0) {
      return false;
    }
    bufferStart = pos;
    bufferLength = n;
    return true;
  }

  /** Reads up to len bytes at pos; fewer only at end of file. */
  private int readAt(long pos, byte[] b, int off, int len) throws IOException {
    try {
      if (in.getPos() != pos) {
        in.seek(pos);
      }
      int total = 0;
      while (total < len) {
        int n = in.read(b, off + total, len - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
      return total == 0 ? -1 : total;
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
      throw e;
    }
  }
}
