import { randomUUID } from 'node:crypto';
import { DuckDBDataChunk, type DuckDBValue } from '@duckdb/node-api';
import { duckdbTypeOf, quoteIdent, type TableSchema } from '../delta/schema.ts';
import { copyToParquet, type WrittenParquet } from './copy.ts';
import { withConnection } from './duckdb.ts';
import { COLUMN_TYPES, toDuckValue } from './values.ts';

/** DuckDB's vector size: the appender takes data chunks of at most this many rows. */
const CHUNK_ROWS = 2048;

/**
 * Writes rows (plain objects keyed by column name) to one Parquet file at `localFile` and returns
 * its size and Delta per-file stats. Rows go through DuckDB's appender in column chunks into a
 * connection-local temp table, then `copyToParquet` (zstd, stats computed while writing).
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
      return await copyToParquet(connection, table, localFile, schema);
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}
