/**
 * In-memory `StoreBackend`: a sorted list of byte keys kept in chunks of at most CHUNK entries, so
 * inserts cost O(log n + CHUNK) instead of shifting one huge array, and range scans are a binary search
 * plus a walk. Nothing survives `close()`; the engine restores it from the changelog on start.
 */
import type { StoreBackend, StoreBackendFactory } from '../types.ts';

const CHUNK = 256;

interface Chunk {
  keys: Buffer[];
  values: Buffer[];
}

export class MemoryBackend implements StoreBackend {
  private chunks: Chunk[] = [{ keys: [], values: [] }];
  private size = 0;

  get(key: Buffer): Buffer | undefined {
    const c = this.chunks[this.chunkFor(key)];
    const i = search(c.keys, key);
    return i >= 0 ? c.values[i] : undefined;
  }

  put(key: Buffer, value: Buffer): void {
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    const i = search(c.keys, key);
    if (i >= 0) {
      c.values[i] = value;
      return;
    }
    const at = -i - 1;
    c.keys.splice(at, 0, key);
    c.values.splice(at, 0, value);
    this.size++;
    if (c.keys.length > CHUNK * 2) {
      const half = c.keys.length >> 1;
      this.chunks.splice(ci + 1, 0, { keys: c.keys.splice(half), values: c.values.splice(half) });
    }
  }

  delete(key: Buffer): void {
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    const i = search(c.keys, key);
    if (i < 0) return;
    c.keys.splice(i, 1);
    c.values.splice(i, 1);
    this.size--;
    if (c.keys.length === 0 && this.chunks.length > 1) this.chunks.splice(ci, 1);
  }

  *range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    // Snapshot the bounds per chunk lazily; callers do not write inside the scanned range while iterating.
    let ci = from === undefined ? 0 : this.chunkFor(from);
    let i = from === undefined ? 0 : lowerBound(this.chunks[ci].keys, from);
    while (ci < this.chunks.length) {
      const c = this.chunks[ci];
      while (i < c.keys.length) {
        const k = c.keys[i];
        if (to !== undefined && Buffer.compare(k, to) >= 0) return;
        yield [k, c.values[i]];
        i++;
      }
      ci++;
      i = 0;
    }
  }

  approximateNumEntries(): number {
    return this.size;
  }

  commit(_checkpoint: number | null): void {}

  readCheckpoint(): number | null {
    return null;
  }

  close(): void {
    this.chunks = [{ keys: [], values: [] }];
    this.size = 0;
  }

  destroy(): void {
    this.close();
  }

  /** Index of the last chunk whose first key is <= key (0 if none). */
  private chunkFor(key: Buffer): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const first = chunks[mid].keys[0];
      if (first !== undefined && Buffer.compare(first, key) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Index of key, or -(insertion point) - 1. */
function search(keys: Buffer[], key: Buffer): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = Buffer.compare(keys[mid], key);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

function lowerBound(keys: Buffer[], key: Buffer): number {
  const i = search(keys, key);
  return i >= 0 ? i : -i - 1;
}

/** The default backend: in memory, restored from the changelog on every start. */
export function memoryBackend(): StoreBackendFactory {
  return {
    kind: 'memory',
    persistent: false,
    open: () => new MemoryBackend(),
    destroy: () => {},
  };
}
