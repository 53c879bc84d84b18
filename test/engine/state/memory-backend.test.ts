import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend } from '../../../src/engine/state/internals/memory-backend.ts';

const b = (...bytes: number[]) => Buffer.from(bytes);
const keys = (it: Iterable<[Buffer, Buffer]>) => [...it].map(([k]) => [...k]);

test('range scans are in unsigned byte order, [from, to)', () => {
  const m = new MemoryBackend();
  for (const k of [b(0xff), b(0x01, 0x00), b(0x01), b(0x80), b(0x00), b(0x01, 0xff)]) m.put(k, b(1));
  assert.deepEqual(keys(m.range()), [[0x00], [0x01], [0x01, 0x00], [0x01, 0xff], [0x80], [0xff]]);
  assert.deepEqual(keys(m.range(b(0x01), b(0x80))), [[0x01], [0x01, 0x00], [0x01, 0xff]]);
  assert.deepEqual(keys(m.range(b(0x01, 0x01))), [[0x01, 0xff], [0x80], [0xff]]);
  assert.deepEqual(keys(m.range(undefined, b(0x01))), [[0x00]]);
});

test('put overwrites, delete removes, counts stay exact across many chunks', () => {
  const m = new MemoryBackend();
  const n = 5000;
  const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
  for (const i of order) m.put(Buffer.from(String(i).padStart(5, '0')), Buffer.from([i % 256]));
  for (const i of order) m.put(Buffer.from(String(i).padStart(5, '0')), Buffer.from([(i + 1) % 256]));
  assert.equal(m.approximateNumEntries(), n);
  for (let i = 0; i < n; i += 2) m.delete(Buffer.from(String(i).padStart(5, '0')));
  assert.equal(m.approximateNumEntries(), n / 2);
  const all = [...m.range()].map(([k, v]) => [k.toString(), v[0]]);
  assert.equal(all.length, n / 2);
  assert.deepEqual(all.slice(0, 2), [
    ['00001', 2],
    ['00003', 4],
  ]);
  assert.ok(all.every(([k], i) => i === 0 || all[i - 1][0] < k));
  assert.equal(m.get(Buffer.from('00002')), undefined);
  assert.deepEqual(m.get(Buffer.from('00003')), Buffer.from([4]));
});

test('deleting while iterating a range neither skips nor repeats keys', () => {
  const m = new MemoryBackend();
  for (let i = 0; i < 2000; i++) m.put(Buffer.from(String(i).padStart(4, '0')), b(0));
  const seen: string[] = [];
  for (const [k] of m.range()) {
    seen.push(k.toString());
    m.delete(k);
  }
  assert.equal(seen.length, 2000);
  assert.equal(new Set(seen).size, 2000);
  assert.equal(m.approximateNumEntries(), 0);
});

test('close drops everything (not persistent)', () => {
  const m = new MemoryBackend();
  m.put(b(1), b(2));
  m.commit(5);
  assert.equal(m.readCheckpoint(), null);
  m.close();
  assert.equal(m.get(b(1)), undefined);
});
