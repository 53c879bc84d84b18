/**
 * In-memory `StoreBackend` for window stores, whose keys are `[u32 keyLen][key][u64 start]` or, with
 * duplicates, `[u32 keyLen][key][u64 start][u32 seq]` (see key-layout.ts). Entries are grouped by
 * their `[keyLen][key]` prefix: a hash map of keys, each holding its windows in small parallel arrays
 * sorted by (start, seq) — numbers, so an entry costs no heap object besides its value. A hopping
 * 30m/5m count over 100k keys holds ~2M windows: one flat map of fresh composite strings cost several
 * times more per access, and its long-lived strings made every young-generation GC copy them.
 *
 * Groups are found by the key's bytes as a latin1 string (one char per byte; flat, so hashing it is
 * cheap). For ordering, the `[keyLen][key]` prefix string is made when a range needs the sorted list
 * (string order is unsigned byte order; a missing seq sorts first, as the shorter key does). Since
 * keys are length-prefixed, no prefix is a byte prefix of another one: walking prefixes in order and
 * each group in order is the byte order of the full keys, which is what `range` does. The sorted list
 * is only (re)built when a range needs it and a key was added.
 *
 * Besides the byte-level SPI (restore, scans, generic callers), the window store uses `getIn` /
 * `putIn` / `deleteIn` / `rangeIn` with the key string and times it already has. Through them it may
 * also keep a primitive value (a count, a sum: a number, string, boolean or bigint) as itself instead
 * of its bytes, given the `ValueCodec` that turns it into bytes for the byte-level SPI: 2M counts held
 * as numbers are no 2M long-lived Buffer objects for every young-generation GC to copy and promote.
 * Primitives are immutable, so the value held is always the one written.
 */
import { FraudstreamError } from '../../../errors.ts';
import type { StoreBackend } from '../types.ts';
import { timeTail } from './key-layout.ts';
import { upperBound } from './sorted-strings.ts';

/** No duplicate sequence number (an 8-byte tail). */
export const NO_SEQ = -1;

/** A value as held: its bytes, or (written through `putIn`) a primitive that `ValueCodec` serializes. */
export type HeldValue = Buffer | number | string | boolean | bigint;

/** Turns a primitive value held by the backend into its bytes (the store's value serde). */
export interface ValueCodec {
  serialize(value: number | string | boolean | bigint): Buffer | null;
}

interface Group {
  starts: number[];
  /** Undefined while every entry's seq is NO_SEQ (a store without duplicates: all of them), which
   * spares an array per key, and the cache misses of reaching it, on every read and write. */
  seqs: number[] | undefined;
  values: HeldValue[];
}

/** The seq of entry `i`. */
function seqAt(g: Group, i: number): number {
  return g.seqs === undefined ? NO_SEQ : g.seqs[i];
}

export class GroupedMemoryBackend implements StoreBackend {
  private groups = new Map<string, Group>();
  private count = 0;
  /** Sorted `[keyLen][key]` prefixes as of the last range; `added` are key strings added since;
   * removed ones are skipped lazily. */
  private sorted: string[] = [];
  private added: string[] = [];
  // The window store reads and writes several windows of one key in a row: look its group up once.
  private lastId: string | undefined;
  private lastGroup: Group | undefined;
  /** Serializes primitive values for the byte-level SPI; set by the window store that writes them. */
  codec: ValueCodec | undefined;

  /** The bytes of a held value. */
  bytesOf(v: HeldValue): Buffer {
    if (typeof v === 'object') return v;
    const b = this.codec?.serialize(v);
    if (b === null || b === undefined)
      throw new FraudstreamError('FS_STATE_STORE', 'a primitive window value has no codec to serialize it');
    return b;
  }

  private group(id: string): Group | undefined {
    if (id === this.lastId) return this.lastGroup;
    const g = this.groups.get(id);
    this.lastId = id;
    this.lastGroup = g;
    return g;
  }

  get(key: Buffer): Buffer | undefined {
    const k = splitKey(key);
    const v = this.getIn(k.id, k.start, k.seq);
    return v === undefined ? undefined : this.bytesOf(v);
  }

  put(key: Buffer, value: Buffer): void {
    const k = splitKey(key);
    this.putIn(k.id, k.start, k.seq, value);
  }

  delete(key: Buffer): void {
    const k = splitKey(key);
    this.deleteIn(k.id, k.start, k.seq);
  }

  getIn(id: string, start: number, seq = NO_SEQ): HeldValue | undefined {
    const g = this.group(id);
    if (g === undefined) return undefined;
    // A window after every stored one (a new window: most reads of an aggregation) is absent.
    if (start > g.starts[g.starts.length - 1]) return undefined;
    const i = lowerBound(g, start, seq);
    return i < g.starts.length && g.starts[i] === start && seqAt(g, i) === seq ? g.values[i] : undefined;
  }

  putIn(id: string, start: number, seq: number, value: HeldValue): void {
    let g = this.group(id);
    if (g === undefined) {
      g = { starts: [start], seqs: seq === NO_SEQ ? undefined : [seq], values: [value] };
      this.groups.set(id, g);
      this.lastGroup = g;
      this.added.push(id);
      this.count++;
      return;
    }
    const n = g.starts.length;
    if (seq !== NO_SEQ && g.seqs === undefined) g.seqs = new Array<number>(n).fill(NO_SEQ);
    // Windows mostly arrive in time order: appending is the common case.
    const last = g.starts[n - 1];
    if (last < start || (last === start && seqAt(g, n - 1) < seq)) {
      g.starts.push(start);
      g.seqs?.push(seq);
      g.values.push(value);
      this.count++;
      return;
    }
    const i = lowerBound(g, start, seq);
    if (g.starts[i] === start && seqAt(g, i) === seq) {
      g.values[i] = value;
      return;
    }
    g.starts.splice(i, 0, start);
    g.seqs?.splice(i, 0, seq);
    g.values.splice(i, 0, value);
    this.count++;
  }

  deleteIn(id: string, start: number, seq = NO_SEQ): void {
    const g = this.group(id);
    if (g === undefined) return;
    const i = lowerBound(g, start, seq);
    if (i >= g.starts.length || g.starts[i] !== start || seqAt(g, i) !== seq) return;
    g.starts.splice(i, 1);
    g.seqs?.splice(i, 1);
    g.values.splice(i, 1);
    this.count--;
    if (g.starts.length === 0) {
      this.groups.delete(id);
      this.lastGroup = undefined;
    }
  }

  /** Entries of one key with `fromStart <= start < toStart`, every seq, ascending; a copy, so the
   * caller may write to the store while walking it. */
  rangeIn(id: string, fromStart: number, toStart: number): Array<{ start: number; value: HeldValue }> {
    const out: Array<{ start: number; value: HeldValue }> = [];
    const g = this.group(id);
    if (g === undefined) return out;
    for (let i = lowerBound(g, fromStart, NO_SEQ); i < g.starts.length; i++) {
      if (g.starts[i] >= toStart) break;
      out.push({ start: g.starts[i], value: g.values[i] });
    }
    return out;
  }

  *range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    const f = from?.toString('latin1');
    const t = to?.toString('latin1');
    const prefixes = this.sortedPrefixes();
    // The last prefix <= from may still hold keys >= from (when from starts with it).
    let i = f === undefined ? 0 : Math.max(0, upperBound(prefixes, f) - 1);
    for (; i < prefixes.length; i++) {
      const p = prefixes[i];
      if (t !== undefined && p >= t) return;
      const g = this.groups.get(p.slice(4));
      if (g === undefined) continue;
      const checkFrom = f?.startsWith(p) === true;
      // A prefix below `from` that `from` does not start with: all its keys are below `from`.
      if (f !== undefined && p < f && !checkFrom) continue;
      const checkTo = t?.startsWith(p) === true;
      // A snapshot of the group: writes during the walk neither skip nor repeat entries.
      const starts = g.starts.slice();
      const seqs = g.seqs?.slice();
      const values = g.values.slice();
      for (let j = 0; j < starts.length; j++) {
        const seq = seqs === undefined ? NO_SEQ : seqs[j];
        const full = p + timeTail(starts[j], seq === NO_SEQ ? undefined : seq);
        if (checkFrom && full < (f as string)) continue;
        if (checkTo && full >= (t as string)) return;
        yield [Buffer.from(full, 'latin1'), this.bytesOf(values[j])];
      }
    }
  }

  approximateNumEntries(): number {
    return this.count;
  }

  commit(_checkpoint: number | null): void {}

  readCheckpoint(): number | null {
    return null;
  }

  close(): void {
    this.groups = new Map();
    this.lastId = undefined;
    this.lastGroup = undefined;
    this.count = 0;
    this.sorted = [];
    this.added = [];
  }

  destroy(): void {
    this.close();
  }

  /** A new array whenever it changes, so a running range keeps walking the one it started with. */
  private sortedPrefixes(): string[] {
    if (this.added.length === 0) return this.sorted;
    const added = this.added.map(lengthPrefixed).sort();
    const old = this.sorted;
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < old.length || j < added.length) {
      const take = j >= added.length || (i < old.length && old[i] < added[j]) ? old[i++] : added[j++];
      // Drop removed prefixes and duplicates (a prefix removed and added again is in both lists).
      if (this.groups.has(take.slice(4)) && merged[merged.length - 1] !== take) merged.push(take);
    }
    this.sorted = merged;
    this.added = [];
    return merged;
  }
}

/** `[u32 len][key]` as a latin1 string, from the key's latin1 string. */
function lengthPrefixed(key: string): string {
  const n = key.length;
  return String.fromCharCode(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff) + key;
}

/** Key string (latin1, without the length), start and seq of a window store key. */
function splitKey(key: Buffer): { id: string; start: number; seq: number } {
  const end = key.length >= 4 ? 4 + key.readUInt32BE(0) : -1;
  const tail = key.length - end;
  if (end < 0 || (tail !== 8 && tail !== 12)) {
    throw new FraudstreamError(
      'FS_STATE_STORE',
      `a window store key of ${key.length} bytes is not [u32 length][key][u64 start]([u32 seq])`,
    );
  }
  return {
    id: key.toString('latin1', 4, end),
    start: key.readUInt32BE(end) * 2 ** 32 + key.readUInt32BE(end + 4),
    seq: tail === 12 ? key.readUInt32BE(end + 8) : NO_SEQ,
  };
}

/** First index whose (start, seq) is >= the given one. */
function lowerBound(g: Group, start: number, seq: number): number {
  const starts = g.starts;
  const seqs = g.seqs;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < start || (starts[mid] === start && (seqs === undefined ? NO_SEQ : seqs[mid]) < seq))
      lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
