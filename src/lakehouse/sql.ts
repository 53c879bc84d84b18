import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FraudstreamError } from '../errors.ts';
import type { CommitEntry } from './delta/log.ts';
import {
  describe,
  type OptimizeOptions,
  type OptimizeResult,
  optimize,
  type TableDescription,
  type VacuumOptions,
  type VacuumResult,
  vacuum,
} from './delta/maintenance.ts';
import { quoteIdent } from './delta/schema.ts';
import { type AsOf, DeltaTable } from './delta/table.ts';
import { normalizeValue } from './parquet/duckdb.ts';
import { parquetRelationSql } from './parquet/reader.ts';
import { LocalObjectStore } from './storage/local.ts';

/** A Delta table found under a lake root: `bronze/transactions` is queried as `bronze.transactions`. */
export interface LakeTableRef {
  name: string;
  dir: string;
}

export interface SqlOptions {
  /** base directory of the lake (default `./data/lake`) */
  lakeRoot?: string;
  /** time travel for every table, or per table name */
  asOf?: AsOf | Record<string, AsOf>;
}

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

export type OutputFormat = 'table' | 'csv' | 'json';

const DEFAULT_LAKE_ROOT = './data/lake';

/** Every Delta table (a directory with `_delta_log`) up to two levels under the lake root. */
export async function discoverTables(lakeRoot = DEFAULT_LAKE_ROOT): Promise<LakeTableRef[]> {
  const out: LakeTableRef[] = [];
  const visit = async (dir: string, parts: string[]): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (parts.length > 0 && entries.some((e) => e.isDirectory() && e.name === '_delta_log')) {
      out.push({ name: parts.join('.'), dir });
      return;
    }
    if (parts.length >= 2) return;
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.')) {
        await visit(path.join(dir, e.name), [...parts, e.name]);
      }
    }
  };
  await visit(path.resolve(lakeRoot), []);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Opens a lake table by its SQL name (`bronze.transactions`) or by a directory path. */
export async function openLakeTable(name: string, lakeRoot = DEFAULT_LAKE_ROOT): Promise<DeltaTable> {
  const byName = path.join(path.resolve(lakeRoot), ...name.split('.'));
  const dir = (await stat(path.join(byName, '_delta_log')).catch(() => null)) ? byName : path.resolve(name);
  return DeltaTable.open(new LocalObjectStore(dir));
}

/**
 * Runs a DuckDB query over the lake's tables. Each table becomes a view over the Parquet files of
 * its current snapshot (or of `asOf`), so uncommitted and removed files are never read. Each call
 * uses its own short-lived in-memory DuckDB so the views of concurrent queries cannot collide.
 *
 * @example
 *   const { rows } = await runSql('SELECT count(*) AS n FROM bronze.transactions', { lakeRoot: './data/lake' });
 */
export async function runSql(query: string, options: SqlOptions = {}): Promise<SqlResult> {
  const all = await discoverTables(options.lakeRoot);
  // Only tables the query names get a view (each costs a log replay); all of them if none matches.
  const named = all.filter((t) => t.name.split('.').every((part) => wordIn(query, part)));
  const tables = named.length > 0 ? named : all;
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const schemas = new Set<string>();
    for (const ref of tables) {
      const table = await DeltaTable.open(new LocalObjectStore(ref.dir));
      const asOf = asOfFor(options.asOf, ref.name);
      const snapshot = await table.snapshotAt(asOf);
      const relation = await parquetRelationSql(connection, snapshot.schema, table.localFiles(snapshot));
      const parts = ref.name.split('.');
      if (parts.length === 2 && !schemas.has(parts[0])) {
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(parts[0])}`);
        schemas.add(parts[0]);
      }
      await connection.run(`CREATE VIEW ${parts.map(quoteIdent).join('.')} AS ${relation}`);
    }
    let reader: Awaited<ReturnType<typeof connection.runAndReadAll>>;
    try {
      reader = await connection.runAndReadAll(query);
    } catch (err) {
      const known = all.map((t) => t.name).join(', ') || 'none';
      // one line: DuckDB's first line (its caret diagram needs more lines) and the tables we know
      const message = (err as Error).message.split('\n')[0];
      throw new FraudstreamError('FS_USAGE', `SQL failed: ${message} (lake tables: ${known})`, {
        cause: err,
      });
    }
    const rows = reader.getRowObjectsJS().map((row) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) out[k] = normalizeValue(v);
      return out;
    });
    connection.closeSync();
    return { columns: reader.columnNames(), rows };
  } finally {
    instance.closeSync();
  }
}

function wordIn(text: string, word: string): boolean {
  return new RegExp(
    `(^|[^A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`,
    'i',
  ).test(text);
}

function asOfFor(asOf: SqlOptions['asOf'], name: string): AsOf | undefined {
  if (!asOf) return undefined;
  if ('version' in asOf || 'timestamp' in asOf) return asOf as AsOf;
  return (asOf as Record<string, AsOf>)[name];
}

/** Renders a result as an aligned text table, RFC 4180 CSV, or a JSON array of row objects. */
export function formatResult(result: SqlResult, format: OutputFormat = 'table'): string {
  const text = (v: unknown): string => {
    if (v === null || v === undefined) return format === 'table' ? 'NULL' : '';
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
    return String(v);
  };
  if (format === 'json') {
    return JSON.stringify(result.rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2);
  }
  if (format === 'csv') {
    const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    const lines = [result.columns.map(cell).join(',')];
    for (const row of result.rows) lines.push(result.columns.map((c) => cell(text(row[c]))).join(','));
    return `${lines.join('\n')}\n`;
  }
  if (format !== 'table')
    throw new FraudstreamError('FS_USAGE', `unknown output format "${format}" (table, csv, json)`);
  const body = result.rows.map((row) => result.columns.map((c) => text(row[c])));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const n = result.rows.length;
  return [line(result.columns), rule, ...body.map(line), `(${n} row${n === 1 ? '' : 's'})`].join('\n');
}

/** `fraudstream lake history <table>`: commits newest first. */
export async function lakeHistory(
  name: string,
  options: { lakeRoot?: string; limit?: number } = {},
): Promise<
  Array<{ version: number; timestamp: string; operation: string; parameters: Record<string, unknown> }>
> {
  const table = await openLakeTable(name, options.lakeRoot);
  const commits: CommitEntry[] = await table.history(options.limit);
  return commits.map((c) => {
    const info = c.actions.find((a) => 'commitInfo' in a) as
      | { commitInfo: Record<string, unknown> }
      | undefined;
    return {
      version: c.version,
      timestamp: new Date(c.timestamp).toISOString(),
      operation: String(info?.commitInfo.operation ?? 'UNKNOWN'),
      parameters: (info?.commitInfo.operationParameters as Record<string, unknown>) ?? {},
    };
  });
}

/** `fraudstream lake describe <table>`. */
export async function lakeDescribe(
  name: string,
  options: { lakeRoot?: string } = {},
): Promise<TableDescription> {
  return describe(await openLakeTable(name, options.lakeRoot));
}

/** `fraudstream lake optimize <table>`. */
export async function lakeOptimize(
  name: string,
  options: OptimizeOptions & { lakeRoot?: string } = {},
): Promise<OptimizeResult> {
  return optimize(await openLakeTable(name, options.lakeRoot), options);
}

/** `fraudstream lake vacuum <table> [--retention-hours N] [--force] [--dry-run]`. */
export async function lakeVacuum(
  name: string,
  options: VacuumOptions & { lakeRoot?: string } = {},
): Promise<VacuumResult> {
  return vacuum(await openLakeTable(name, options.lakeRoot), options);
}
