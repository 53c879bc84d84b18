import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { LocalObjectStore } from '../../../src/lakehouse/storage/index.ts';
import { scratchDir } from '../fixtures.ts';

test('putIfAbsent: of many racing writers exactly one creates the key, and its bytes are the content', async () => {
  const store = new LocalObjectStore(scratchDir('store'));
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      store.putIfAbsent('_delta_log/00000000000000000001.json', `writer ${i}`),
    ),
  );
  assert.equal(results.filter(Boolean).length, 1);
  const winner = results.indexOf(true);
  assert.equal((await store.get('_delta_log/00000000000000000001.json')).toString(), `writer ${winner}`);
  // no temp files are left behind or listed
  assert.deepEqual(
    (await store.list('_delta_log/')).map((o) => o.key),
    ['_delta_log/00000000000000000001.json'],
  );
});

test('get of a missing key fails with FS_NOT_FOUND; stat returns null; delete is idempotent', async () => {
  const store = new LocalObjectStore(scratchDir('store'));
  await assert.rejects(store.get('nope'), (err) => isFraudstreamError(err, 'FS_NOT_FOUND'));
  assert.equal(await store.stat('nope'), null);
  await store.put('a/b.txt', 'hello');
  assert.equal((await store.stat('a/b.txt'))?.size, 5);
  await store.delete('a/b.txt');
  await store.delete('a/b.txt');
  assert.equal(await store.stat('a/b.txt'), null);
});

test('list returns keys under a prefix in sorted order, recursing into directories', async () => {
  const store = new LocalObjectStore(scratchDir('store'));
  for (const key of ['b.parquet', 'a.parquet', 'x/y/c.parquet', '_delta_log/0.json'])
    await store.put(key, key);
  assert.deepEqual(
    (await store.list('')).map((o) => o.key),
    ['_delta_log/0.json', 'a.parquet', 'b.parquet', 'x/y/c.parquet'],
  );
  assert.deepEqual(
    (await store.list('x/')).map((o) => o.key),
    ['x/y/c.parquet'],
  );
  await assert.rejects(store.get('../escape'), (err) => isFraudstreamError(err, 'FS_USAGE'));
});
