import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Serdes } from '../../../src/engine/index.ts';
import { ChangeloggingBackend } from '../../../src/engine/state/internals/changelogging.ts';
import { MemoryBackend } from '../../../src/engine/state/internals/memory-backend.ts';
import { MeteredKeyValueStore } from '../../../src/engine/state/internals/typed-stores.ts';

const S = Serdes.string();
const J = Serdes.json<{ n: number }>();

function changes(changelog: ChangeloggingBackend): Array<[string, number | null]> {
  return changelog
    .drainChanges()
    .map((c) => [c.key.toString(), c.value === null ? null : J.deserialize(c.value).n]);
}

test('record cache: reads see held-back writes; flush writes the latest value per key once', () => {
  const backend = new MemoryBackend();
  const changelog = new ChangeloggingBackend(backend);
  const kv = new MeteredKeyValueStore('kv', changelog, S, J, false, 100);
  kv.put('a', { n: 1 });
  kv.put('a', { n: 2 });
  kv.put('b', { n: 1 });
  assert.deepEqual(kv.get('a'), { n: 2 });
  assert.equal(backend.get(Buffer.from('a')), undefined, 'held back until the flush');
  assert.deepEqual(changes(changelog), []);
  kv.flush();
  assert.deepEqual(changes(changelog), [
    ['a', 2],
    ['b', 1],
  ]);
  assert.deepEqual(J.deserialize(backend.get(Buffer.from('a'))!), { n: 2 });
  kv.flush();
  assert.deepEqual(changes(changelog), [], 'clean entries are not written again');
  assert.equal(kv.delete('a')?.n, 2);
  assert.equal(kv.get('a'), undefined);
  assert.equal(kv.delete('never-written'), undefined);
  kv.flush();
  assert.deepEqual(changes(changelog), [['a', null]]);
  assert.equal(backend.get(Buffer.from('a')), undefined);
});

test('record cache: a hit skips the backend and the deserializer; a miss is cached too', () => {
  const backend = new MemoryBackend();
  backend.put(Buffer.from('a'), J.serialize({ n: 7 })!);
  let parsed = 0;
  const counting = {
    serialize: J.serialize,
    deserialize: (b: Buffer | null) => {
      parsed++;
      return J.deserialize(b);
    },
  };
  const kv = new MeteredKeyValueStore('kv', new ChangeloggingBackend(backend), S, counting, false, 100);
  assert.equal(kv.get('a')?.n, 7);
  assert.equal(kv.get('a')?.n, 7);
  assert.equal(kv.get('missing'), undefined);
  backend.put(Buffer.from('missing'), J.serialize({ n: 1 })!);
  assert.equal(kv.get('missing'), undefined, 'the cached miss answers without the backend');
  assert.equal(parsed, 1);
  assert.deepEqual({ hits: kv.cache?.hits, misses: kv.cache?.misses }, { hits: 2, misses: 2 });
});

test('record cache: evicting a dirty entry writes it first; range and all see every write', () => {
  const backend = new MemoryBackend();
  const changelog = new ChangeloggingBackend(backend);
  const kv = new MeteredKeyValueStore('kv', changelog, S, J, false, 4);
  kv.put('a', { n: 1 });
  kv.put('b', { n: 2 });
  kv.put('c', { n: 3 });
  assert.deepEqual(changes(changelog), []);
  kv.put('d', { n: 4 });
  assert.deepEqual(
    changes(changelog),
    [
      ['a', 1],
      ['b', 2],
    ],
    'the least recently used keys left the cache through the changelog',
  );
  assert.equal(kv.get('a')?.n, 1, 'an evicted key reads from the backend');
  assert.deepEqual(
    [...kv.all()].map((e) => [e.key, e.value.n]),
    [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ],
  );
  assert.deepEqual(
    changes(changelog).map(([k]) => k),
    ['c', 'd'],
  );
  assert.equal(kv.approximateNumEntries(), 4);
});

test('record cache: a recently read key survives eviction of older ones', () => {
  const backend = new MemoryBackend();
  for (const k of ['a', 'b', 'c', 'd']) backend.put(Buffer.from(k), J.serialize({ n: 1 })!);
  let parsed = 0;
  const counting = {
    serialize: J.serialize,
    deserialize: (b: Buffer | null) => {
      parsed++;
      return J.deserialize(b);
    },
  };
  const kv = new MeteredKeyValueStore('kv', new ChangeloggingBackend(backend), S, counting, false, 4);
  kv.get('a');
  kv.get('b');
  kv.get('a');
  kv.get('c');
  kv.get('d');
  kv.get('a');
  assert.equal(parsed, 4, '"a" stayed cached while "b".."d" were loaded');
});

test('record cache: discarding drops writes that were never flushed (uncommitted)', () => {
  const backend = new MemoryBackend();
  const changelog = new ChangeloggingBackend(backend);
  const kv = new MeteredKeyValueStore('kv', changelog, S, J, false, 10);
  kv.put('a', { n: 1 });
  kv.flush();
  kv.put('a', { n: 2 });
  kv.discardCache();
  assert.equal(kv.get('a')?.n, 1);
  assert.deepEqual(changes(changelog), [['a', 1]]);
});

test('record cache: a scan that never hits stops filling the cache; writes are still held back', () => {
  const backend = new MemoryBackend();
  const kv = new MeteredKeyValueStore('kv', new ChangeloggingBackend(backend), S, J, false, 1000);
  for (let i = 0; i < 8192; i++) kv.get(`k${i}`);
  const sizeAfterFirstWindow = kv.cache!.size;
  for (let i = 8192; i < 12_000; i++) kv.get(`k${i}`);
  assert.equal(kv.cache!.size, sizeAfterFirstWindow, 'no read admitted after a window without hits');
  kv.put('w', { n: 1 });
  assert.equal(backend.get(Buffer.from('w')), undefined);
  assert.equal(kv.get('w')?.n, 1);
});

test('record cache: under a third of hits, reads are not cached and written values leave at the flush; writes are still held back once per key', () => {
  const backend = new MemoryBackend();
  const changelog = new ChangeloggingBackend(backend);
  const kv = new MeteredKeyValueStore('kv', changelog, S, J, false, 10_000);
  // one window of lookups with a quarter of hits: every fourth key read twice in a row
  for (let i = 0; i < 8192; i++) kv.get(`k${i - (i % 4 === 3 ? 1 : 0)}`);
  const cached = kv.cache!.size;
  kv.get('another');
  assert.equal(kv.cache!.size, cached, 'reads are no longer admitted');
  kv.put('w', { n: 1 });
  kv.put('w', { n: 2 });
  assert.equal(kv.get('w')?.n, 2, 'reads see the held-back write');
  assert.equal(backend.get(Buffer.from('w')), undefined);
  kv.flush();
  assert.deepEqual(changes(changelog), [['w', 2]]);
  assert.equal(kv.cache!.size, cached, 'the written entry left the cache');
  const misses = kv.cache!.misses;
  assert.equal(kv.get('w')?.n, 2, 'read back from the backend');
  assert.equal(kv.cache!.misses, misses + 1);
});

test('record cache: with a third of hits or more, reads stay cached and written values stay after the flush', () => {
  const backend = new MemoryBackend();
  const changelog = new ChangeloggingBackend(backend);
  const kv = new MeteredKeyValueStore('kv', changelog, S, J, false, 10_000);
  // one window of lookups with half of them hits: every key read twice in a row
  for (let i = 0; i < 8192; i++) kv.get(`k${i >> 1}`);
  const cached = kv.cache!.size;
  kv.get('another');
  assert.equal(kv.cache!.size, cached + 1, 'reads are still admitted');
  kv.put('w', { n: 1 });
  kv.flush();
  assert.deepEqual(changes(changelog), [['w', 1]]);
  const hits = kv.cache!.hits;
  assert.equal(kv.get('w')?.n, 1);
  assert.equal(kv.cache!.hits, hits + 1, 'answered from the cache');
});
