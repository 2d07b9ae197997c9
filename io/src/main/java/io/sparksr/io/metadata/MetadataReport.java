package io.sparksr.io.metadata;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened to each metadata kind when an output was written. Entries are short lower-case
 * phrases: a kind ({@code exif}, {@code xmp}, {@code iptc}, {@code icc}, {@code text},
 * {@code dpi}, {@code tiff-tags}, ...) optionally followed by what changed or, for dropped
 * kinds, the reason in parentheses.
 *
 * @param kept    carried unchanged (apart from the edits listed in {@code changed})
 * @param changed values rewritten, e.g. {@code orientation->1}, {@code dpi x2}
 * @param dropped not carried, each with its reason, e.g. {@code thumbnail (regenerating not supported)}
 */
public record MetadataReport(List<String> kept, List<String> changed, List<String> dropped)
    implements Serializable {

  private static final MetadataReport NONE = new MetadataReport(List.of(), List.of(), List.of());

  public MetadataReport {
    kept = List.copyOf(kept);
    changed = List.copyOf(changed);
    dropped = List.copyOf(dropped);
  }

  /** Nothing carried, nothing changed, nothing dropped: a write without source metadata. */
  public static MetadataReport none() {
    return NONE;
  }

  /**
   * One line for a manifest column, e.g. {@code kept exif,xmp,iptc; changed orientation->1,dpi x2;
   * dropped thumbnail (regenerating not supported)}; empty parts are left out, and a report with
   * nothing in it is the empty string.
   */
  public String summary() {
    List<String> parts = new ArrayList<>(3);
    if (!kept.isEmpty()) {
      parts.add("kept " + String.join(",", kept));
    }
    if (!changed.isEmpty()) {
      parts.add("changed " + String.join(",", changed));
    }
    if (!dropped.isEmpty()) {
      parts.add("dropped " + String.join(",", dropped));
    }
    return String.join("; ", parts);
  }

  /** Collects a report while an output is written; kinds are listed once, in the order first seen. */
  static final class Builder {
    private final List<String> kept = new ArrayList<>();
    private final List<String> changed = new ArrayList<>();
    private final List<String> dropped = new ArrayList<>();

    Builder kept(String kind) {
      add(kept, kind);
      return this;
    }

    Builder changed(String what) {
      add(changed, what);
      return this;
    }

    Builder dropped(String kind, String reason) {
      add(dropped, kind + " (" + reason + ")");
      return this;
    }

    private static void add(List<String> list, String s) {
      if (!list.contains(s)) {
        list.add(s);
      }
    }

    MetadataReport build() {
      return new MetadataReport(kept, changed, dropped);
    }
  }
}
