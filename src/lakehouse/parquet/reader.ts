import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbTypeOf, quoteIdent, type TableSchema } from '../delta/schema.ts';
import { normalizeValue, sqlStringList, withConnection } from './duckdb.ts';

/**
 * SQL for a relation over Parquet files projected onto `schema`: a column no file has yet
 * (added by schema evolution) reads as NULL, files written before a column was added yield NULL
 * for it (union_by_name), and an empty file list yields an empty, typed relation.
 */
export async function parquetRelationSql(
  connection: DuckDBConnection,
  schema: TableSchema,
  files: readonly string[],
): Promise<string> {
  const typed = (expr: string, name: string, type: Parameters<typeof duckdbTypeOf>[0]) =>
    `CAST(${expr} AS ${duckdbTypeOf(type)}) AS ${quoteIdent(name)}`;
  if (files.length === 0) {
    return `SELECT ${schema.columns.map((c) => typed('NULL', c.name, c.type)).join(', ')} WHERE false`;
  }
  const source = `read_parquet(${sqlStringList(files)}, union_by_name = true)`;
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const present = new Set(described.getRowObjectsJS().map((r) => String(r.column_name).toLowerCase()));
  const cols = schema.columns.map((c) =>
    typed(present.has(c.name.toLowerCase()) ? quoteIdent(c.name) : 'NULL', c.name, c.type),
  );
  return `SELECT ${cols.join(', ')} FROM ${source}`;
}

/**
 * Reads rows of Parquet files (local paths) as plain objects: timestamps as Date, BIGINT as number
 * when exact.
 *
 * @example
 *   const rows = await readParquetFiles(schema, ['/tmp/part-0.parquet']);
 */
export async function readParquetFiles(
  schema: TableSchema,
  files: readonly string[],
): Promise<Record<string, unknown>[]> {
  return withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(await parquetRelationSql(connection, schema, files));
    return reader.getRowObjectsJS().map((row) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) out[k] = normalizeValue(v);
      return out;
    });
  });
}
