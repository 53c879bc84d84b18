/**
 * Delta Kernel as an independent reader for tests: fetches it from Maven Central once and runs
 * scripts/delta-kernel/Reader.java on tables. `expectedView` computes, from the rows a test wrote,
 * what the Reader must print, so a medallion test can check each table with two calls:
 *
 * @example
 *   const views = await readWithDeltaKernel([dir]);
 *   assert.deepEqual(views.get(dir), expectedView(schema, rowsWritten, table.version));
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TableSchema } from '../../../src/lakehouse/delta/index.ts';
import { mavenDependencies } from './maven.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const readerDir = path.join(root, 'scripts', 'delta-kernel');

export interface KernelView {
  version: number;
  schema: string;
  rows: number;
  checksum: string;
}

/** The Reader's canonical line for a row (see scripts/delta-kernel/Reader.java). */
export function canonicalLine(schema: TableSchema, row: Record<string, unknown>): string {
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
        case 'binary':
          return Buffer.from(v as Uint8Array).toString('hex');
        default:
          return String(v);
      }
    })
    .join('\t');
}

export function expectedView(
  schema: TableSchema,
  rows: Record<string, unknown>[],
  version: number,
): KernelView {
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

/**
 * Reads tables (`<dir>` or `<dir>@<version>`) with Delta Kernel. Resolves null (with the reason)
 * when Maven Central cannot be reached.
 */
export async function readWithDeltaKernel(
  specs: string[],
): Promise<{ views: Map<string, KernelView> | null; reason?: string }> {
  const deps = await mavenDependencies('delta-kernel', path.join(readerDir, 'pom.xml'));
  if (!deps.dir) return { views: null, reason: deps.reason };
  const { stdout } = await promisify(execFile)(
    'java',
    ['-cp', `${deps.dir}/*`, path.join(readerDir, 'Reader.java'), ...specs],
    { timeout: 300_000, maxBuffer: 16 * 2 ** 20 },
  );
  return { views: parseReader(stdout) };
}
