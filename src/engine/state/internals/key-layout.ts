/**
 * Byte layouts of window and session store keys. The key is length-prefixed so that all entries of
 * one key are contiguous and no key is a byte prefix of another key's entries; times are 8-byte
 * big-endian unsigned (event times are >= 0), so byte order is time order within a key.
 *
 *   window:  [u32 keyLen][key][u64 windowStart]([u32 seq] with retainDuplicates)
 *   session: [u32 keyLen][key][u64 sessionEnd][u64 sessionStart]
 */
const TWO32 = 2 ** 32;

export function writeTime(buf: Uint8Array, offset: number, t: number): void {
  const v = Math.max(0, t);
  const hi = Math.floor(v / TWO32);
  writeU32(buf, offset, hi);
  // not `v % TWO32`: a floating-point remainder is a call into C, this is a multiply (and exact)
  writeU32(buf, offset + 4, v - hi * TWO32);
}

export function readTime(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * TWO32 + buf.readUInt32BE(offset + 4);
}

/** Big-endian u32 by hand: these keys are made for every window write, Buffer methods cost more. */
function writeU32(buf: Uint8Array, offset: number, v: number): void {
  buf[offset] = v >>> 24;
  buf[offset + 1] = (v >>> 16) & 0xff;
  buf[offset + 2] = (v >>> 8) & 0xff;
  buf[offset + 3] = v & 0xff;
}

/** [len][key][t1]([t2 or seq]) */
export function compositeKey(key: Buffer, t1: number, extra?: number, extraIsTime = false): Buffer {
  const n = key.length;
  const tail = extra === undefined ? 0 : extraIsTime ? 8 : 4;
  const out = Buffer.allocUnsafe(4 + n + 8 + tail);
  writeComposite(out, 0, key, t1, extra, extraIsTime);
  return out;
}

/** Bytes of `compositeKey(key, t1, seq)` for a window key (no seq: undefined). */
export function windowKeyLength(key: Uint8Array, seq: number | undefined): number {
  return 12 + key.length + (seq === undefined ? 0 : 4);
}

/** Writes `compositeKey(key, t1, extra, extraIsTime)` into `out` at `at` (room checked by the caller). */
export function writeComposite(
  out: Uint8Array,
  at: number,
  key: Uint8Array,
  t1: number,
  extra?: number,
  extraIsTime = false,
): void {
  const n = key.length;
  writeU32(out, at, n);
  if (n <= 32) for (let i = 0; i < n; i++) out[at + 4 + i] = key[i];
  else out.set(key, at + 4);
  writeTime(out, at + 4 + n, t1);
  if (extra !== undefined) {
    if (extraIsTime) writeTime(out, at + 12 + n, extra);
    else writeU32(out, at + 12 + n, extra >>> 0);
  }
}

/** Lower bound of every entry of `key` (an empty time part). */
export function keyPrefix(key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + key.length);
  out.writeUInt32BE(key.length, 0);
  key.copy(out, 4);
  return out;
}

/** Smallest buffer greater than every buffer starting with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i]++;
      return out.subarray(0, i + 1);
    }
  }
  return Buffer.alloc(out.length + 1, 0xff);
}

/** The 8-byte time part of a key as a latin1 string (one char per byte), as `compositeKey` writes it;
 * with `seq`, the 4-byte duplicate sequence number follows. */
export function timeTail(t: number, seq?: number): string {
  const v = Math.max(0, t);
  const hi = Math.floor(v / TWO32);
  const lo = v - hi * TWO32;
  const time = String.fromCharCode(
    hi >>> 24,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    lo >>> 24,
    (lo >>> 16) & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
  );
  if (seq === undefined) return time;
  const s = seq >>> 0;
  return time + String.fromCharCode(s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff);
}

export interface DecodedComposite {
  key: Buffer;
  t1: number;
  t2: number;
}

export function decodeComposite(buf: Buffer, withTime2: boolean): DecodedComposite {
  const len = buf.readUInt32BE(0);
  const key = buf.subarray(4, 4 + len);
  const t1 = readTime(buf, 4 + len);
  const t2 = withTime2 ? readTime(buf, 12 + len) : 0;
  return { key, t1, t2 };
}
