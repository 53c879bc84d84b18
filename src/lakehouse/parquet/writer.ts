import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { DuckDBDataChunk, type DuckDBValue } from '@duckdb/node-api';
import type { FileStats } from '../delta/actions.ts';
import { duckdbTypeOf, quoteIdent, type TableSchema } from '../delta/schema.ts';
import { normalizeValue, sqlString, withConnection } from './duckdb.ts';
import { COLUMN_TYPES, toDuckValue } from './values.ts';

/** DuckDB's vector size: the appender takes data chunks of at most this many rows. */
const CHUNK_ROWS = 2048;
/** Delta writers cap string min/max stats at a prefix; a longer max cannot be truncated safely. */
const STRING_STATS_PREFIX = 32;

export interface WrittenParquet {
  size: number;
  stats: FileStats;
}

/**
 * Writes rows (plain objects keyed by column name) to one Parquet file at `localFile` and returns
 * its size and Delta per-file stats. Rows go through DuckDB's appender in column chunks into a
 * connection-local temp table, then `COPY … (FORMAT PARQUET, COMPRESSION zstd)`; timestamps are
 * INT64 micros with isAdjustedToUTC=true.
 *
 * @example
 *   await writeParquetFile({ columns: [{ name: 'id', type: 'long' }] }, [{ id: 1 }], '/tmp/part-0.parquet');
 */
export async function writeParquetFile(
  schema: TableSchema,
  rows: readonly Record<string, unknown>[],
  localFile: string,
): Promise<WrittenParquet> {
  return withConnection(async (connection) => {
    const table = `batch_${randomUUID().replaceAll('-', '')}`;
    const ddl = schema.columns.map((c) => `${quoteIdent(c.name)} ${duckdbTypeOf(c.type)}`).join(', ');
    await connection.run(`CREATE TEMP TABLE ${table} (${ddl})`);
    try {
      const appender = await connection.createAppender(table, null, 'temp');
      const types = schema.columns.map((c) => COLUMN_TYPES[c.type]);
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const end = Math.min(rows.length, start + CHUNK_ROWS);
        const columns: DuckDBValue[][] = schema.columns.map((column) => {
          const values = new Array<DuckDBValue>(end - start);
          for (let i = start; i < end; i++) values[i - start] = toDuckValue(column, rows[i][column.name]);
          return values;
        });
        const chunk = DuckDBDataChunk.create(types, end - start);
        chunk.setColumns(columns);
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
      appender.closeSync();
      await connection.run(
        `COPY ${table} TO ${sqlString(localFile)} (FORMAT PARQUET, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 1000000)`,
      );
      const stats = await computeStats(connection, table, schema);
      const { size } = await stat(localFile);
      return { size, stats };
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}

/** Delta stats of a relation (a temp table or a `read_parquet(...)` expression). */
export async function computeStats(
  connection: import('@duckdb/node-api').DuckDBConnection,
  relation: string,
  schema: TableSchema,
): Promise<FileStats> {
  const selects = ['count(*) AS n'];
  schema.columns.forEach((c, i) => {
    const col = quoteIdent(c.name);
    selects.push(`count(*) - count(${col}) AS nulls_${i}`);
    if (c.type === 'boolean' || c.type === 'binary') return;
    if (c.type === 'timestamp') {
      selects.push(`epoch_ms(min(${col})) AS min_${i}`, `epoch_ms(max(${col})) AS max_${i}`);
    } else if (c.type === 'date') {
      selects.push(`CAST(min(${col}) AS VARCHAR) AS min_${i}`, `CAST(max(${col}) AS VARCHAR) AS max_${i}`);
    } else {
      selects.push(`min(${col}) AS min_${i}`, `max(${col}) AS max_${i}`);
    }
  });
  const reader = await connection.runAndReadAll(`SELECT ${selects.join(', ')} FROM ${relation}`);
  const row = reader.getRowObjectsJS()[0] as Record<string, unknown>;
  const stats: FileStats = { numRecords: Number(row.n), minValues: {}, maxValues: {}, nullCount: {} };
  schema.columns.forEach((c, i) => {
    stats.nullCount[c.name] = Number(row[`nulls_${i}`]);
    let min = normalizeValue(row[`min_${i}`]);
    let max = normalizeValue(row[`max_${i}`]);
    if (min === null || min === undefined) return;
    if (c.type === 'timestamp') {
      min = new Date(Number(min)).toISOString();
      // Stats are millisecond-truncated; round the max up so it stays an upper bound.
      max = new Date(Number(max) + 1).toISOString();
    }
    if (typeof min === 'number' && !Number.isFinite(min)) return;
    if (typeof max === 'number' && !Number.isFinite(max)) return;
    if (c.type === 'string') {
      min = (min as string).slice(0, STRING_STATS_PREFIX);
      if ((max as string).length > STRING_STATS_PREFIX) max = undefined;
    }
    stats.minValues[c.name] = min;
    if (max !== undefined) stats.maxValues[c.name] = max;
  });
  return stats;
}
