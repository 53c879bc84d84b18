import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import {
  commitFileName,
  DeltaTable,
  describe,
  optimize,
  parseActions,
  vacuum,
} from '../../../src/lakehouse/delta/index.ts';
import { readParquetFiles } from '../../../src/lakehouse/parquet/index.ts';
import { LocalObjectStore } from '../../../src/lakehouse/storage/index.ts';
import { scratchDir, transactionRows, transactionSchema } from '../fixtures.ts';

const DAY_MS = 86_400_000;

async function ageFile(table: DeltaTable, key: string, days: number): Promise<void> {
  const when = new Date(Date.now() - days * DAY_MS);
  await utimes(table.store.localPath(key)!, when, when);
}

test('optimize compacts small files into one with remove+add dataChange=false and keeps every row', async () => {
  const table = await DeltaTable.create(new LocalObjectStore(scratchDir('optimize')), {
    schema: transactionSchema,
  });
  for (let i = 0; i < 5; i++) await table.append(transactionRows(i * 20, 20));
  const before = (await readParquetFiles(table.schema, table.localFiles()))
    .map((r) => r.transaction_id)
    .sort();
  const result = await optimize(table);
  assert.equal(result.filesRemoved, 5);
  assert.equal(result.rows, 100);
  assert.equal(table.snapshot().files.size, 1);
  const actions = parseActions((await table.store.get(commitFileName(result.commit!.version))).toString());
  assert.ok(
    actions.filter((a) => 'remove' in a).every((a) => 'remove' in a && a.remove.dataChange === false),
  );
  assert.ok(actions.filter((a) => 'add' in a).every((a) => 'add' in a && a.add.dataChange === false));
  const after = (await readParquetFiles(table.schema, table.localFiles()))
    .map((r) => r.transaction_id)
    .sort();
  assert.deepEqual(after, before);
  assert.equal((await describe(table)).numRecords, 100);
  // nothing left to compact
  assert.equal((await optimize(table)).filesRemoved, 0);
});

test('vacuum deletes old unreferenced files only, and never files the snapshot references', async () => {
  const table = await DeltaTable.create(new LocalObjectStore(scratchDir('vacuum')), {
    schema: transactionSchema,
  });
  for (let i = 0; i < 3; i++) await table.append(transactionRows(i * 10, 10));
  const original = [...table.snapshot().files.keys()];
  await optimize(table);
  const compacted = [...table.snapshot().files.keys()][0];
  await writeFile(table.store.localPath('part-orphan-recent.parquet')!, 'x');
  await writeFile(table.store.localPath('part-orphan-old.parquet')!, 'x');
  for (const key of [...original, compacted, 'part-orphan-old.parquet']) await ageFile(table, key, 30);

  const dry = await vacuum(table, { dryRun: true });
  assert.deepEqual(dry.deleted.sort(), [...original, 'part-orphan-old.parquet'].sort());
  assert.ok(await table.store.stat(original[0]), 'dry run deletes nothing');

  const done = await vacuum(table);
  assert.equal(done.deleted.length, 4);
  assert.ok(await table.store.stat(compacted), 'referenced file kept although it is 30 days old');
  assert.ok(
    await table.store.stat('part-orphan-recent.parquet'),
    'recent orphan kept (could be an in-flight write)',
  );
  assert.ok((await table.store.list('_delta_log/')).length >= 5, 'log untouched');
  assert.equal((await readParquetFiles(table.schema, table.localFiles())).length, 30);
});

test('vacuum refuses a retention below the table minimum unless forced', async () => {
  const table = await DeltaTable.create(new LocalObjectStore(scratchDir('vacuum-min')), {
    schema: transactionSchema,
    configuration: { 'delta.deletedFileRetentionDuration': 'interval 2 days' },
  });
  await table.append(transactionRows(0, 5));
  await assert.rejects(vacuum(table, { retentionHours: 1 }), (err) => {
    assert.ok(isFraudstreamError(err, 'FS_USAGE'));
    assert.match(err.message, /48 hours/);
    return true;
  });
  await writeFile(table.store.localPath('part-orphan.parquet')!, 'x');
  const forced = await vacuum(table, { retentionHours: 0, force: true });
  assert.deepEqual(forced.deleted, ['part-orphan.parquet']);
  assert.equal(table.snapshot().files.size, 1);
  assert.ok(await table.store.stat([...table.snapshot().files.keys()][0]));
});
