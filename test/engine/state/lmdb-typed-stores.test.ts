/**
 * The engine's typed store layer (key-value, window, session key layouts) over the LMDB backend: the
 * scenarios of ../fixtures/store-scenarios.ts (stores.test.ts runs them on the in-memory backend),
 * each also across a commit and a reopen of the LMDB files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Serdes } from '../../../src/engine/index.ts';
import { LmdbStoreBackend } from '../../../src/engine/state/internals/lmdb-backend.ts';
import { MeteredKeyValueStore } from '../../../src/engine/state/internals/typed-stores.ts';
import type { StoreBackendOpenOptions } from '../../../src/engine/state/types.ts';
import { type StoreHarness, storeScenarios } from '../fixtures/store-scenarios.ts';

const S = Serdes.string();
const N = Serdes.number();
const root = mkdtempSync(path.join(os.tmpdir(), 'fs-lmdb-typed-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const newStore = (): StoreBackendOpenOptions => ({
  dir: path.join(root, `s${++counter}`),
  storeName: `s${counter}`,
  taskId: '0_0',
});

/** Commits, closes and reopens the LMDB files behind a store. */
function reopen(backend: LmdbStoreBackend, options: StoreBackendOpenOptions): LmdbStoreBackend {
  backend.commit(7);
  backend.close();
  const again = LmdbStoreBackend.open(options);
  assert.equal(again.readCheckpoint(), 7);
  return again;
}

test('key-value store on LMDB: typed get/put/delete/range, before and after a reopen', () => {
  const options = newStore();
  let backend = LmdbStoreBackend.open(options);
  let kv = new MeteredKeyValueStore('kv', backend, S, N, true);
  kv.put('b', 2);
  kv.put('a', 1);
  kv.put('c', 3);
  assert.equal(kv.putIfAbsent('a', 9), 1);
  assert.equal(kv.delete('c'), 3);
  backend = reopen(backend, options);
  kv = new MeteredKeyValueStore('kv', backend, S, N, true);
  kv.put('b', null);
  kv.put('d', 4);
  assert.deepEqual(
    [...kv.all()],
    [
      { key: 'a', value: 1 },
      { key: 'd', value: 4 },
    ],
  );
  assert.deepEqual([...kv.range('b', 'e')], [{ key: 'd', value: 4 }]);
  assert.equal(kv.approximateNumEntries(), 2);
  backend.close();
});

/** Options of the store the running scenario opened (for its reopens). */
let current: StoreBackendOpenOptions;
const lmdb: StoreHarness<LmdbStoreBackend> = {
  persistent: true,
  open: () => {
    current = newStore();
    return LmdbStoreBackend.open(current);
  },
  reopen: (b) => reopen(b, current),
  commit: (b) => b.commit(null),
  close: (b) => b.close(),
};
for (const [name, run] of storeScenarios) test(`${name} (on LMDB, across reopens)`, () => run(lmdb));
