import { FraudstreamError } from '../../errors.ts';

/** Delta primitive types we read and write (PROTOCOL.md "Primitive Types"). */
export type DeltaPrimitiveType =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'double'
  | 'float'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp';

export interface ColumnSpec {
  name: string;
  type: DeltaPrimitiveType;
  /** default true */
  nullable?: boolean;
  /** free-form column metadata (kept in the schemaString) */
  metadata?: Record<string, unknown>;
}

/** A table schema: flat columns of primitive types, written as Spark's JSON `schemaString`. */
export interface TableSchema {
  columns: ColumnSpec[];
}

const DUCKDB_TYPES: Record<DeltaPrimitiveType, string> = {
  string: 'VARCHAR',
  long: 'BIGINT',
  integer: 'INTEGER',
  short: 'SMALLINT',
  byte: 'TINYINT',
  double: 'DOUBLE',
  float: 'FLOAT',
  boolean: 'BOOLEAN',
  binary: 'BLOB',
  date: 'DATE',
  // Delta's `timestamp` is UTC-adjusted micros: DuckDB writes TIMESTAMPTZ as INT64
  // TIMESTAMP(isAdjustedToUTC=true, MICROS).
  timestamp: 'TIMESTAMPTZ',
};

export function duckdbTypeOf(type: DeltaPrimitiveType): string {
  return DUCKDB_TYPES[type];
}

/** `"name"` quoted for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function validateSchema(schema: TableSchema): void {
  const seen = new Set<string>();
  if (!Array.isArray(schema.columns) || schema.columns.length === 0) {
    throw new FraudstreamError('FS_SCHEMA_INVALID', 'a Delta table schema needs at least one column');
  }
  for (const col of schema.columns) {
    if (!(col.type in DUCKDB_TYPES)) {
      throw new FraudstreamError(
        'FS_SCHEMA_INVALID',
        `column "${col.name}" has unsupported type "${col.type}"`,
        {
          details: { column: col.name, type: col.type },
        },
      );
    }
    const lower = col.name.toLowerCase();
    if (col.name === '' || /[ ,;{}()\n\t=]/.test(col.name)) {
      throw new FraudstreamError(
        'FS_SCHEMA_INVALID',
        `column name "${col.name}" is not allowed in a Delta table`,
      );
    }
    if (seen.has(lower)) {
      throw new FraudstreamError(
        'FS_SCHEMA_INVALID',
        `column "${col.name}" appears twice (names are case-insensitive)`,
      );
    }
    seen.add(lower);
  }
}

/** Spark-style JSON schema string for `metaData.schemaString`. */
export function toSchemaString(schema: TableSchema): string {
  return JSON.stringify({
    type: 'struct',
    fields: schema.columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable ?? true,
      metadata: c.metadata ?? {},
    })),
  });
}

export function parseSchemaString(schemaString: string): TableSchema {
  const parsed = JSON.parse(schemaString) as { type: string; fields: Array<Record<string, unknown>> };
  if (parsed.type !== 'struct' || !Array.isArray(parsed.fields)) {
    throw new FraudstreamError('FS_DELTA_PROTOCOL', 'schemaString is not a struct type');
  }
  return {
    columns: parsed.fields.map((f) => {
      if (typeof f.type !== 'string' || !(f.type in DUCKDB_TYPES)) {
        throw new FraudstreamError(
          'FS_DELTA_PROTOCOL',
          `column "${String(f.name)}" has type ${JSON.stringify(f.type)}, which this reader does not support`,
        );
      }
      return {
        name: String(f.name),
        type: f.type as DeltaPrimitiveType,
        nullable: f.nullable !== false,
        metadata: (f.metadata as Record<string, unknown>) ?? {},
      };
    }),
  };
}

/**
 * Checks that `next` only adds nullable columns to `current` (the one evolution we allow:
 * readers of old files see NULL for the new column).
 */
export function checkAdditiveEvolution(current: TableSchema, next: TableSchema): ColumnSpec[] {
  const byName = new Map(next.columns.map((c) => [c.name.toLowerCase(), c]));
  for (const col of current.columns) {
    const other = byName.get(col.name.toLowerCase());
    if (!other || other.type !== col.type || (other.nullable ?? true) !== (col.nullable ?? true)) {
      throw new FraudstreamError(
        'FS_SCHEMA_INVALID',
        `schema change would drop or retype column "${col.name}"; only adding nullable columns is supported`,
      );
    }
  }
  const existing = new Set(current.columns.map((c) => c.name.toLowerCase()));
  const added = next.columns.filter((c) => !existing.has(c.name.toLowerCase()));
  for (const col of added) {
    if (col.nullable === false) {
      throw new FraudstreamError('FS_SCHEMA_INVALID', `new column "${col.name}" must be nullable`);
    }
  }
  validateSchema(next);
  return added;
}
