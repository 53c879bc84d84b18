import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LakeWriter } from '../../../src/apps/lake/lake-writer.ts';
import { bronzeRow } from '../../../src/apps/lake/rows.ts';
import { MEDALLION_TABLES } from '../../../src/apps/lake/tables.ts';
import { isFraudstreamError } from '../../../src/errors.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import { readLakeTable, waitFor } from './lake-tables.ts';

async function logWith(dir: string, records: number) {
  const log = await EmbeddedLog.open({ dir });
  await log.admin().createTopic({ name: 'orders', partitions: 1 }, { ifNotExists: true });
  const producer = await log.producer();
  await producer.send(
    Array.from({ length: records }, (_, i) => ({ topic: 'orders', value: Buffer.from(`r${i}`) })),
  );
  await producer.close();
  return log;
}

test('a lake writer refuses a log that was reset under its table instead of silently skipping records', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-lake-writer-'));
  const lake = path.join(dir, 'lake');
  const start = (log: EmbeddedLog) =>
    LakeWriter.start({
      name: 'bronze',
      applicationId: 'lw-test',
      log,
      topics: ['orders'],
      table: path.join(lake, MEDALLION_TABLES.bronze.dir),
      schema: MEDALLION_TABLES.bronze.schema,
      toRow: (r) => bronzeRow(r, new Set(), Date.now()),
      maxBatchDelayMs: 20,
    });
  try {
    const first = await logWith(path.join(dir, 'log-a'), 5);
    const writer = await start(first);
    await waitFor(async () => (await readLakeTable(lake, 'bronze')).rows.length === 5, 20_000, 'bronze');
    await writer.stop();
    await first.close();

    const reset = await logWith(path.join(dir, 'log-b'), 2); // a fresh log: offsets 0 and 1 again
    await assert.rejects(start(reset), (err) => {
      assert.ok(isFraudstreamError(err, 'FS_INVALID_OFFSET'));
      assert.match(err.message, /orders\/0 up to offset 4, but the log ends at 2/);
      return true;
    });
    await reset.close();

    const same = await logWith(path.join(dir, 'log-a'), 1); // the original log, one record more
    const again = await start(same);
    await waitFor(
      async () => (await readLakeTable(lake, 'bronze')).rows.length === 6,
      20_000,
      'the new record',
    );
    await again.stop();
    await same.close();
    assert.deepEqual((await readLakeTable(lake, 'bronze')).rows.map((r) => r.value).sort(), [
      'r0',
      'r0',
      'r1',
      'r2',
      'r3',
      'r4',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
