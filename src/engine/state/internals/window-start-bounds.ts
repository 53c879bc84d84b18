/**
 * Per key of a window store, an upper bound of the window starts it holds, so that fetching a window
 * later than all of them — a new window, which is what most fetches of a windowed aggregation ask
 * for — needs no backend read (an LMDB read costs ~1 µs; a 30m/5m hopping count fetches 6 per record).
 *
 * A key's bound is initialized from the backend's last commit (`lastCommittedKey`) the first time the
 * store touches the key, and raised by every write the store makes to it. That is exact because every
 * write of a running task goes through its window store: restore writes come earlier and are
 * committed when restore ends, so when a key is first touched the backend has no pending write of it,
 * and later ones are noted here. Deletes (and retention) only lower the true maximum: the bound stays
 * an upper bound. Memory is bounded: past `maxKeys` keys the map is cleared, but only when the backend
 * has no pending writes (then the committed state is the whole state); until then new keys go
 * unbounded (plain reads).
 */
import type { StoreBackend } from '../types.ts';
import { keyPrefix, prefixEnd, readTime } from './key-layout.ts';

type BoundsBackend = Required<Pick<StoreBackend, 'lastCommittedKey' | 'pendingWrites'>>;

export class WindowStartBounds {
  private readonly backend: BoundsBackend;
  private readonly maxKeys: number;
  private bounds = new Map<string, number>();
  private lastKey: Buffer | undefined;
  private lastId = '';

  constructor(backend: BoundsBackend, maxKeys = 1_000_000) {
    this.backend = backend;
    this.maxKeys = maxKeys;
  }

  /** The backend, if it supports bounds (LMDB does; the in-memory backends need none). */
  static supported(backend: StoreBackend): BoundsBackend | undefined {
    return backend.lastCommittedKey !== undefined && backend.pendingWrites !== undefined
      ? (backend as BoundsBackend)
      : undefined;
  }

  /** True when the store certainly holds no window of `key` starting at `start`. */
  absent(key: Buffer, start: number): boolean {
    const bound = this.bound(key);
    return bound !== undefined && start > bound;
  }

  /** Call after writing a window of `key` starting at `start`. */
  written(key: Buffer, start: number): void {
    const id = this.id(key);
    const bound = this.bounds.get(id);
    if (bound !== undefined) {
      if (start > bound) this.bounds.set(id, start);
      return;
    }
    // First touch: the bound must also cover what the last commit holds.
    const initial = this.initial(key, id);
    if (initial !== undefined) this.bounds.set(id, Math.max(initial, start));
  }

  private bound(key: Buffer): number | undefined {
    const id = this.id(key);
    const bound = this.bounds.get(id);
    return bound !== undefined ? bound : this.initial(key, id);
  }

  /** Greatest committed start of `key` (-1 if none), remembered; undefined when the map is full. */
  private initial(key: Buffer, id: string): number | undefined {
    if (this.bounds.size >= this.maxKeys) {
      if (this.backend.pendingWrites() > 0) return undefined;
      this.bounds = new Map();
    }
    const prefix = keyPrefix(key);
    const last = this.backend.lastCommittedKey(prefix, prefixEnd(prefix));
    const bound = last === undefined ? -1 : readTime(last, prefix.length);
    this.bounds.set(id, bound);
    return bound;
  }

  private id(key: Buffer): string {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastId = key.toString('latin1');
    }
    return this.lastId;
  }
}
