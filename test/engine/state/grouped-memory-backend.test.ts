import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Serdes } from '../../../src/engine/index.ts';
import { ChangeloggingBackend } from '../../../src/engine/state/internals/changelogging.ts';
import { GroupedMemoryBackend } from '../../../src/engine/state/internals/grouped-memory-backend.ts';
import { compositeKey, keyPrefix, prefixEnd } from '../../../src/engine/state/internals/key-layout.ts';
import { MemoryBackend } from '../../../src/engine/state/internals/memory-backend.ts';
import { MeteredWindowStore } from '../../../src/engine/state/internals/typed-stores.ts';

const hex = (it: Iterable<[Buffer, Buffer]>) =>
  [...it].map(([k, v]) => `${k.toString('hex')}=${v.toString('hex')}`);

/** Random window keys (including keys that are byte prefixes of others, times beyond 2^32, duplicates). */
function randomOps(seed: number, n: number): Array<[Buffer, Buffer | null]> {
  let x = seed;
  const rnd = (m: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % m;
  };
  const keys = ['', 'a', 'ab', 'b', 'abc', '\u00ff', 'a\u0000'].map((k) => Buffer.from(k, 'latin1'));
  const times = [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, 1767225600000];
  const ops: Array<[Buffer, Buffer | null]> = [];
  for (let i = 0; i < n; i++) {
    const k = keys[rnd(keys.length)];
    const ck =
      rnd(4) === 0
        ? compositeKey(k, times[rnd(times.length)], rnd(3))
        : compositeKey(k, times[rnd(times.length)]);
    ops.push([ck, rnd(5) === 0 ? null : Buffer.from([rnd(256)])]);
  }
  return ops;
}

test('grouped backend: same gets, counts and byte-ordered ranges as the flat backend, for any bounds', () => {
  const flat = new MemoryBackend();
  const grouped = new GroupedMemoryBackend();
  for (const [k, v] of randomOps(7, 3000)) {
    if (v === null) {
      flat.delete(k);
      grouped.delete(k);
    } else {
      flat.put(k, v);
      grouped.put(k, v);
    }
  }
  assert.equal(grouped.approximateNumEntries(), flat.approximateNumEntries());
  assert.deepEqual(hex(grouped.range()), hex(flat.range()));
  const bounds = [
    undefined,
    Buffer.alloc(0),
    keyPrefix(Buffer.from('a')),
    prefixEnd(keyPrefix(Buffer.from('a'))),
    compositeKey(Buffer.from('ab'), 256),
    compositeKey(Buffer.from('ab'), 2 ** 32, 1),
    compositeKey(Buffer.from('\u00ff', 'latin1'), 0),
    Buffer.from([0, 0, 0, 2, 0x61]),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]),
  ];
  for (const from of bounds) {
    for (const to of bounds) {
      assert.deepEqual(
        hex(grouped.range(from, to)),
        hex(flat.range(from, to)),
        `range ${from?.toString('hex')}..${to?.toString('hex')}`,
      );
    }
  }
  for (const [k] of randomOps(8, 500)) assert.deepEqual(grouped.get(k), flat.get(k));
});

test('grouped backend: deleting every entry while iterating neither skips nor repeats', () => {
  const g = new GroupedMemoryBackend();
  for (let i = 0; i < 500; i++) g.put(compositeKey(Buffer.from(`k${i % 37}`), i * 1000), Buffer.from([1]));
  const seen = new Set<string>();
  for (const [k] of g.range()) {
    assert.ok(!seen.has(k.toString('hex')));
    seen.add(k.toString('hex'));
    g.delete(k);
  }
  assert.equal(seen.size, 500);
  assert.equal(g.approximateNumEntries(), 0);
  assert.deepEqual([...g.range()], []);
  g.put(compositeKey(Buffer.from('k1'), 5), Buffer.from([2]));
  assert.deepEqual(hex(g.range()), [`${compositeKey(Buffer.from('k1'), 5).toString('hex')}=02`]);
});

test('a window store on the grouped backend writes the same changelog and reads as on the flat one', () => {
  const S = Serdes.string();
  const N = Serdes.number();
  const run = (backend: MemoryBackend | GroupedMemoryBackend, dups: boolean) => {
    const changelog = new ChangeloggingBackend(backend);
    const ws = new MeteredWindowStore('w', changelog, S, N, false, 10, dups);
    // deterministic sequence numbers for the duplicate case
    (ws as unknown as { seq: number }).seq = 5;
    // ASCII keys (their own latin1 group id), non-ASCII ones, a lone surrogate (UTF-8 EF BF BD), empty.
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'ü-é', 'a\ud800', ''];
    for (let i = 0; i < 300; i++) ws.put(keys[i % keys.length], i, (i * 13) % 90);
    ws.put('k1', null, 13);
    ws.put('k2', null, 999);
    ws.put('ü-é', null, 91);
    const reads = {
      fetch: [0, 13, 26, 39, 80].map((s) => ws.fetch('k0', s)),
      fetchOther: ['ü-é', 'a\ud800', 'a\ufffd', ''].flatMap((k) => [0, 13, 91].map((s) => ws.fetch(k, s))),
      range: [...ws.fetchRange('k3', 10, 60)].map((e) => [e.key.window.start, e.key.window.end, e.value]),
      all: [...ws.all()].map((e) => [e.key.key, e.key.window.start, e.value]),
      purged: ws.purgeBefore(40),
      after: [...ws.fetchAll(0, 100)].map((e) => [e.key.key, e.key.window.start]),
      size: ws.approximateNumEntries(),
    };
    const log = changelog
      .drainChanges()
      .map((c) => [c.key.toString('hex'), c.value?.toString('hex') ?? null]);
    return { reads, log };
  };
  for (const dups of [false, true]) {
    const flat = run(new MemoryBackend(), dups);
    const grouped = run(new GroupedMemoryBackend(), dups);
    assert.ok(flat.reads.all.length > 0 && flat.reads.purged > 0);
    assert.deepEqual(grouped, flat);
  }
});

test('grouped backend: a window store holds exact primitives as themselves, the byte-level SPI still sees their bytes', () => {
  const backend = new GroupedMemoryBackend();
  const changelog = new ChangeloggingBackend(backend);
  const ws = new MeteredWindowStore('w', changelog, Serdes.string(), Serdes.number(), false, 10, false);
  ws.put('k', 3, 10);
  ws.put('k', -0, 30);
  const kb = Buffer.from('k');
  assert.deepEqual(backend.get(compositeKey(kb, 10)), Serdes.number().serialize(3));
  assert.deepEqual(
    [...backend.range()].map(([k, v]) => [k.toString('hex'), v.toString('hex')]),
    [
      [compositeKey(kb, 10).toString('hex'), Serdes.number().serialize(3)?.toString('hex')],
      [compositeKey(kb, 30).toString('hex'), Serdes.number().serialize(-0)?.toString('hex')],
    ],
  );
  // What restore writes (bytes) reads back typed, next to held values.
  backend.put(compositeKey(kb, 20), Serdes.number().serialize(7) as Buffer);
  assert.deepEqual(
    [...ws.fetchRange('k', 0, 40)].map((e) => [e.key.window.start, e.value]),
    [
      [10, 3],
      [20, 7],
      [30, -0],
    ],
  );
  assert.ok(Object.is(ws.fetch('k', 30), -0));
  assert.deepEqual(
    changelog.drainChanges().map((c) => [c.key.toString('hex'), c.value?.toString('hex')]),
    [
      [compositeKey(kb, 10).toString('hex'), Serdes.number().serialize(3)?.toString('hex')],
      [compositeKey(kb, 30).toString('hex'), Serdes.number().serialize(-0)?.toString('hex')],
    ],
  );
});

test('grouped backend: an ASCII string key is its own group, the same one its bytes name (restore)', () => {
  const backend = new GroupedMemoryBackend();
  const ws = new MeteredWindowStore('w', backend, Serdes.string(), Serdes.number(), false, 10, false);
  assert.equal(Serdes.string().latin1Of?.('card-1'), 'card-1');
  assert.equal(Serdes.string().latin1Of?.('ü'), undefined);
  ws.put('card-1', 1, 10);
  backend.put(compositeKey(Buffer.from('card-1'), 20), Serdes.number().serialize(2) as Buffer);
  backend.put(compositeKey(Buffer.from('ü'), 20), Serdes.number().serialize(3) as Buffer);
  assert.deepEqual(
    [...ws.fetchRange('card-1', 0, 30)].map((e) => [e.key.window.start, e.value]),
    [
      [10, 1],
      [20, 2],
    ],
  );
  assert.equal(ws.fetch('ü', 20), 3);
  assert.equal(ws.fetch('card-1', 30), undefined);
});

test('grouped backend: values of a serde that is not exact stay bytes (a string may not survive UTF-8)', () => {
  const backend = new GroupedMemoryBackend();
  const ws = new MeteredWindowStore('w', backend, Serdes.string(), Serdes.string(), false, 10, false);
  ws.put('k', 'a\ud800', 10);
  assert.equal(ws.fetch('k', 10), Serdes.string().deserialize(Serdes.string().serialize('a\ud800')));
  assert.notEqual(ws.fetch('k', 10), 'a\ud800');
});
