import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TableSchema } from '../../src/lakehouse/delta/schema.ts';

/** A scratch directory removed when the process exits. */
export function scratchDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `fraudstream-lake-${label}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A bronze-like transactions schema covering every type the writer supports. */
export const transactionSchema: TableSchema = {
  columns: [
    { name: 'transaction_id', type: 'string', nullable: false },
    { name: 'user_id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'quantity', type: 'integer' },
    { name: 'offset', type: 'long' },
    { name: 'is_fraud', type: 'boolean' },
    { name: 'event_time', type: 'timestamp' },
    { name: 'event_date', type: 'date' },
  ],
};

/** Deterministic rows `from..from+count-1`, with some NULLs. */
export function transactionRows(from: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      transaction_id: `tx-${i}`,
      user_id: i % 7 === 0 ? null : `user-${i % 13}`,
      amount: i % 11 === 0 ? null : Math.round(i * 137.31) / 100,
      quantity: i % 5,
      offset: i,
      is_fraud: i % 17 === 0,
      event_time: new Date(Date.UTC(2026, 10, 1) + i * 61_001),
      event_date: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`,
    };
  });
}
