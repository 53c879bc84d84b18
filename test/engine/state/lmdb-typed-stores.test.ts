/**
 * The engine's typed store layer (key-value, window, session key layouts) over the LMDB backend: the
 * scenarios of stores.test.ts (which runs them on the in-memory backend), each also across a commit
 * and a reopen of the LMDB files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Serdes } from '../../../src/engine/index.ts';
import { LmdbStoreBackend } from '../../../src/engine/state/internals/lmdb-backend.ts';
import {
  MeteredKeyValueStore,
  MeteredSessionStore,
  MeteredWindowStore,
} from '../../../src/engine/state/internals/typed-stores.ts';
import type { StoreBackendOpenOptions } from '../../../src/engine/state/types.ts';

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

test('window store on LMDB: fetch by key and start range, prefix keys stay apart, purge, reopen', () => {
  const options = newStore();
  let backend = LmdbStoreBackend.open(options);
  let ws = new MeteredWindowStore('w', backend, S, N, true, 10, false);
  ws.put('a', 1, 0);
  ws.put('a', 2, 10);
  ws.put('ab', 9, 10);
  backend = reopen(backend, options);
  ws = new MeteredWindowStore('w', backend, S, N, true, 10, false);
  ws.put('a', 3, 20); // staged, merged with committed entries by the range scans below
  ws.put('', 7, 10);
  assert.equal(ws.fetch('a', 10), 2);
  assert.deepEqual(
    [...ws.fetchRange('a', 5, 20)].map((e) => [e.key.key, e.key.window.start, e.key.window.end, e.value]),
    [
      ['a', 10, 20, 2],
      ['a', 20, 30, 3],
    ],
  );
  assert.deepEqual([...ws.fetchAll(10, 10)].map((e) => e.key.key).sort(), ['', 'a', 'ab']);
  ws.put('a', null, 20);
  assert.equal(ws.fetch('a', 20), undefined);
  assert.equal(ws.purgeBefore(10), 1);
  backend = reopen(backend, options);
  ws = new MeteredWindowStore('w', backend, S, N, true, 10, false);
  assert.equal(ws.approximateNumEntries(), 3);
  assert.equal(ws.fetch('a', 0), undefined);
  backend.close();
});

test('window store with duplicates on LMDB keeps every put', () => {
  const options = newStore();
  const backend = LmdbStoreBackend.open(options);
  const ws = new MeteredWindowStore('d', backend, S, S, true, 1, true);
  ws.put('k', 'x', 5);
  ws.put('k', 'y', 5);
  backend.commit(null);
  ws.put('k', 'z', 6);
  assert.deepEqual(
    [...ws.fetchRange('k', 5, 6)].map((e) => e.value),
    ['x', 'y', 'z'],
  );
  backend.close();
});

test('session store on LMDB: overlapping sessions, remove, purge, timestamps beyond 2^32, reopen', () => {
  const options = newStore();
  let backend = LmdbStoreBackend.open(options);
  let ss = new MeteredSessionStore('s', backend, S, N, true);
  const T = 1_767_225_600_000;
  ss.put({ key: 'u', window: { start: T, end: T + 10 } }, 2);
  ss.put({ key: 'u', window: { start: T + 50, end: T + 60 } }, 3);
  backend = reopen(backend, options);
  ss = new MeteredSessionStore('s', backend, S, N, true);
  ss.put({ key: 'v', window: { start: T, end: T + 100 } }, 1);
  assert.deepEqual(
    [...ss.findSessions('u', T + 5, T + 55)].map((e) => [
      e.key.window.start - T,
      e.key.window.end - T,
      e.value,
    ]),
    [
      [0, 10, 2],
      [50, 60, 3],
    ],
  );
  assert.deepEqual([...ss.findSessions('u', T + 11, T + 49)], []);
  ss.remove({ key: 'u', window: { start: T, end: T + 10 } });
  assert.deepEqual(
    [...ss.fetch('u')].map((e) => e.value),
    [3],
  );
  assert.equal(ss.purgeBefore(T + 70), 1);
  backend = reopen(backend, options);
  ss = new MeteredSessionStore('s', backend, S, N, true);
  assert.deepEqual(
    [...ss.all()].map((e) => e.key.key),
    ['v'],
  );
  backend.close();
});
