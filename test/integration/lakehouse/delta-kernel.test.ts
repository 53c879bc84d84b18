import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeltaTable, optimize, type TableSchema } from '../../../src/lakehouse/delta/index.ts';
import { readParquetFiles } from '../../../src/lakehouse/parquet/index.ts';
import { LocalObjectStore } from '../../../src/lakehouse/storage/index.ts';
import { scratchDir, transactionRows, transactionSchema } from '../../lakehouse/fixtures.ts';
import { mavenDependencies } from './maven.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const readerDir = path.join(root, 'scripts', 'delta-kernel');

interface KernelView {
  version: number;
  schema: string;
  rows: number;
  checksum: string;
}

/** The Reader's canonical line for a row (see scripts/delta-kernel/Reader.java). */
function canonicalLine(schema: TableSchema, row: Record<string, unknown>): string {
  return schema.columns
    .map((c) => {
      const v = row[c.name];
      if (v === null || v === undefined) return '\\N';
      const buf = Buffer.alloc(8);
      switch (c.type) {
        case 'double':
          buf.writeDoubleBE(v as number);
          return buf.readBigUInt64BE().toString(16);
        case 'float':
          buf.writeFloatBE(v as number);
          return buf.readUInt32BE().toString(16);
        case 'timestamp':
          return String(BigInt(v instanceof Date ? v.getTime() : (v as number)) * 1000n);
        case 'date':
          return String(
            Math.floor((v instanceof Date ? v.getTime() : Date.parse(`${v}T00:00:00Z`)) / 86_400_000),
          );
        default:
          return String(v);
      }
    })
    .join('\t');
}

function expectedView(schema: TableSchema, rows: Record<string, unknown>[], version: number): KernelView {
  const lines = rows.map((r) => canonicalLine(schema, r)).sort();
  return {
    version,
    schema: schema.columns.map((c) => `${c.name}:${c.type}:${c.nullable ?? true}`).join(','),
    rows: rows.length,
    checksum: createHash('sha256').update(lines.join('\n')).digest('hex'),
  };
}

function parseReader(stdout: string): Map<string, KernelView> {
  const out = new Map<string, KernelView>();
  let current: Record<string, string> = {};
  const flush = () => {
    if (current.table) {
      out.set(current.table, {
        version: Number(current.version),
        schema: current.schema,
        rows: Number(current.rows),
        checksum: current.checksum,
      });
    }
  };
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const [key, value] = [line.slice(0, space), line.slice(space + 1)];
    if (key === 'table') {
      flush();
      current = {};
    }
    current[key] = value;
  }
  flush();
  return out;
}

test('Delta Kernel (independent reader) reads our tables: schema, row count and checksum match', async (t) => {
  const deps = await mavenDependencies('delta-kernel', path.join(readerDir, 'pom.xml'));
  if (!deps.dir) {
    if (process.env.CI) assert.fail(`Delta Kernel could not be fetched from Maven Central: ${deps.reason}`);
    t.skip(`Maven Central unreachable, Delta Kernel not fetched: ${deps.reason}`);
    return;
  }

  // 23 appends (checkpoints at 10 and 20), a schema evolution at 13, an optimize at the end.
  const dir = scratchDir('kernel');
  const table = await DeltaTable.create(new LocalObjectStore(dir), {
    schema: transactionSchema,
    name: 'bronze',
  });
  const written: Record<string, unknown>[] = [];
  let beforeEvolution: { version: number; rows: Record<string, unknown>[] } | null = null;
  for (let i = 0; i < 23; i++) {
    if (i === 12) {
      beforeEvolution = { version: table.version, rows: [...written] };
      await table.addColumns([{ name: 'merchant', type: 'string' }]);
    }
    const rows = transactionRows(i * 7, 7).map((r) => (i >= 12 ? { ...r, merchant: `m-${i}` } : r));
    await table.append(rows, { txn: { appId: 'kernel-test', version: i } });
    written.push(...rows);
  }
  assert.equal((await optimize(table)).filesRemoved, 23);
  const latestSchema = table.schema;

  const { stdout } = await promisify(execFile)(
    'java',
    ['-cp', `${deps.dir}/*`, path.join(readerDir, 'Reader.java'), dir, `${dir}@${beforeEvolution!.version}`],
    { timeout: 180_000, maxBuffer: 16 * 2 ** 20 },
  );
  const views = parseReader(stdout);

  const latest = expectedView(latestSchema, written, table.version);
  assert.deepEqual(views.get(dir), latest);
  const old = expectedView(transactionSchema, beforeEvolution!.rows, beforeEvolution!.version);
  assert.deepEqual(views.get(`${dir}@${beforeEvolution!.version}`), old);

  // DuckDB reads the same Parquet files to the same values
  const viaDuckdb = await readParquetFiles(latestSchema, table.localFiles());
  assert.deepEqual(expectedView(latestSchema, viaDuckdb, table.version), latest);
});
