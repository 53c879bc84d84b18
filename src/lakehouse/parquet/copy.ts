import type { DuckDBConnection } from '@duckdb/node-api';
import type { FileStats } from '../delta/actions.ts';
import { quoteIdent, type TableSchema } from '../delta/schema.ts';
import { sqlString } from './duckdb.ts';

export interface WrittenParquet {
  size: number;
  stats: FileStats;
}

/** Delta writers cap string min stats at a prefix; a longer max cannot be truncated safely, so it is left out. */
const STRING_STATS_PREFIX = 32;

/**
 * `COPY <source> TO <file>` as zstd Parquet in one row group, returning the file size and the
 * Delta per-file stats that DuckDB computes while writing (RETURN_STATS: no second scan).
 * Timestamps are INT64 micros with isAdjustedToUTC=true (DuckDB's TIMESTAMPTZ).
 */
export async function copyToParquet(
  connection: DuckDBConnection,
  source: string,
  file: string,
  schema: TableSchema,
): Promise<WrittenParquet> {
  const reader = await connection.runAndReadAll(
    `COPY ${source} TO ${sqlString(file)} ` +
      '(FORMAT PARQUET, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 1000000, RETURN_STATS true)',
  );
  const row = reader.getRowObjectsJson()[0] as {
    count: string;
    file_size_bytes: string;
    column_statistics: Array<{ key: string; value: Array<{ key: string; value: string }> }> | null;
  };
  const byColumn = new Map(
    (row.column_statistics ?? []).map((c) => [c.key, new Map(c.value.map((kv) => [kv.key, kv.value]))]),
  );
  const stats: FileStats = { numRecords: Number(row.count), minValues: {}, maxValues: {}, nullCount: {} };
  for (const column of schema.columns) {
    const s = byColumn.get(quoteIdent(column.name));
    if (!s) continue;
    if (s.has('null_count')) stats.nullCount[column.name] = Number(s.get('null_count'));
    const min = s.get('min');
    const max = s.get('max');
    if (min === undefined || max === undefined || s.get('has_nan') === 'true') continue;
    const bounds = deltaBounds(column.type, min, max);
    if (bounds.min !== undefined) stats.minValues[column.name] = bounds.min;
    if (bounds.max !== undefined) stats.maxValues[column.name] = bounds.max;
  }
  return { size: Number(row.file_size_bytes), stats };
}

const TIMESTAMP_RE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?(?:\+00(?::?00)?)?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * DuckDB's stats strings → Delta's JSON stats. Anything we cannot convert exactly is left out
 * (no stats means no data skipping, never wrong skipping).
 */
function deltaBounds(type: string, min: string, max: string): { min?: unknown; max?: unknown } {
  switch (type) {
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
    case 'double': {
      const lo = Number(min);
      const hi = Number(max);
      const exact =
        type === 'double'
          ? Number.isFinite(lo) && Number.isFinite(hi)
          : Number.isSafeInteger(lo) && Number.isSafeInteger(hi);
      return exact ? { min: lo, max: hi } : {};
    }
    case 'string':
      return {
        min: min.slice(0, STRING_STATS_PREFIX),
        ...(max.length <= STRING_STATS_PREFIX ? { max } : {}),
      };
    case 'date':
      return DATE_RE.test(min) && DATE_RE.test(max) ? { min, max } : {};
    case 'timestamp': {
      const lo = timestampMs(min);
      const hi = timestampMs(max);
      // Delta stats are milliseconds: truncate the min, round the max up so it stays an upper bound.
      return lo === null || hi === null
        ? {}
        : { min: new Date(Math.floor(lo)).toISOString(), max: new Date(Math.floor(hi) + 1).toISOString() };
    }
    default:
      // float: DuckDB prints the shortest float32 text, which as a double may lie outside the
      // real value; boolean and binary: Delta writers record none.
      return {};
  }
}

function timestampMs(text: string): number | null {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return null;
  const whole = Date.parse(`${m[1]}T${m[2]}Z`);
  return Number.isFinite(whole) ? whole + Number(m[3] ?? 0) * 1000 : null;
}
