/**
 * Record cache of a key-value store (the caching layer of Kafka Streams' store stack): deserialized
 * values of recently used keys, and writes held back until the task's commit.
 *
 * Why: an aggregation reads and rewrites the same key for every record of that key. Without a cache
 * each record pays a deserialize on `get`, a serialize on `put` and one changelog record. With it, a
 * hot key is deserialized once while it stays cached, serialized once per commit, and produces one
 * changelog record per commit carrying its latest value (as Kafka Streams' caching does).
 *
 * Guarantees: reads see every write at once (the cache is consulted first); at commit step 2 the task
 * flushes every dirty entry to the changelogging layer and backend, so the changelog, the backend
 * and the log transaction see exactly what they would without a cache, minus the intermediate values
 * of a key within one commit interval. An entry evicted while dirty is flushed first. Only primitive
 * keys (string, number) are cached: they are their own identity, no serialization needed to look up.
 *
 * Values are shared, not copied: a value returned by `get` (or given to `put`) is the cached object,
 * so code must put a value back after changing it (as every DSL aggregator and the fraud stages do).
 */

export type CacheKey = string | number;

export interface CacheEntry<V> {
  /** undefined: the key has no value (absent in the backend, or deleted since the last flush). */
  value: V | undefined;
  dirty: boolean;
}

/** Default maximum number of cached keys per key-value store and task. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

export class RecordCache<V> {
  readonly maxEntries: number;
  private readonly entries = new Map<CacheKey, CacheEntry<V>>();
  private dirtyCount = 0;
  private readonly write: (key: CacheKey, value: V | undefined) => void;
  hits = 0;
  misses = 0;

  /** `write` applies one flushed entry to the layers below (a put, or a delete for undefined). */
  constructor(maxEntries: number, write: (key: CacheKey, value: V | undefined) => void) {
    this.maxEntries = Math.max(1, maxEntries);
    this.write = write;
  }

  get size(): number {
    return this.entries.size;
  }

  get dirtyEntries(): number {
    return this.dirtyCount;
  }

  /** The cached entry, refreshed as most recently used; undefined on a miss. */
  lookup(key: CacheKey): CacheEntry<V> | undefined {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Refresh recency only in the older half: re-inserting on every hit costs more than it saves.
    if (this.entries.size > this.maxEntries >> 1) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }

  /** Caches a value read from the backend (clean). */
  loaded(key: CacheKey, value: V | undefined): void {
    this.entries.set(key, { value, dirty: false });
    if (this.entries.size > this.maxEntries) this.evictOldest();
  }

  /** Records a write (undefined deletes); it reaches the backend and changelog at the next flush. */
  written(key: CacheKey, value: V | undefined): void {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.entries.set(key, { value, dirty: true });
      this.dirtyCount++;
      if (this.entries.size > this.maxEntries) this.evictOldest();
      return;
    }
    if (!e.dirty) this.dirtyCount++;
    e.value = value;
    e.dirty = true;
  }

  /** Writes every dirty entry below (commit step 2, and before range scans); entries stay cached. */
  flush(): void {
    if (this.dirtyCount === 0) return;
    for (const [key, e] of this.entries) {
      if (!e.dirty) continue;
      e.dirty = false;
      this.write(key, e.value);
    }
    this.dirtyCount = 0;
  }

  /** Forgets everything, dirty entries included (uncommitted writes are discarded on close). */
  clear(): void {
    this.entries.clear();
    this.dirtyCount = 0;
  }

  private evictOldest(): void {
    const first = this.entries.keys().next();
    if (first.done) return;
    const key = first.value;
    const e = this.entries.get(key)!;
    this.entries.delete(key);
    if (e.dirty) {
      this.dirtyCount--;
      this.write(key, e.value);
    }
  }
}
