/**
 * Debezium-compatible change events (seed 002 reads `postgres.public.transactions` produced by
 * Debezium's PostgreSQL connector). The value is the standard envelope without the schema part
 * (as with `value.converter.schemas.enable=false`), the key is the primary key as JSON.
 *
 * @example
 *   { "before": null, "after": { "trans_num": "t1", "amt": 12.5, ... },
 *     "source": { "connector": "postgresql", "name": "postgres", "db": "test", "schema": "public",
 *                 "table": "transactions", "txId": 732, "lsn": "0/1D9C810", "ts_ms": 1795358150846,
 *                 "snapshot": "false", "version": "fraudstream" },
 *     "op": "c", "ts_ms": 1795358150900 }
 */
import type { RowChange } from './wal2json.ts';

export type DebeziumOp = 'c' | 'u' | 'd' | 'r' | 't';

export interface DebeziumEnvelope<Row = Record<string, unknown>> {
  before: Row | null;
  after: Row | null;
  source: {
    version: string;
    connector: 'postgresql';
    name: string;
    ts_ms: number;
    snapshot: 'true' | 'last' | 'false';
    db: string;
    schema: string;
    table: string;
    txId: number | null;
    lsn: string | null;
  };
  op: DebeziumOp;
  ts_ms: number;
}

const OPS: Record<RowChange['action'], DebeziumOp> = { I: 'c', U: 'u', D: 'd', T: 't' };

/** Debezium's topic naming: `<topic.prefix>.<schema>.<table>`. */
export function cdcTopic(serverName: string, schema: string, table: string): string {
  return `${serverName}.${schema}.${table}`;
}

export function keyOf(pk: string[], row: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!row || pk.length === 0) return null;
  const key: Record<string, unknown> = {};
  for (const name of pk) key[name] = row[name] ?? null;
  return key;
}

export function envelopeFromChange(
  change: RowChange,
  serverName: string,
  db: string,
  now: number,
): DebeziumEnvelope {
  return {
    before: change.action === 'I' ? null : change.identity,
    after: change.action === 'D' ? null : change.columns,
    source: {
      version: 'fraudstream',
      connector: 'postgresql',
      name: serverName,
      ts_ms: change.commitTs,
      snapshot: 'false',
      db,
      schema: change.schema,
      table: change.table,
      txId: change.xid,
      lsn: change.lsn,
    },
    op: OPS[change.action],
    ts_ms: now,
  };
}

export function snapshotEnvelope(
  row: Record<string, unknown>,
  table: { schema: string; table: string },
  serverName: string,
  db: string,
  now: number,
  last: boolean,
): DebeziumEnvelope {
  return {
    before: null,
    after: row,
    source: {
      version: 'fraudstream',
      connector: 'postgresql',
      name: serverName,
      ts_ms: now,
      snapshot: last ? 'last' : 'true',
      db,
      schema: table.schema,
      table: table.table,
      txId: null,
      lsn: null,
    },
    op: 'r',
    ts_ms: now,
  };
}
