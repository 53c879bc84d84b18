import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | null = null;

/**
 * The process's one DuckDB instance (in memory; it only ever reads and writes Parquet files).
 * Each operation takes its own connection so temp tables and views never leak between callers.
 */
export function duckdbInstance(): Promise<DuckDBInstance> {
  instance ??= DuckDBInstance.create(':memory:', { threads: '1' });
  return instance;
}

/** Idle connections, reused: connecting costs ~1 ms idle and >10 ms on a loaded machine, per file. */
const idle: DuckDBConnection[] = [];
const MAX_IDLE = 4;

/**
 * Runs `fn` on a connection of its own to the shared instance (concurrent callers never share
 * one). `fn` must drop what it creates (temp tables, views): the connection is reused afterwards.
 */
export async function withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const connection = idle.pop() ?? (await (await duckdbInstance()).connect());
  let healthy = false;
  try {
    const result = await fn(connection);
    healthy = true;
    return result;
  } finally {
    if (healthy && idle.length < MAX_IDLE) idle.push(connection);
    else connection.closeSync();
  }
}

/** A string literal for SQL ('it''s'). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `[ 'a.parquet', 'b.parquet' ]` for read_parquet. */
export function sqlStringList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}

/** DuckDB returns BIGINT as bigint; our rows use numbers where they are exact. */
export function normalizeValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  return value;
}
