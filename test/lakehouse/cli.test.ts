import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { DeltaTable } from '../../src/lakehouse/delta/index.ts';
import { LocalObjectStore } from '../../src/lakehouse/storage/index.ts';
import { scratchDir, transactionRows, transactionSchema } from './fixtures.ts';

const BIN = new URL('../../bin/fraudstream.js', import.meta.url).pathname;

async function fraudstream(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('fraudstream sql and fraudstream lake work on a lake directory', async () => {
  const lake = scratchDir('cli');
  const bronze = await DeltaTable.create(new LocalObjectStore(path.join(lake, 'bronze', 'transactions')), {
    schema: transactionSchema,
  });
  await bronze.append(transactionRows(0, 10));
  await bronze.append(transactionRows(10, 5));

  const csv = await fraudstream(
    'sql',
    'SELECT count(*) AS n FROM bronze.transactions',
    '--lake',
    lake,
    '--format',
    'csv',
  );
  assert.equal(csv.stdout, 'n\n15\n', csv.stderr);
  const asOf = await fraudstream(
    'sql',
    'SELECT count(*) AS n FROM bronze.transactions',
    '--lake',
    lake,
    '--as-of',
    '1',
    '--format',
    'json',
  );
  assert.deepEqual(JSON.parse(asOf.stdout), [{ n: 10 }]);
  const bad = await fraudstream('sql', 'SELECT * FROM nowhere', '--lake', lake);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bronze\.transactions/);

  const list = await fraudstream('lake', 'list', '--lake', lake, '--json');
  assert.deepEqual(
    JSON.parse(list.stdout).map((t: { name: string }) => t.name),
    ['bronze.transactions'],
  );
  const history = await fraudstream('lake', 'history', 'bronze.transactions', '--lake', lake, '--json');
  assert.deepEqual(
    JSON.parse(history.stdout).map((c: { operation: string }) => c.operation),
    ['WRITE', 'WRITE', 'CREATE TABLE'],
  );
  const optimized = await fraudstream('lake', 'optimize', 'bronze.transactions', '--lake', lake);
  assert.match(optimized.stdout, /compacted 2 files \(15 rows\)/);
  const described = await fraudstream('lake', 'describe', 'bronze.transactions', '--lake', lake);
  assert.match(described.stdout, /files +1 .*15 rows/);
  const refused = await fraudstream(
    'lake',
    'vacuum',
    'bronze.transactions',
    '--lake',
    lake,
    '--retention-hours',
    '1',
  );
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /below the table minimum/);
  const vacuumed = await fraudstream(
    'lake',
    'vacuum',
    'bronze.transactions',
    '--lake',
    lake,
    '--retention-hours',
    '0',
    '--force',
    '--dry-run',
  );
  assert.match(vacuumed.stdout, /would delete 2 files/);
});
