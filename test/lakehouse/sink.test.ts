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

async function crashLoop(
  mode: 'versioned' | 'positioned',
  records: number,
): Promise<{ dir: string; skips: number }> {
  const dir = scratchDir(`sink-crash-${mode}`);
  const progress = path.join(scratchDir('sink-progress'), 'engine-committed');
  let finished = false;
  let kills = 0;
  let skips = 0;
  for (let run = 0; run < 12 && !finished; run++) {
    // run 0 crashes itself right after its 4th Delta commit (never a recorded one); runs 1-3 are
    // killed from outside at random points; later runs finish
    const env = { ...process.env, SELF_KILL_AFTER_BATCHES: run === 0 ? '4' : '' };
    const child = spawn(
      process.execPath,
      [path.join(here, 'sink-process.ts'), dir, progress, 'medallion-bronze-0', String(records), mode],
      { env },
    );
    // never a multiple of 3, so the kill tends to land after a Delta commit the engine has not recorded
    const killAfter = [2, 4, 5, 7][Math.floor(Math.random() * 4)];
    let lines = 0;
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      lines += chunk.toString().split('\n').length - 1;
      if (run > 0 && run < 4 && lines >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    if (signal === 'SIGKILL') kills++;
    else assert.equal(code, 0, out);
    finished = out.includes('done');
    skips += out.split('\n').filter((l) => / duplicate$| skipped [1-9]/.test(l)).length;
  }
  assert.ok(finished);
  assert.ok(kills >= 1);
  return { dir, skips };
}

async function assertExactlyOnce(dir: string, records: number): Promise<DeltaTable> {
  const table = await DeltaTable.open(new LocalObjectStore(dir));
  const ids = (await readParquetFiles(table.schema, table.localFiles())).map((r) => String(r.transaction_id));
  assert.equal(ids.length, records, 'no row lost or duplicated');
  assert.deepEqual(
    ids.sort(),
    transactionRows(0, records)
      .map((r) => String(r.transaction_id))
      .sort(),
  );
  return table;
}

test('SIGKILL at random points between the Delta commit and the engine commit never duplicates or loses a row', async () => {
  const { dir, skips } = await crashLoop('versioned', 120);
  assert.ok(skips >= 1, 'restarts replayed batches that Delta already had');
  const table = await assertExactlyOnce(dir, 120);
  assert.equal(table.snapshot().txnVersion('medallion-bronze-0'), 23);
});

test('commitPositioned: replays cut into different batches still land each (topic, partition, offset) once', async () => {
  const { dir, skips } = await crashLoop('positioned', 100);
  assert.ok(skips >= 1, 'restarts replayed rows that Delta already had');
  const table = await assertExactlyOnce(dir, 100);
  assert.equal(table.snapshot().txnVersion('medallion-bronze-0/transactions/0'), 49);
  assert.equal(table.snapshot().txnVersion('medallion-bronze-0/transactions/1'), 49);
});

test('commitPositioned: a zombie writer of the same partitions re-filters after the conflict', async () => {
  const dir = scratchDir('sink-zombie');
  const rows = (from: number, count: number) =>
    transactionRows(from, count).map((r, k) => ({ ...r, topic: 't', partition: 0, offset: from + k }));
  const owner = await DeltaSink.open({ table: dir, schema: transactionSchema });
  const zombie = await DeltaSink.open({ table: dir, schema: transactionSchema });
  assert.equal((await owner.commitPositioned({ appIdPrefix: 'app-0', rows: rows(0, 10) })).rowsWritten, 10);
  // the zombie has not seen that commit: its first attempt conflicts, then it keeps only offsets 10..14
  const late = await zombie.commitPositioned({ appIdPrefix: 'app-0', rows: rows(5, 10) });
  assert.deepEqual([late.committed, late.rowsWritten, late.rowsSkipped], [true, 5, 5]);
  const again = await owner.commitPositioned({ appIdPrefix: 'app-0', rows: rows(0, 15) });
  assert.deepEqual([again.committed, again.skipped, again.rowsSkipped], [false, 'duplicate', 15]);
  await assertExactlyOnce(dir, 15);
  await assert.rejects(
    owner.commitPositioned({ appIdPrefix: 'app-0', rows: [{ transaction_id: 'x' }] }),
    (err) => isFraudstreamError(err, 'FS_SCHEMA_INVALID'),
  );
});

test('open adds new nullable columns of the sink schema and refuses a changed type', async () => {
  const dir = scratchDir('sink-evolve');
  const v1 = await DeltaSink.open({ table: dir, schema: transactionSchema });
  await v1.commitBatch({ appId: 'a', version: 0, rows: transactionRows(0, 3) });
  const evolved = { columns: [...transactionSchema.columns, { name: 'merchant', type: 'string' as const }] };
  const v2 = await DeltaSink.open({ table: dir, schema: evolved });
  assert.equal(v2.table.schema.columns.at(-1)?.name, 'merchant');
  await v2.commitBatch({
    appId: 'a',
    version: 1,
    rows: transactionRows(3, 2).map((r) => ({ ...r, merchant: 'm' })),
  });
  const rows = await readParquetFiles(v2.table.schema, v2.table.localFiles());
  assert.deepEqual(rows.map((r) => r.merchant).sort(), ['m', 'm', null, null, null]);
  const retyped = {
    columns: transactionSchema.columns.map((c) =>
      c.name === 'amount' ? { ...c, type: 'string' as const } : c,
    ),
  };
  await assert.rejects(DeltaSink.open({ table: dir, schema: retyped }), (err) => {
    assert.ok(isFraudstreamError(err, 'FS_SCHEMA_INVALID'));
    assert.match(err.message, /"amount"/);
    return true;
  });
});
