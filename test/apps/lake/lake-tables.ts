/** Test helpers: read a medallion table's current rows (DuckDB over the snapshot's Parquet files). */
import fs from 'node:fs';
import path from 'node:path';
import type { MedallionTableName } from '../../../src/apps/lake/tables.ts';
import { tablePath } from '../../../src/apps/lake/tables.ts';
import { DeltaTable, LocalObjectStore, readParquetFiles } from '../../../src/lakehouse/index.ts';

export async function readLakeTable(basePath: string, table: MedallionTableName) {
  const dir = tablePath(basePath, table);
  if (!fs.existsSync(path.join(dir, '_delta_log')))
    return { version: -1, rows: [] as Record<string, unknown>[] };
  const delta = await DeltaTable.open(new LocalObjectStore(dir));
  return { version: delta.version, rows: await readParquetFiles(delta.schema, delta.localFiles()) };
}

/** Polls until `check` returns true (or throws after `timeoutMs` with the last state). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
