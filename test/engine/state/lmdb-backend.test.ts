import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { LmdbStoreBackend, lmdbBackend } from '../../../src/engine/state/internals/lmdb-backend.ts';
import type { StoreBackendOpenOptions } from '../../../src/engine/state/types.ts';
import { isFraudstreamError } from '../../../src/errors.ts';
import { seededRandom } from '../fixtures/reference-windows.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'fs-lmdb-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
function storeOptions(): StoreBackendOpenOptions {
  counter++;
  return {
    dir: path.join(root, 'app', '0_0', `store-${counter}`),
    storeName: `store-${counter}`,
    taskId: '0_0',
  };
}
const b = (s: string) => Buffer.from(s);
const hex = (buf: Buffer | undefined) => buf?.toString('hex');
const entries = (it: Iterable<[Buffer, Buffer]>) =>
  [...it].map(([k, v]) => [k.toString('hex'), v.toString()]);

describe('LMDB store backend', () => {
  test('reads its own uncommitted writes, and deletes hide committed values', () => {
    const store = LmdbStoreBackend.open(storeOptions());
    store.put(b('a'), b('1'));
    assert.equal(store.get(b('a'))?.toString(), '1');
    store.commit(5);
    store.put(b('a'), b('2'));
    assert.equal(store.get(b('a'))?.toString(), '2');
    store.delete(b('a'));
    assert.equal(store.get(b('a')), undefined);
    assert.equal(store.get(b('never')), undefined);
    store.close();
  });

  test('ranges are ascending in unsigned byte order, merge committed and pending writes, end exclusive', () => {
    const store = LmdbStoreBackend.open(storeOptions());
    const k = (...bytes: number[]) => Buffer.from(bytes);
    store.put(k(0x01), b('c1'));
    store.put(k(0x80), b('c80'));
    store.put(k(0xff), b('cff'));
    store.put(k(0x01, 0x00), b('c0100'));
    store.commit(null);
    store.put(k(0x00), b('p00')); // new pending key before every committed one
    store.put(k(0x80), b('p80')); // pending overwrite of a committed key
    store.delete(k(0x01, 0x00)); // pending delete of a committed key
    store.put(k(0x7f, 0xff), b('p7fff'));
    assert.deepEqual(entries(store.range()), [
      ['00', 'p00'],
      ['01', 'c1'],
      ['7fff', 'p7fff'],
      ['80', 'p80'],
      ['ff', 'cff'],
    ]);
    assert.deepEqual(entries(store.range(k(0x01), k(0x80))), [
      ['01', 'c1'],
      ['7fff', 'p7fff'],
    ]);
    assert.deepEqual(entries(store.range(k(0x80))), [
      ['80', 'p80'],
      ['ff', 'cff'],
    ]);
    assert.deepEqual(entries(store.range(undefined, k(0x01))), [['00', 'p00']]);
    store.commit(null);
    assert.deepEqual(entries(store.range(k(0x01), k(0x80))), [
      ['01', 'c1'],
      ['7fff', 'p7fff'],
    ]);
    store.close();
  });

  test('stopping a range early releases it: later commits and reads work', () => {
    const store = LmdbStoreBackend.open(storeOptions());
    for (let i = 0; i < 50; i++) store.put(Buffer.from([i]), b(`v${i}`));
    store.commit(1);
    for (const [key] of store.range()) if (key[0] === 3) break;
    store.put(Buffer.from([100]), b('x'));
    store.commit(2);
    assert.equal(entries(store.range()).length, 51);
    store.close();
  });

  test('a range is a snapshot: writing while iterating neither skips nor repeats entries', () => {
    const store = LmdbStoreBackend.open(storeOptions());
    for (let i = 0; i < 40; i += 2) store.put(Buffer.from([i]), b('committed'));
    store.commit(1);
    for (let i = 1; i < 40; i += 2) store.put(Buffer.from([i]), b('pending'));
    const seen: number[] = [];
    for (const [key] of store.range()) {
      seen.push(key[0]);
      store.put(Buffer.from([key[0], 1]), b('written during the scan'));
      store.delete(Buffer.from([key[0] + 1]));
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 40 }, (_, i) => i),
    );
    store.close();
  });

  test('commit makes data and checkpoint durable together; close without commit discards pending writes', () => {
    const options = storeOptions();
    let store = LmdbStoreBackend.open(options);
    assert.equal(store.readCheckpoint(), null);
    store.put(b('kept'), b('1'));
    store.commit(42);
    store.put(b('lost'), b('2'));
    store.delete(b('kept'));
    store.close();

    store = LmdbStoreBackend.open(options);
    assert.equal(store.readCheckpoint(), 42);
    assert.equal(store.get(b('kept'))?.toString(), '1');
    assert.equal(store.get(b('lost')), undefined);
    store.commit(null); // a store without changelog
    store.close();
    store = LmdbStoreBackend.open(options);
    assert.equal(store.readCheckpoint(), null);
    assert.equal(store.get(b('kept'))?.toString(), '1');
    store.close();
  });

  test('a commit with no writes still records a new checkpoint', () => {
    const options = storeOptions();
    const store = LmdbStoreBackend.open(options);
    store.put(b('a'), b('1'));
    store.commit(5);
    store.commit(5); // nothing changed
    store.commit(6); // only the checkpoint moved
    store.close();
    const reopened = LmdbStoreBackend.open(options);
    assert.equal(reopened.readCheckpoint(), 6);
    assert.equal(reopened.get(b('a'))?.toString(), '1');
    reopened.commit(null);
    reopened.close();
    const again = LmdbStoreBackend.open(options);
    assert.equal(again.readCheckpoint(), null);
    again.close();
  });

  test('approximateNumEntries counts committed and pending entries', () => {
    const store = LmdbStoreBackend.open(storeOptions());
    assert.equal(store.approximateNumEntries(), 0);
    store.put(b('a'), b('1'));
    store.put(b('b'), b('1'));
    assert.equal(store.approximateNumEntries(), 2);
    store.commit(null);
    store.delete(b('a'));
    store.put(b('b'), b('2'));
    store.put(b('c'), b('1'));
    assert.equal(store.approximateNumEntries(), 2);
    store.close();
  });

  test('destroy removes the store directory; the factory can destroy a closed store', () => {
    const factory = lmdbBackend();
    assert.equal(factory.kind, 'lmdb');
    assert.equal(factory.persistent, true);
    const options = storeOptions();
    const store = factory.open(options);
    store.put(b('a'), b('1'));
    store.commit(1);
    store.destroy();
    assert.equal(existsSync(options.dir), false);

    const other = storeOptions();
    const second = factory.open(other);
    second.commit(3);
    second.close();
    assert.equal(existsSync(other.dir), true);
    factory.destroy(other);
    assert.equal(existsSync(other.dir), false);
    const reopened = factory.open(other);
    assert.equal(reopened.readCheckpoint(), null);
    reopened.close();
  });

  test('a closed store refuses use with FS_STATE_STORE naming the store', () => {
    const options = storeOptions();
    const store = LmdbStoreBackend.open(options);
    store.close();
    assert.throws(
      () => store.get(b('a')),
      (err: unknown) => isFraudstreamError(err, 'FS_STATE_STORE') && err.message.includes(options.storeName),
    );
  });

  test('a negative checkpoint is rejected with the offending value, and the staged writes stay staged', () => {
    const options = storeOptions();
    const store = LmdbStoreBackend.open(options);
    store.put(b('a'), b('1'));
    assert.throws(
      () => store.commit(-1),
      (err: unknown) => isFraudstreamError(err, 'FS_STATE_STORE') && err.message.includes('-1'),
    );
    assert.equal(store.get(b('a'))?.toString(), '1');
    store.commit(1);
    store.close();
    const reopened = LmdbStoreBackend.open(options);
    assert.equal(reopened.get(b('a'))?.toString(), '1');
    assert.equal(reopened.readCheckpoint(), 1);
    reopened.close();
  });

  test('random puts, deletes, ranges, commits and reopens agree with a sorted-map model', () => {
    const options = storeOptions();
    const random = seededRandom(7);
    let store = LmdbStoreBackend.open(options);
    let committed = new Map<string, string>(); // hex key → value
    let current = new Map<string, string>();
    const randomKey = () =>
      Buffer.from(Array.from({ length: 1 + Math.floor(random() * 3) }, () => Math.floor(random() * 6) * 50));
    const modelRange = (from?: Buffer, to?: Buffer) =>
      [...current.entries()]
        .filter(
          ([k]) =>
            (from === undefined || Buffer.compare(Buffer.from(k, 'hex'), from) >= 0) &&
            (to === undefined || Buffer.compare(Buffer.from(k, 'hex'), to) < 0),
        )
        .sort(([a], [c]) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(c, 'hex')));
    for (let step = 0; step < 3000; step++) {
      const dice = random();
      if (dice < 0.45) {
        const key = randomKey();
        const value = `v${step}`;
        store.put(key, b(value));
        current.set(key.toString('hex'), value);
      } else if (dice < 0.6) {
        const key = randomKey();
        store.delete(key);
        current.delete(key.toString('hex'));
      } else if (dice < 0.8) {
        const key = randomKey();
        assert.equal(
          store.get(key)?.toString(),
          current.get(key.toString('hex')),
          `get ${hex(key)} at step ${step}`,
        );
      } else if (dice < 0.95) {
        const [x, y] = [randomKey(), randomKey()].sort(Buffer.compare);
        assert.deepEqual(entries(store.range(x, y)), modelRange(x, y), `range at step ${step}`);
      } else if (dice < 0.98) {
        store.commit(step);
        committed = new Map(current);
      } else {
        store.close();
        store = LmdbStoreBackend.open(options);
        current = new Map(committed);
        assert.deepEqual(entries(store.range()), modelRange(), `after reopen at step ${step}`);
      }
    }
    store.close();
  });
});
