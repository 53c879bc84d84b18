import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { type Serde, Serdes } from '../../../src/engine/index.ts';
import { RecordColumns } from '../../../src/log/index.ts';

test('string, number, bytes and json round-trip; null stays null', () => {
  assert.equal(Serdes.string().deserialize(Serdes.string().serialize('héllo')), 'héllo');
  assert.equal(Serdes.number().deserialize(Serdes.number().serialize(-12.5)), -12.5);
  assert.deepEqual(Serdes.json().deserialize(Serdes.json().serialize({ a: [1, 'x'] })), { a: [1, 'x'] });
  assert.deepEqual(Serdes.bytes().deserialize(Buffer.from([1, 2])), Buffer.from([1, 2]));
  assert.equal(Serdes.json().serialize(null), null);
  assert.equal(Serdes.string().deserialize(null), null);
});

test('bad input throws FS_SERDE naming the value', () => {
  assert.throws(
    () => Serdes.json().deserialize(Buffer.from('{oops')),
    (e: Error & { code?: string }) => e.code === 'FS_SERDE' && e.message.includes('{oops'),
  );
  assert.throws(() => Serdes.number().deserialize(Buffer.from([1, 2, 3])), { code: 'FS_SERDE' });
});

test('schemaJson validates against a TypeBox schema', () => {
  const serde = Serdes.schemaJson(Type.Object({ id: Type.String(), amount: Type.Number() }));
  assert.deepEqual(serde.deserialize(Buffer.from('{"id":"x","amount":3}')), { id: 'x', amount: 3 });
  assert.throws(
    () => serde.deserialize(Buffer.from('{"id":"x","amount":"3"}')),
    (e: Error & { code?: string }) => e.code === 'FS_SCHEMA_INVALID' && e.message.includes('/amount'),
  );
});

test('windowed keys carry the window', () => {
  const serde = Serdes.windowed(Serdes.string());
  const w = { key: 'card-1', window: { start: 1_767_225_600_000, end: 1_767_225_900_000 } };
  assert.deepEqual(serde.deserialize(serde.serialize(w)), w);
});

test('string and number serdes reuse the previous bytes only for the same value (0 and -0 differ)', () => {
  const n = Serdes.number();
  const zero = n.serialize(0)!;
  const negativeZero = n.serialize(-0)!;
  assert.ok(Object.is(n.deserialize(zero), 0));
  assert.ok(Object.is(n.deserialize(negativeZero), -0));
  assert.equal(n.serialize(-0), negativeZero);
  assert.equal(n.deserialize(n.serialize(7)), 7);
  assert.ok(Number.isNaN(n.deserialize(n.serialize(Number.NaN))));
  const s = Serdes.string();
  const a = s.serialize('card-1')!;
  assert.equal(s.serialize('card-1'), a);
  assert.equal(s.deserialize(s.serialize('card-2')), 'card-2');
  assert.equal(s.deserialize(s.serialize('card-1')), 'card-1');
});

test('serializeInto writes the bytes serialize returns, into an arena that grows while written', () => {
  const arena = new RecordColumns(16, 64);
  const cases: Array<[Serde<never>, unknown]> = [];
  for (const n of [0, -0, 1.5, -1e300, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 2, 1767225600000])
    cases.push([Serdes.number() as Serde<never>, n]);
  // a null inner key is written as empty bytes
  for (const key of ['card-000042', '', 'ü'.repeat(40), 'x'.repeat(100), null])
    cases.push([
      Serdes.windowed(Serdes.string()) as Serde<never>,
      { key, window: { start: 1767225600000, end: 1767227400000 } },
    ]);
  for (const key of ['card-000042', '', 'ü'.repeat(40), 'x'.repeat(100)])
    cases.push([Serdes.string() as Serde<never>, key]);
  for (let round = 0; round < 3; round++) {
    for (const [serde, value] of cases) {
      const before = arena.used;
      const n = serde.serializeInto?.(value as never, arena);
      assert.deepEqual(arena.bytes.subarray(before, before + (n ?? 0)), serde.serialize(value as never));
      assert.equal(arena.used, before + (n ?? 0));
    }
  }
  assert.ok(arena.bytes.length > 64);
  assert.equal(Serdes.number().serializeInto?.(null as unknown as number, arena), -1);
  assert.equal(Serdes.string().serializeInto?.(null as unknown as string, arena), -1);
  // JSON has none on purpose: JSON.stringify + byteLength + write measured slower than the pooled
  // Buffer.from + copy (join and fraud benches, 4 of 4 alternating pairs)
  assert.equal(Serdes.json().serializeInto, undefined);
});
