import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedLog, type EmbeddedLogOptions } from '../../../src/log/index.ts';
import type { LogRecord } from '../../../src/log/types.ts';

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed when the test process exits. */
export function tempDir(prefix = 'fs-elog-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export async function openLog(dir: string, options: Partial<EmbeddedLogOptions> = {}): Promise<EmbeddedLog> {
  return EmbeddedLog.open({
    dir,
    fsync: 'never',
    maintenanceIntervalMs: 0,
    logger: { warn() {} },
    ...options,
  });
}

export function values(records: LogRecord[]): string[] {
  return records.map((r) => (r.value === null ? '<null>' : r.value.toString()));
}

export function payload(i: number, size = 32): Buffer {
  const b = Buffer.alloc(size, 120);
  b.write(`v${i}:`);
  return b;
}

/** Reads a whole partition from offset 0 with a throwaway group. */
export async function readAll(
  log: EmbeddedLog,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<LogRecord[]> {
  const consumer = await log.consumer({
    groupId: `read-all-${Math.random()}`,
    topics: [topic],
    startFrom: 'earliest',
    isolation,
    maxPollRecords: 100_000,
  });
  const out: LogRecord[] = [];
  for (;;) {
    const batch = await consumer.poll(30);
    if (batch.length === 0) break;
    out.push(...batch);
  }
  await consumer.close();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
