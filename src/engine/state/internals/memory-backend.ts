/**
 * In-memory `StoreBackend`. Keys are held as latin1 strings: one byte per UTF-16 code unit, so V8's
 * native string comparison orders them exactly as unsigned bytes (`Buffer.compare`) at a fraction of
 * the cost. Point reads and writes go through a hash map; a sorted index (chunks of at most
 * 2 × CHUNK keys, so an insert shifts a small array, not a huge one) serves range scans and is only
 * touched when a key is added or removed. Nothing survives `close()`: the engine restores it from the
 * changelog on start.
 */
import type { StoreBackend, StoreBackendFactory } from '../types.ts';
import { GroupedMemoryBackend } from './grouped-memory-backend.ts';
import { lowerBound, upperBound } from './sorted-strings.ts';

const CHUNK = 256;

export class MemoryBackend implements StoreBackend {
  private values = new Map<string, Buffer>();
  private chunks: string[][] = [[]];

  // The same key buffer is usually read then written (aggregations): convert it once.
  private lastKey: Buffer | undefined;
  private lastString = '';

  private str(key: Buffer): string {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastString = key.toString('latin1');
    }
    return this.lastString;
  }

  get(key: Buffer): Buffer | undefined {
    return this.values.get(this.str(key));
  }

  put(key: Buffer, value: Buffer): void {
    const k = this.str(key);
    const size = this.values.size;
    this.values.set(k, value);
    if (this.values.size !== size) this.insertSorted(k);
  }

  delete(key: Buffer): void {
    const k = this.str(key);
    if (this.values.delete(k)) this.removeSorted(k);
  }

  *range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    const f = from?.toString('latin1');
    const t = to?.toString('latin1');
    let ci = f === undefined ? 0 : this.chunkFor(f);
    let i = f === undefined ? 0 : lowerBound(this.chunks[ci], f);
    // Walk a snapshot of each chunk: writes during iteration neither skip nor repeat keys of this chunk.
    while (ci < this.chunks.length) {
      const chunk = this.chunks[ci].slice(i);
      for (const k of chunk) {
        if (t !== undefined && k >= t) return;
        const v = this.values.get(k);
        if (v !== undefined) yield [Buffer.from(k, 'latin1'), v];
      }
      const last = chunk.at(-1);
      if (last === undefined) {
        ci++;
        i = 0;
        continue;
      }
      // Chunks may have split or vanished while we yielded: find the position after `last` again.
      ci = this.chunkFor(last);
      i = upperBound(this.chunks[ci], last);
      if (i >= this.chunks[ci].length) {
        ci++;
        i = 0;
      }
    }
  }

  approximateNumEntries(): number {
    return this.values.size;
  }

  commit(_checkpoint: number | null): void {}

  readCheckpoint(): number | null {
    return null;
  }

  close(): void {
    this.values = new Map();
    this.chunks = [[]];
  }

  destroy(): void {
    this.close();
  }

  private insertSorted(k: string): void {
    const ci = this.chunkFor(k);
    const c = this.chunks[ci];
    c.splice(lowerBound(c, k), 0, k);
    if (c.length > CHUNK * 2) this.chunks.splice(ci + 1, 0, c.splice(CHUNK));
  }

  private removeSorted(k: string): void {
    const ci = this.chunkFor(k);
    const c = this.chunks[ci];
    const i = lowerBound(c, k);
    if (c[i] === k) c.splice(i, 1);
    if (c.length === 0 && this.chunks.length > 1) this.chunks.splice(ci, 1);
  }

  /** Index of the last chunk whose first key is <= k (0 if none). */
  private chunkFor(k: string): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid][0] <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** The default backend: in memory, restored from the changelog on every start. Window stores get
 * the variant that groups entries by key (grouped-memory-backend.ts). */
export function memoryBackend(): StoreBackendFactory {
  return {
    kind: 'memory',
    persistent: false,
    open: (options) => (options.storeKind === 'window' ? new GroupedMemoryBackend() : new MemoryBackend()),
    destroy: () => {},
  };
}
