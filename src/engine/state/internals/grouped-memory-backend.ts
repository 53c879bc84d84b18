/**
 * In-memory `StoreBackend` for window stores, whose keys are `[u32 keyLen][key][tail]` (see
 * key-layout.ts; the tail is the window start, plus a sequence number with duplicates). Entries are
 * grouped by their `[keyLen][key]` prefix: a hash map of 100k keys, each holding its few windows in a
 * small sorted array, instead of one flat map of every window (a hopping 30m/5m count over 100k keys
 * holds ~2M windows; a flat map of fresh composite strings costs several times more per access).
 *
 * Prefixes and tails are latin1 strings (one char per byte), so string order is unsigned byte order.
 * Since the key is length-prefixed, no prefix is a byte prefix of another one: walking prefixes in
 * order and each prefix's tails in order is the byte order of the full keys, which is what `range`
 * does. The sorted list of prefixes is only (re)built when a range needs it and a prefix was added.
 *
 * Besides the byte-level SPI (restore, scans, generic callers), the window store uses `getIn` /
 * `putIn` / `deleteIn` / `rangeIn` with the prefix and tail strings it already has.
 */
import { FraudstreamError } from '../../../errors.ts';
import type { StoreBackend } from '../types.ts';

interface Group {
  tails: string[];
  values: Buffer[];
}

export class GroupedMemoryBackend implements StoreBackend {
  private groups = new Map<string, Group>();
  private count = 0;
  /** Sorted prefixes as of the last range; `added` are newer ones, removed ones are skipped lazily. */
  private sorted: string[] = [];
  private added: string[] = [];

  get(key: Buffer): Buffer | undefined {
    const split = splitKey(key);
    return this.getIn(split[0], split[1]);
  }

  put(key: Buffer, value: Buffer): void {
    const split = splitKey(key);
    this.putIn(split[0], split[1], value);
  }

  delete(key: Buffer): void {
    const split = splitKey(key);
    this.deleteIn(split[0], split[1]);
  }

  getIn(prefix: string, tail: string): Buffer | undefined {
    const g = this.groups.get(prefix);
    if (g === undefined) return undefined;
    const i = lowerBound(g.tails, tail);
    return g.tails[i] === tail ? g.values[i] : undefined;
  }

  putIn(prefix: string, tail: string, value: Buffer): void {
    let g = this.groups.get(prefix);
    if (g === undefined) {
      g = { tails: [tail], values: [value] };
      this.groups.set(prefix, g);
      this.added.push(prefix);
      this.count++;
      return;
    }
    const tails = g.tails;
    const n = tails.length;
    // Windows mostly arrive in time order: appending is the common case.
    if (tails[n - 1] < tail) {
      tails.push(tail);
      g.values.push(value);
      this.count++;
      return;
    }
    const i = lowerBound(tails, tail);
    if (tails[i] === tail) {
      g.values[i] = value;
      return;
    }
    tails.splice(i, 0, tail);
    g.values.splice(i, 0, value);
    this.count++;
  }

  deleteIn(prefix: string, tail: string): void {
    const g = this.groups.get(prefix);
    if (g === undefined) return;
    const i = lowerBound(g.tails, tail);
    if (g.tails[i] !== tail) return;
    g.tails.splice(i, 1);
    g.values.splice(i, 1);
    this.count--;
    if (g.tails.length === 0) this.groups.delete(prefix);
  }

  /** Entries of one prefix with `fromTail <= tail < toTail` (either bound may be omitted), ascending;
   * a copy, so the caller may write to the store while walking it. */
  rangeIn(prefix: string, fromTail?: string, toTail?: string): Array<[string, Buffer]> {
    const out: Array<[string, Buffer]> = [];
    const g = this.groups.get(prefix);
    if (g === undefined) return out;
    const tails = g.tails;
    for (let i = fromTail === undefined ? 0 : lowerBound(tails, fromTail); i < tails.length; i++) {
      if (toTail !== undefined && tails[i] >= toTail) break;
      out.push([tails[i], g.values[i]]);
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
      const g = this.groups.get(p);
      if (g === undefined) continue;
      const checkFrom = f?.startsWith(p) === true;
      // A prefix below `from` that `from` does not start with: all its keys are below `from`.
      if (f !== undefined && p < f && !checkFrom) continue;
      const checkTo = t?.startsWith(p) === true;
      // A snapshot of the group: writes during the walk neither skip nor repeat entries.
      const tails = g.tails.slice();
      const values = g.values.slice();
      for (let j = 0; j < tails.length; j++) {
        if (checkFrom || checkTo) {
          const full = p + tails[j];
          if (checkFrom && full < (f as string)) continue;
          if (checkTo && full >= (t as string)) return;
        }
        yield [Buffer.from(p + tails[j], 'latin1'), values[j]];
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
    const added = this.added.sort();
    const old = this.sorted;
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < old.length || j < added.length) {
      const take = j >= added.length || (i < old.length && old[i] < added[j]) ? old[i++] : added[j++];
      // Drop removed prefixes and duplicates (a prefix removed and added again is in both lists).
      if (this.groups.has(take) && merged[merged.length - 1] !== take) merged.push(take);
    }
    this.sorted = merged;
    this.added = [];
    return merged;
  }
}

/** [prefix, tail] of a `[u32 len][key][tail]` key, as latin1 strings. */
function splitKey(key: Buffer): [string, string] {
  if (key.length < 4) throw badKey(key);
  const end = 4 + key.readUInt32BE(0);
  if (end > key.length) throw badKey(key);
  return [key.toString('latin1', 0, end), key.toString('latin1', end, key.length)];
}

function badKey(key: Buffer): FraudstreamError {
  return new FraudstreamError(
    'FS_STATE_STORE',
    `window store key of ${key.length} bytes does not start with a valid length prefix`,
  );
}

function lowerBound(a: string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
