/**
 * Parsing of wal2json format-version 2 rows (one JSON document per change, with B/C markers
 * around each transaction) into row changes. wal2json is PostgreSQL's JSON logical-decoding
 * plugin (Debian package postgresql-<ver>-wal2json).
 */
import { FraudstreamError } from '../../errors.ts';

export type RowAction = 'I' | 'U' | 'D' | 'T';

export interface RowChange {
  action: RowAction;
  schema: string;
  table: string;
  /** new row (I, U) */
  columns: Record<string, unknown> | null;
  /** old row / key (U, D): full row with REPLICA IDENTITY FULL, else the key */
  identity: Record<string, unknown> | null;
  pk: string[];
  xid: number;
  lsn: string;
  /** commit time, ms since the epoch */
  commitTs: number;
}

export interface TransactionChanges {
  xid: number;
  /** LSN just after the commit record: resume point once this transaction is delivered */
  nextLsn: string;
  commitTs: number;
  changes: RowChange[];
}

interface Wal2JsonColumn {
  name: string;
  type: string;
  value?: unknown;
}

interface Wal2JsonRow {
  action: string;
  xid?: number;
  lsn?: string;
  nextlsn?: string;
  timestamp?: string;
  schema?: string;
  table?: string;
  columns?: Wal2JsonColumn[];
  identity?: Wal2JsonColumn[];
  pk?: { name: string }[];
}

function toRecord(cols: Wal2JsonColumn[] | undefined): Record<string, unknown> | null {
  if (!cols) return null;
  const out: Record<string, unknown> = {};
  for (const c of cols) out[c.name] = c.value ?? null;
  return out;
}

/** wal2json prints `2026-11-22 14:35:50.84601+00`; Date.parse wants ISO. */
function parseTs(ts: string | undefined): number {
  if (!ts) return 0;
  const iso = ts.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Groups rows into whole transactions; a trailing incomplete transaction is returned in `rest`. */
export function groupTransactions(rows: string[]): { transactions: TransactionChanges[]; rest: string[] } {
  const transactions: TransactionChanges[] = [];
  let current: TransactionChanges | null = null;
  let currentStart = 0;
  for (let i = 0; i < rows.length; i++) {
    let doc: Wal2JsonRow;
    try {
      doc = JSON.parse(rows[i]);
    } catch (err) {
      throw new FraudstreamError('FS_SERDE', `wal2json row is not JSON: ${rows[i].slice(0, 120)}`, {
        cause: err,
      });
    }
    switch (doc.action) {
      case 'B':
        current = { xid: doc.xid ?? 0, nextLsn: '', commitTs: parseTs(doc.timestamp), changes: [] };
        currentStart = i;
        break;
      case 'C':
        if (!current) throw new FraudstreamError('FS_SERDE', 'wal2json commit without begin');
        current.nextLsn = doc.nextlsn ?? doc.lsn ?? '';
        transactions.push(current);
        current = null;
        break;
      case 'I':
      case 'U':
      case 'D':
      case 'T':
        if (!current) throw new FraudstreamError('FS_SERDE', `wal2json ${doc.action} outside a transaction`);
        current.changes.push({
          action: doc.action,
          schema: doc.schema ?? '',
          table: doc.table ?? '',
          columns: toRecord(doc.columns),
          identity: toRecord(doc.identity),
          pk: (doc.pk ?? []).map((p) => p.name),
          xid: doc.xid ?? current.xid,
          lsn: doc.lsn ?? '',
          commitTs: current.commitTs,
        });
        break;
      default:
        // 'M' (logical messages) and future actions are not row changes.
        break;
    }
  }
  return { transactions, rest: current ? rows.slice(currentStart) : [] };
}

/** Compares PostgreSQL LSNs (`XXX/YYYYYYYY`). */
export function compareLsn(a: string, b: string): number {
  const [ah, al] = a.split('/').map((x) => Number.parseInt(x, 16));
  const [bh, bl] = b.split('/').map((x) => Number.parseInt(x, 16));
  return ah !== bh ? ah - bh : al - bl;
}
