import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Serdes } from '../../../src/engine/index.ts';
import { ChangeloggingBackend } from '../../../src/engine/state/internals/changelogging.ts';
import { MemoryBackend } from '../../../src/engine/state/internals/memory-backend.ts';
import {
  MeteredKeyValueStore,
  MeteredSessionStore,
  MeteredWindowStore,
} from '../../../src/engine/state/internals/typed-stores.ts';

const S = Serdes.string();
const N = Serdes.number();

test('key-value store: typed get/put/delete/range over bytes, every write changelogged', () => {
  const changelog = new ChangeloggingBackend(new MemoryBackend());
  const kv = new MeteredKeyValueStore('kv', changelog, S, N, false);
  kv.put('b', 2);
  kv.put('a', 1);
  kv.put('c', 3);
  assert.equal(kv.putIfAbsent('a', 9), 1);
  assert.equal(kv.delete('c'), 3);
  kv.put('b', null);
  assert.deepEqual([...kv.all()], [{ key: 'a', value: 1 }]);
  assert.deepEqual(
    changelog.drainChanges().map((c) => [c.key.toString(), c.value === null ? null : N.deserialize(c.value)]),
    [
      ['b', 2],
      ['a', 1],
      ['c', 3],
      ['c', null],
      ['b', null],
    ],
  );
  assert.deepEqual(kv.counters, { puts: 3, gets: 1, deletes: 2 });
});

test('window store: fetch by key and start range; keys that are byte prefixes of others stay apart', () => {
  const ws = new MeteredWindowStore('w', new MemoryBackend(), S, N, false, 10, false);
  ws.put('a', 1, 0);
  ws.put('a', 2, 10);
  ws.put('a', 3, 20);
  ws.put('ab', 9, 10);
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
  assert.equal(ws.approximateNumEntries(), 3);
});

test('window store with duplicates keeps every put (join buffers)', () => {
  const ws = new MeteredWindowStore('d', new MemoryBackend(), S, S, false, 1, true);
  ws.put('k', 'x', 5);
  ws.put('k', 'y', 5);
  ws.put('k', 'z', 6);
  assert.deepEqual(
    [...ws.fetchRange('k', 5, 6)].map((e) => e.value),
    ['x', 'y', 'z'],
  );
});

test('session store: find sessions overlapping [earliestEnd, latestStart], remove, timestamps beyond 2^32', () => {
  const ss = new MeteredSessionStore('s', new MemoryBackend(), S, N, false);
  const T = 1_767_225_600_000;
  ss.put({ key: 'u', window: { start: T, end: T + 10 } }, 2);
  ss.put({ key: 'u', window: { start: T + 50, end: T + 60 } }, 3);
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
  assert.deepEqual(
    [...ss.all()].map((e) => e.key.key),
    ['v'],
  );
});
