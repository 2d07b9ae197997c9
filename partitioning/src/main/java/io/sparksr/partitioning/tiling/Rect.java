package io.sparksr.partitioning.tiling;

import java.io.Serializable;

/**
 * An axis-aligned pixel rectangle: columns {@code [x, x + width)}, rows {@code [y, y + height)}.
 * Coordinates may be negative (a padded tile reaches outside its image); sizes may not.
 */
public record Rect(int x, int y, int width, int height) implements Serializable {

  public Rect {
    if (width < 0) {
      throw new IllegalArgumentException("rect width is " + width + " but must be >= 0");
    }
    if (height < 0) {
      throw new IllegalArgumentException("rect height is " + height + " but must be >= 0");
    }
  }

  public static Rect of(int x, int y, int width, int height) {
    return new Rect(x, y, width, height);
  }

  /** Exclusive right edge. */
  public int right() {
    return x + width;
  }

  /** Exclusive bottom edge. */
  public int bottom() {
    return y + height;
  }

  public long area() {
    return (long) width * height;
  }

  public boolean isEmpty() {
    return width == 0 || height == 0;
  }

  public boolean contains(Rect other) {
    return other.x >= x && other.y >= y && other.right() <= right() && other.bottom() <= bottom();
  }

  public boolean contains(int px, int py) {
    return px >= x && py >= y && px < right() && py < bottom();
  }

  /** The overlap of the two rectangles (empty, at this rectangle's origin, when they do not meet). */
  public Rect intersect(Rect other) {
    int x0 = Math.max(x, other.x);
    int y0 = Math.max(y, other.y);
    int x1 = Math.min(right(), other.right());
    int y1 = Math.min(bottom(), other.bottom());
    if (x1 <= x0 || y1 <= y0) {
      return new Rect(x, y, 0, 0);
    }
    return new Rect(x0, y0, x1 - x0, y1 - y0);
  }

  /** This rectangle grown by {@code margin} on every side. */
  public Rect expand(int margin) {
    return new Rect(x - margin, y - margin, width + 2 * margin, height + 2 * margin);
  }

  /** This rectangle with every coordinate multiplied by {@code scale}. */
  public Rect scale(int scale) {
    return new Rect(x * scale, y * scale, width * scale, height * scale);
  }

  public Rect translate(int dx, int dy) {
    return new Rect(x + dx, y + dy, width, height);
  }

  @Override
  public String toString() {
    return width + "x" + height + "@(" + x + "," + y + ")";
  }
}
