package io.sparksr.jobs.prepare;

import io.sparksr.partitioning.degrade.DegradationParams;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Every component of {@link DegradationParams} as a column of the prepared data set, named from
 * the record itself (so the columns can never drift from the parameters): {@code deg_preset},
 * {@code deg_seed}, {@code deg_margin}, the three orders' stages as {@code deg1_<name>},
 * {@code deg2_<name>} and {@code deg3_<name>} (the last order, at the LR size: {@code deg1_kernel},
 * {@code deg1_sigma_x}, ..., {@code deg3_jpeg}), {@code deg_final_mode}; snake_case of the
 * component names.
 */
final class DegradationColumns {
  private DegradationColumns() {}

  /** {@code schema} with the degradation columns appended. */
  static StructType append(StructType schema) {
    StructType s = schema;
    for (RecordComponent c : DegradationParams.class.getRecordComponents()) {
      if (c.getType() == DegradationParams.Stage.class) {
        String prefix = switch (c.getName()) {
          case "first" -> "deg1_";
          case "second" -> "deg2_";
          case "last" -> "deg3_";
          default -> throw new IllegalStateException("no column prefix for " + c.getName());
        };
        for (RecordComponent sc : DegradationParams.Stage.class.getRecordComponents()) {
          s = s.add(prefix + snake(sc.getName()), type(sc.getType()), false);
        }
      } else {
        s = s.add("deg_" + snake(c.getName()), type(c.getType()), false);
      }
    }
    return s;
  }

  /** The column values of {@code p}, in {@link #append}'s order. */
  static List<Object> values(DegradationParams p) {
    List<Object> out = new ArrayList<>();
    try {
      for (RecordComponent c : DegradationParams.class.getRecordComponents()) {
        Object v = c.getAccessor().invoke(p);
        if (v instanceof DegradationParams.Stage stage) {
          for (RecordComponent sc : DegradationParams.Stage.class.getRecordComponents()) {
            out.add(sc.getAccessor().invoke(stage));
          }
        } else {
          out.add(v);
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("reading a degradation record", e);
    }
    return out;
  }

  private static DataType type(Class<?> t) {
    if (t == String.class) {
      return DataTypes.StringType;
    } else if (t == int.class) {
      return DataTypes.IntegerType;
    } else if (t == long.class) {
      return DataTypes.LongType;
    } else if (t == double.class) {
      return DataTypes.DoubleType;
    } else if (t == boolean.class) {
      return DataTypes.BooleanType;
    }
    throw new IllegalStateException("no column type for " + t);
  }

  static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
