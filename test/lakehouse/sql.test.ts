import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { isFraudstreamError } from '../../src/errors.ts';
import { DeltaTable } from '../../src/lakehouse/delta/index.ts';
import {
  discoverTables,
  formatResult,
  lakeDescribe,
  lakeHistory,
  lakeOptimize,
  lakeVacuum,
  runSql,
} from '../../src/lakehouse/sql.ts';
import { LocalObjectStore } from '../../src/lakehouse/storage/index.ts';
import { scratchDir, transactionRows, transactionSchema } from './fixtures.ts';

async function lake(): Promise<{ root: string; bronze: DeltaTable }> {
  const root = scratchDir('sql');
  const bronze = await DeltaTable.create(new LocalObjectStore(path.join(root, 'bronze', 'transactions')), {
    schema: transactionSchema,
  });
  await bronze.append(transactionRows(0, 30));
  await bronze.append(transactionRows(30, 20));
  const fraud = await DeltaTable.create(new LocalObjectStore(path.join(root, 'fraud_detection')), {
    schema: {
      columns: [
        { name: 'transaction_id', type: 'string' },
        { name: 'risk_score', type: 'double' },
      ],
    },
  });
  await fraud.append([
    { transaction_id: 'tx-1', risk_score: 0.9 },
    { transaction_id: 'tx-2', risk_score: 0.1 },
  ]);
  await DeltaTable.create(new LocalObjectStore(path.join(root, 'gold', 'transactions')), {
    schema: {
      columns: [
        { name: 'merchant', type: 'string' },
        { name: 'revenue', type: 'double' },
      ],
    },
  });
  return { root, bronze };
}

test('SQL over the lake: tables by schema.name, current snapshot, joins, empty tables', async () => {
  const { root, bronze } = await lake();
  assert.deepEqual(
    (await discoverTables(root)).map((t) => t.name),
    ['bronze.transactions', 'fraud_detection', 'gold.transactions'],
  );
  const count = await runSql('SELECT count(*) AS n, sum("offset") AS s FROM bronze.transactions', {
    lakeRoot: root,
  });
  assert.deepEqual(count.rows, [{ n: 50, s: (49 * 50) / 2 }]);
  const joined = await runSql(
    `SELECT b.transaction_id, f.risk_score FROM bronze.transactions b
     JOIN fraud_detection f USING (transaction_id) ORDER BY f.risk_score DESC`,
    { lakeRoot: root },
  );
  assert.deepEqual(joined.rows, [
    { transaction_id: 'tx-1', risk_score: 0.9 },
    { transaction_id: 'tx-2', risk_score: 0.1 },
  ]);
  assert.deepEqual((await runSql('SELECT * FROM gold.transactions', { lakeRoot: root })).columns, [
    'merchant',
    'revenue',
  ]);

  // files removed from the snapshot are no longer read, even though they are still on disk
  const first = [...bronze.snapshot().files.keys()][0];
  await bronze.commit({
    actions: [{ remove: { path: first, deletionTimestamp: Date.now(), dataChange: true } }],
    operation: 'DELETE',
  });
  assert.equal(
    (await runSql('SELECT count(*) AS n FROM bronze.transactions', { lakeRoot: root })).rows[0].n,
    20,
  );
  // ...but time travel still sees them
  const old = await runSql('SELECT count(*) AS n FROM bronze.transactions', {
    lakeRoot: root,
    asOf: { 'bronze.transactions': { version: 2 } },
  });
  assert.equal(old.rows[0].n, 50);
  await assert.rejects(runSql('SELECT * FROM silver.nothing', { lakeRoot: root }), (err) => {
    assert.ok(isFraudstreamError(err, 'FS_USAGE'));
    assert.match(err.message, /bronze\.transactions/);
    return true;
  });
});

test('results format as an aligned table, CSV and JSON', () => {
  const result = {
    columns: ['merchant', 'revenue', 'at'],
    rows: [
      { merchant: 'a, "quoted"', revenue: 10.5, at: new Date(Date.UTC(2026, 0, 1)) },
      { merchant: 'b', revenue: null, at: null },
    ],
  };
  const table = formatResult(result, 'table').split('\n');
  assert.equal(table[0], 'merchant    | revenue | at');
  assert.equal(table[2], 'a, "quoted" | 10.5    | 2026-01-01T00:00:00.000Z');
  assert.equal(table.at(-1), '(2 rows)');
  assert.equal(
    formatResult(result, 'csv'),
    'merchant,revenue,at\n"a, ""quoted""",10.5,2026-01-01T00:00:00.000Z\nb,,\n',
  );
  assert.deepEqual(JSON.parse(formatResult(result, 'json'))[0], {
    merchant: 'a, "quoted"',
    revenue: 10.5,
    at: '2026-01-01T00:00:00.000Z',
  });
});

test('lake maintenance: history, describe, optimize, vacuum by table name', async () => {
  const { root } = await lake();
  const history = await lakeHistory('bronze.transactions', { lakeRoot: root });
  assert.deepEqual(
    history.map((h) => [h.version, h.operation]),
    [
      [2, 'WRITE'],
      [1, 'WRITE'],
      [0, 'CREATE TABLE'],
    ],
  );
  const described = await lakeDescribe('bronze.transactions', { lakeRoot: root });
  assert.equal(described.numRecords, 50);
  assert.equal(described.numFiles, 2);
  assert.equal(described.columns.length, transactionSchema.columns.length);
  assert.equal((await lakeOptimize('bronze.transactions', { lakeRoot: root })).filesRemoved, 2);
  assert.deepEqual((await lakeVacuum('bronze.transactions', { lakeRoot: root })).deleted, []);
  await assert.rejects(lakeDescribe('silver.nothing', { lakeRoot: root }), (err) =>
    isFraudstreamError(err, 'FS_NOT_FOUND'),
  );
});
