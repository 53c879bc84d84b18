/**
 * The window store's start bounds (window-start-bounds.ts) skip LMDB reads of windows newer than any
 * stored one. Random puts (in and out of time order), deletes, purges, commits, restore-like writes
 * below the typed layer and reopens must read exactly what a plain in-memory window store reads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Serdes } from '../../../src/engine/index.ts';
import { compositeKey } from '../../../src/engine/state/internals/key-layout.ts';
import { LmdbStoreBackend } from '../../../src/engine/state/internals/lmdb-backend.ts';
import { MemoryBackend } from '../../../src/engine/state/internals/memory-backend.ts';
import { MeteredWindowStore } from '../../../src/engine/state/internals/typed-stores.ts';
import { WindowStartBounds } from '../../../src/engine/state/internals/window-start-bounds.ts';

const S = Serdes.string();
const N = Serdes.number();
const root = mkdtempSync(path.join(os.tmpdir(), 'fs-window-bounds-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('window fetches over LMDB with start bounds equal a plain store, across commits, purges and reopens', () => {
  const options = { dir: path.join(root, 'w'), storeName: 'w', taskId: '0_0' };
  let lmdb = LmdbStoreBackend.open(options);
  let store = new MeteredWindowStore('w', lmdb, S, N, true, 10, false);
  const model = new MeteredWindowStore('m', new MemoryBackend(), S, N, false, 10, false);
  let x = 42;
  const rnd = (m: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % m;
  };
  let skipped = 0;
  const lastPut = new Map<string, number>();
  const countingGet = () => {
    const get = lmdb.get.bind(lmdb);
    lmdb.get = (k: Buffer) => {
      skipped--;
      return get(k);
    };
  };
  countingGet();
  for (let step = 0; step < 4000; step++) {
    const key = `k${rnd(40)}`;
    // mostly new windows, some old ones, some just written (newer than what the bound started from)
    const pick = rnd(6);
    const start = pick === 0 ? rnd(200) * 10 : pick === 1 ? (lastPut.get(key) ?? 0) : 1000 + step * 5;
    const op = rnd(20);
    if (op < 12) {
      skipped++;
      assert.equal(store.fetch(key, start), model.fetch(key, start), `fetch ${key}@${start} (step ${step})`);
    } else if (op < 17) {
      const v = rnd(1000);
      lastPut.set(key, start);
      store.put(key, v, start);
      model.put(key, v, start);
    } else if (op === 17) {
      store.put(key, null, start);
      model.put(key, null, start);
    } else if (op === 18) {
      const before = rnd(3000);
      assert.equal(store.purgeBefore(before), model.purgeBefore(before));
    } else if (rnd(2) === 0) {
      lmdb.commit(step);
    } else {
      // Restart: what was not committed is lost, so the model is rebuilt from the committed files, and
      // a restore-like write goes below the typed layer before the new store reads anything.
      lmdb.commit(step);
      lmdb.close();
      lmdb = LmdbStoreBackend.open(options);
      countingGet();
      const late = compositeKey(Buffer.from(key), 990 + step * 5);
      lmdb.put(late, N.serialize(7) as Buffer);
      lmdb.commit(step);
      model.put(key, 7, 990 + step * 5);
      store = new MeteredWindowStore('w', lmdb, S, N, true, 10, false);
    }
  }
  assert.deepEqual(
    [...store.all()].map((e) => [e.key.key, e.key.window.start, e.value]),
    [...model.all()].map((e) => [e.key.key, e.key.window.start, e.value]),
  );
  assert.ok(skipped > 1000, `most fetches of new windows skip the LMDB read (skipped ${skipped})`);
  lmdb.close();
});

test('start bounds: past maxKeys the map is only cleared once nothing is pending', () => {
  const options = { dir: path.join(root, 'b'), storeName: 'b', taskId: '0_0' };
  const lmdb = LmdbStoreBackend.open(options);
  const bounds = new WindowStartBounds(lmdb, 2);
  const k = (s: string) => Buffer.from(s);
  lmdb.put(compositeKey(k('a'), 50), Buffer.from([1]));
  lmdb.commit(1);
  assert.equal(bounds.absent(k('a'), 60), true);
  assert.equal(bounds.absent(k('a'), 50), false);
  bounds.written(k('b'), 10);
  lmdb.put(compositeKey(k('c'), 99), Buffer.from([1])); // a write the bounds did not see, pending
  assert.equal(bounds.absent(k('c'), 100), false, 'map full and writes pending: unknown, read the backend');
  lmdb.commit(2);
  assert.equal(bounds.absent(k('c'), 100), true, 'cleared after the commit: bounded from committed data');
  assert.equal(bounds.absent(k('c'), 99), false);
  lmdb.close();
});
