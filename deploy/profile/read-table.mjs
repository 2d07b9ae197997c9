// The table side of the archive-scale benchmark, read by DuckDB (@duckdb/node-api, the package
// integration-tests installs into target/js-readers): rows, images, statuses, sizes and bytes of
// an upscaled table folder.  node deploy/profile/read-table.mjs <table-folder> <image-column>
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, col] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const r = await c.runAndReadAll(`
  select count(*) as n_rows, count(${col}) as n_images,
         count(*) filter (where status = 'ok') as n_ok, min(width) as min_w, max(width) as max_w,
         sum(octet_length(${col})) as bytes, count(distinct filename) as files
  from read_parquet('${dir}/*.parquet', filename = true)`);
console.log(JSON.stringify(r.getRowObjects()[0], (k, v) => (typeof v === "bigint" ? Number(v) : v)));
