import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isFraudstreamError } from '../../src/errors.ts';
import { DeltaTable } from '../../src/lakehouse/delta/index.ts';
import { readParquetFiles } from '../../src/lakehouse/parquet/index.ts';
import { DeltaSink } from '../../src/lakehouse/sink.ts';
import { LocalObjectStore } from '../../src/lakehouse/storage/index.ts';
import { scratchDir, transactionRows, transactionSchema } from './fixtures.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

test('commitBatch writes one commit per batch carrying txn(appId, version); replays are skipped', async () => {
  const dir = scratchDir('sink');
  const sink = await DeltaSink.open({ table: dir, schema: transactionSchema, name: 'bronze.transactions' });
  assert.equal(sink.lastCommittedVersion('app-task-0'), -1);
  const first = await sink.commitBatch({ appId: 'app-task-0', version: 0, rows: transactionRows(0, 10) });
  assert.deepEqual(first, { committed: true, tableVersion: 1 });
  assert.equal(
    (await sink.commitBatch({ appId: 'app-task-1', version: 0, rows: transactionRows(10, 10) })).committed,
    true,
  );
  const replay = await sink.commitBatch({ appId: 'app-task-0', version: 0, rows: transactionRows(0, 10) });
  assert.deepEqual(replay, { committed: false, tableVersion: 2, skipped: 'duplicate' });
  assert.equal((await sink.commitBatch({ appId: 'app-task-0', version: 1, rows: [] })).skipped, 'empty');

  // a restarted sink reads the recorded versions from the table
  const restarted = await DeltaSink.open({ table: dir, schema: transactionSchema });
  assert.deepEqual(Object.fromEntries(restarted.committedVersions()), { 'app-task-0': 0, 'app-task-1': 0 });
  assert.equal(
    (await restarted.commitBatch({ appId: 'app-task-1', version: 0, rows: transactionRows(10, 10) }))
      .committed,
    false,
  );
  await assert.rejects(restarted.commitBatch({ appId: '', version: 1, rows: [] }), (err) =>
    isFraudstreamError(err, 'FS_USAGE'),
  );
  await assert.rejects(restarted.commitBatch({ appId: 'a', version: -1, rows: [] }), (err) =>
    isFraudstreamError(err, 'FS_USAGE'),
  );
  const table = await DeltaTable.open(new LocalObjectStore(dir));
  assert.equal((await readParquetFiles(table.schema, table.localFiles())).length, 20);
});

test('SIGKILL at random points between the Delta commit and the engine commit never duplicates or loses a row', async () => {
  const dir = scratchDir('sink-crash');
  const progress = path.join(scratchDir('sink-progress'), 'engine-committed');
  const batches = 40;
  let finished = false;
  let kills = 0;
  let duplicatesSkipped = 0;
  for (let run = 0; run < 12 && !finished; run++) {
    const child = spawn(process.execPath, [
      path.join(here, 'sink-process.ts'),
      dir,
      progress,
      'medallion-bronze-0',
      String(batches),
    ]);
    // never a multiple of 3, so the kill tends to land after a Delta commit the engine has not recorded
    const killAfter = [2, 4, 5, 7][Math.floor(Math.random() * 4)];
    let lines = 0;
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      lines += chunk.toString().split('\n').length - 1;
      if (run < 4 && lines >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    if (signal === 'SIGKILL') kills++;
    else assert.equal(code, 0, out);
    finished = out.includes('done');
    duplicatesSkipped += out.split('\n').filter((l) => l.endsWith(' duplicate')).length;
  }
  assert.ok(finished);
  assert.ok(kills >= 1);
  assert.ok(duplicatesSkipped >= 1, 'restarts replayed batches that Delta already had');
  const table = await DeltaTable.open(new LocalObjectStore(dir));
  const ids = (await readParquetFiles(table.schema, table.localFiles())).map((r) => String(r.transaction_id));
  assert.equal(ids.length, batches * 5, 'no row lost or duplicated');
  assert.deepEqual(
    ids.sort(),
    transactionRows(0, batches * 5)
      .map((r) => String(r.transaction_id))
      .sort(),
  );
  assert.equal(table.snapshot().txnVersion('medallion-bronze-0'), batches - 1);
});
