/** BinaryWriter / BinaryReader: the building blocks of the binary serdes of internal topics. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BinaryReader, BinaryWriter } from '../../../src/engine/index.ts';
import { isFraudstreamError } from '../../../src/errors.ts';
import { RecordColumns } from '../../../src/log/index.ts';

describe('BinaryWriter / BinaryReader', () => {
  test('strings, varuints and doubles round trip, the writer growing as needed', () => {
    const strings = [
      '',
      'mer_00159',
      'x'.repeat(127),
      'y'.repeat(128),
      'z'.repeat(5000),
      'ascii then ü',
      'Café “Zoë” 🍕',
      '日本語のテキスト'.repeat(20),
    ];
    const uints = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 32 - 1];
    const doubles = [0, -0, 1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY, 5e-324, 1.7e12 + 0.125];
    const w = new BinaryWriter(16);
    for (const s of strings) w.string(s);
    for (const u of uints) w.varuint(u);
    for (const d of doubles) w.f64(d);
    w.u8(255);
    w.rest(Buffer.from('tail'));
    const bytes = w.finish();
    assert.equal(bytes.length, w.length);
    // finishInto copies the same bytes into an arena (which grows as needed)
    const arena = new RecordColumns(16, 8);
    arena.reserve(3);
    assert.equal(w.finishInto(arena), bytes.length);
    assert.deepEqual(arena.bytes.subarray(3, 3 + bytes.length), bytes);
    assert.equal(arena.used, 3 + bytes.length);
    const r = new BinaryReader(bytes);
    for (const s of strings) assert.equal(r.string(), s);
    for (const u of uints) assert.equal(r.varuint(), u);
    for (const d of doubles) assert.ok(Object.is(r.f64(), d), String(d));
    assert.equal(r.u8(), 255);
    assert.equal(r.rest().toString(), 'tail');
    // reset starts over; finish hands out a copy
    w.reset();
    w.string('again');
    const again = w.finish();
    assert.equal(new BinaryReader(again).string(), 'again');
    assert.equal(new BinaryReader(bytes).string(), '', 'the earlier bytes are untouched');
  });

  test('reading past the end is FS_SERDE', () => {
    const w = new BinaryWriter();
    w.string('hello');
    const bytes = w.finish();
    const isSerde = (e: unknown) => isFraudstreamError(e) && e.code === 'FS_SERDE';
    assert.throws(() => new BinaryReader(bytes.subarray(0, 3)).string(), isSerde);
    assert.throws(() => new BinaryReader(Buffer.alloc(4)).f64(), isSerde);
    assert.throws(
      () => new BinaryReader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).varuint(),
      isSerde,
    );
  });
});
