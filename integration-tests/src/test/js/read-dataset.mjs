// Reads a sparksr prepare dataset with DuckDB (an independent Parquet reader, outside the JVM)
// and prints one JSON line per (scale, split): rows, patch byte sizes, distinct images.
// Usage: node read-dataset.mjs <dataset folder>
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const r = await c.runAndReadAll(`
  SELECT scale, split, count(*) AS rows, min(octet_length(lr)) AS lr_bytes,
         max(octet_length(hr)) AS hr_bytes, count(DISTINCT image_id) AS images,
         min(patch_size) AS patch_size, min(channels) AS channels
  FROM read_parquet('${dir}/scale=*/*.parquet', hive_partitioning = true)
  GROUP BY ALL ORDER BY scale, split`);
for (const row of r.getRowObjects()) {
  console.log(JSON.stringify(row, (k, v) => (typeof v === 'bigint' ? Number(v) : v)));
}
