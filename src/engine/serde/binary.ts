/**
 * Little building blocks for compact binary serdes of internal topics and stores (repartition
 * records, changelogged state): numbers as 8-byte doubles (no decimal formatting or parsing),
 * strings and byte strings with a length prefix. A writer reuses one growing scratch buffer and
 * hands out an exact-size copy; a reader walks a buffer with a cursor.
 *
 * @example
 *   const w = BinaryWriter.shared();
 *   w.reset(); w.u8(1); w.f64(order.amount); w.string(order.order_id);
 *   const bytes = w.finish();
 *   const r = new BinaryReader(bytes); r.u8(); r.f64(); r.string();
 */
import { FraudstreamError } from '../../errors.ts';
import type { ByteArena } from '../state/types.ts';

export class BinaryWriter {
  private buf: Buffer;
  private pos = 0;
  private static instance: BinaryWriter | undefined;

  constructor(initialBytes = 4096) {
    // unpooled: a writer is kept and reused, and a pooled slice would keep its whole 8 KB pool slab alive
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** One writer for synchronous use (serialize calls never interleave). */
  static shared(): BinaryWriter {
    BinaryWriter.instance ??= new BinaryWriter();
    return BinaryWriter.instance;
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Unsigned integer below 2^32, 1–5 bytes (LEB128). */
  varuint(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** Unsigned 32-bit integer, 4 bytes little-endian. */
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** UTF-8 with a byte-length prefix. */
  string(s: string): void {
    const n = s.length;
    this.ensure(5 + n * 3);
    // ASCII (ids, codes, most names): copy char codes, no native call; a one-byte length.
    if (n < 128) {
      const buf = this.buf;
      const at = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[at + i] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = at + n;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.varuint(bytes);
    this.buf.write(s, this.pos, bytes, 'utf8');
    this.pos += bytes;
  }

  /** Raw bytes with no length prefix (the rest of the record). */
  rest(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** What was written from `start` on: a view, valid until the next write. */
  view(start = 0): Buffer {
    return this.buf.subarray(start, this.pos);
  }

  /** Copies what was written to `arena.reserve(length)` (a serde's `serializeInto`); returns the length. */
  finishInto(arena: ByteArena): number {
    const n = this.pos;
    const at = arena.reserve(n); // before reading `bytes`: reserving may replace it
    this.buf.copy(arena.bytes, at, 0, n);
    return n;
  }

  /** An exact-size copy of what was written. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}

export class BinaryReader {
  readonly buf: Buffer;
  pos: number;

  constructor(buf: Buffer, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new FraudstreamError('FS_SERDE', `binary record truncated at byte ${this.pos} (+${n})`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  varuint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
      if (shift > 28) throw new FraudstreamError('FS_SERDE', 'varuint longer than 5 bytes');
    }
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  string(): string {
    const n = this.varuint();
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return this.buf.toString('utf8', start, start + n);
  }

  /** The bytes after the cursor (a view, not a copy). */
  rest(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }
}
