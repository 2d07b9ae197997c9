package io.sparksr.jobs.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** The builder of a results.parquet row, and the row's columns that earlier runs' files have. */
class EvalResultTest {
  private static final EvalUnit UNIT = new EvalUnit("Set5", "baby.png", "/d/baby.png", 3,
      "bicubic", List.of(new Setting(64, true)), false, List.of(), "", "sha-baby");

  @Test
  void theBuilderRefusesAMissingRequiredValueNamingTheColumn() {
    assertThatThrownBy(() -> EvalResult.builder().runId("r").unit(UNIT).finishedAt(1L).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'setting'");
    assertThatThrownBy(() -> EvalResult.builder().runId("r").unit(UNIT)
        .setting(new Setting(0, false)).psnr(30).ssim(0.9).seconds(1).hrWidth(2).hrHeight(2)
        .lrWidth(1).lrHeight(1).channels(3).finishedAt(1L).build())
        .hasMessageContaining("'tiles'");
    assertThatThrownBy(() -> EvalResult.builder().unit(UNIT).setting(new Setting(0, false))
        .error("x").finishedAt(1L).build())
        .hasMessageContaining("'run_id'");
  }

  @Test
  void aFailedRowHasNanMetricsAndZeroSizes() {
    EvalResult f = EvalResult.failed("r", UNIT, new Setting(64, true), "boom");
    assertThat(f.ok()).isFalse();
    assertThat(f.psnr()).isNaN();
    assertThat(f.ssim()).isNaN();
    assertThat(List.of(f.hrWidth(), f.hrHeight(), f.lrWidth(), f.lrHeight(), f.channels(),
        f.tiles())).containsOnly(0);
    assertThat(f.seconds()).isZero();
    assertThat(f.setting()).isEqualTo("tile64+x8");
    assertThat(f.tileSize()).isEqualTo(64);
    assertThat(f.selfEnsemble()).isTrue();
    assertThat(f.dataset() + f.image() + f.path() + f.scale() + f.model())
        .isEqualTo("Set5baby.png/d/baby.png3bicubic");
  }

  /**
   * The columns, types and order of results.parquet as existing files hold them, then the
   * provenance columns (nullable: files of earlier versions lack them).
   */
  @Test
  void theParquetSchemaKeepsItsColumnsAndAppendsTheProvenance() {
    assertThat(Arrays.stream(EvalResult.SCHEMA.fields())
        .map(f -> f.name() + ":" + f.dataType().typeName() + (f.nullable() ? "?" : "")))
        .containsExactly("run_id:string", "dataset:string", "image:string", "path:string",
            "scale:integer", "model:string", "setting:string", "tile_size:integer",
            "self_ensemble:boolean", "psnr:double", "ssim:double", "seconds:double",
            "hr_width:integer", "hr_height:integer", "lr_width:integer", "lr_height:integer",
            "channels:integer", "tiles:integer", "error:string?", "finished_at:long",
            "model_sha256:string?", "hr_sha256:string?", "lr_spec:string?");
    assertThat(EvalResult.SCHEMA.fields()).extracting(StructField::name).hasSize(23);
  }

  /** A row of an earlier version's file (20 columns) reads with unknown provenance. */
  @Test
  void aRowWithoutProvenanceColumnsReadsAsUnknown() {
    EvalResult r = EvalResult.builder().runId("r").unit(UNIT).setting(new Setting(64, true))
        .error("x").finishedAt(5L).build();
    assertThat(r.modelSha256()).isEmpty();
    assertThat(r.hrSha256()).isEqualTo("sha-baby");
    assertThat(r.lrSpec()).isEmpty();
    assertThat(EvalResult.fromRow(r.toRow())).isEqualTo(r);
    org.apache.spark.sql.types.StructType old = new org.apache.spark.sql.types.StructType(
        Arrays.copyOf(EvalResult.SCHEMA.fields(), 20));
    Object[] values = Arrays.copyOf(((org.apache.spark.sql.catalyst.expressions
        .GenericRowWithSchema) r.toRow()).values(), 20);
    EvalResult earlier = EvalResult.fromRow(
        new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, old));
    assertThat(earlier.modelSha256()).isNull();
    assertThat(earlier.hrSha256()).isNull();
    assertThat(earlier.lrSpec()).isNull();
    assertThat(earlier.finishedAt()).isEqualTo(5L);
  }
}
