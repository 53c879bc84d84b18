import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBTimestampTZValue,
  type DuckDBType,
  type DuckDBValue,
  FLOAT,
  INTEGER,
  SMALLINT,
  TIMESTAMPTZ,
  TINYINT,
  VARCHAR,
} from '@duckdb/node-api';
import { FraudstreamError } from '../../errors.ts';
import type { ColumnSpec, DeltaPrimitiveType } from '../delta/schema.ts';

/** The DuckDB type object and a JS → DuckDB converter for each Delta type. */
export const COLUMN_TYPES: Record<DeltaPrimitiveType, DuckDBType> = {
  string: VARCHAR,
  long: BIGINT,
  integer: INTEGER,
  short: SMALLINT,
  byte: TINYINT,
  double: DOUBLE,
  float: FLOAT,
  boolean: BOOLEAN,
  binary: BLOB,
  date: DATE,
  timestamp: TIMESTAMPTZ,
};

const MS_PER_DAY = 86_400_000;

/**
 * Converts a row value to what the DuckDB appender takes. Accepted inputs:
 * string; long: number (integer) or bigint; integer/short/byte/double/float: number; boolean;
 * binary: Uint8Array; date: 'YYYY-MM-DD', Date or epoch-ms number; timestamp: Date, epoch-ms
 * number or an ISO-8601 string. null/undefined → NULL (rejected for non-nullable columns).
 */
export function toDuckValue(column: ColumnSpec, value: unknown): DuckDBValue {
  if (value === null || value === undefined) {
    if (column.nullable === false) throw invalid(column, value, 'is not nullable');
    return null;
  }
  switch (column.type) {
    case 'string':
      if (typeof value !== 'string') throw invalid(column, value, 'expects a string');
      return value;
    case 'long':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      throw invalid(column, value, 'expects an integer');
    case 'integer':
    case 'short':
    case 'byte':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw invalid(column, value, 'expects an integer');
    case 'double':
    case 'float':
      if (typeof value === 'number') return value;
      throw invalid(column, value, 'expects a number');
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw invalid(column, value, 'expects a boolean');
    case 'binary':
      if (value instanceof Uint8Array) return new DuckDBBlobValue(value);
      throw invalid(column, value, 'expects bytes');
    case 'date': {
      const ms = typeof value === 'string' ? Date.parse(`${value}T00:00:00Z`) : toEpochMs(value);
      if (!Number.isFinite(ms)) throw invalid(column, value, 'expects a date');
      return new DuckDBDateValue(Math.floor(ms / MS_PER_DAY));
    }
    case 'timestamp': {
      const ms = typeof value === 'string' ? Date.parse(value) : toEpochMs(value);
      if (!Number.isFinite(ms)) throw invalid(column, value, 'expects a timestamp');
      return new DuckDBTimestampTZValue(BigInt(Math.round(ms * 1000)));
    }
  }
}

function toEpochMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  return Number.NaN;
}

function invalid(column: ColumnSpec, value: unknown, why: string): FraudstreamError {
  const shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  return new FraudstreamError(
    'FS_SCHEMA_INVALID',
    `column "${column.name}" (${column.type}) ${why}, got ${shown}`,
    {
      details: { column: column.name, type: column.type, value: shown },
    },
  );
}
