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

/** Lookups between two reviews of whether caching reads pays off. */
const ADMISSION_WINDOW = 8192;

/** Share of lookups that must hit for reads to be cached (see `reviewAdmission`). */
const ADMIT_HIT_RATE = 1 / 3;

/**
 * Recency is kept by two generations instead of a linked list: new and refreshed entries go to the
 * young map; when it holds half the budget, the old map is evicted whole (dirty entries written
 * first) and the young one becomes old. A hit in the old map moves the entry to the young one.
 * (Deleting the oldest key of a single Map one at a time degrades: V8 iterators skip deleted slots.)
 */
export class RecordCache<V> {
  readonly maxEntries: number;
  private young = new Map<CacheKey, CacheEntry<V>>();
  private old = new Map<CacheKey, CacheEntry<V>>();
  /** Entries made dirty since the last flush, in that order (an entry appears once). */
  private dirtyList: Array<[CacheKey, CacheEntry<V>]> = [];
  private readonly write: (key: CacheKey, value: V | undefined) => void;
  hits = 0;
  misses = 0;
  /** Whether clean values read from the backend are cached (see `lookup`). */
  private admitReads = true;
  private windowLookups = 0;
  private windowHits = 0;
  private windowsSkipped = 0;

  /** `write` applies one flushed entry to the layers below (a put, or a delete for undefined). */
  constructor(maxEntries: number, write: (key: CacheKey, value: V | undefined) => void) {
    this.maxEntries = Math.max(2, maxEntries);
    this.write = write;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The cached entry, refreshed as recently used; undefined on a miss. */
  lookup(key: CacheKey): CacheEntry<V> | undefined {
    if (++this.windowLookups === ADMISSION_WINDOW) this.reviewAdmission();
    let e = this.young.get(key);
    if (e === undefined) {
      e = this.old.get(key);
      if (e === undefined) {
        this.misses++;
        return undefined;
      }
      this.old.delete(key);
      this.addYoung(key, e);
    }
    this.hits++;
    this.windowHits++;
    return e;
  }

  /** Caches a value read from the backend (clean), unless reads are not being admitted. */
  loaded(key: CacheKey, value: V | undefined): void {
    if (this.admitReads) this.addYoung(key, { value, dirty: false });
  }

  /** Records a write (undefined deletes); it reaches the backend and changelog at the next flush. */
  written(key: CacheKey, value: V | undefined): void {
    const e = this.lookupQuiet(key);
    if (e === undefined) {
      const fresh: CacheEntry<V> = { value, dirty: true };
      this.dirtyList.push([key, fresh]);
      this.addYoung(key, fresh);
      return;
    }
    if (!e.dirty) {
      e.dirty = true;
      this.dirtyList.push([key, e]);
    }
    e.value = value;
  }

  /** Writes every dirty entry below (commit step 2, and before range scans); entries stay cached. */
  flush(): void {
    const list = this.dirtyList;
    if (list.length === 0) return;
    this.dirtyList = [];
    // While reads are not admitted, an entry is cached only to hold its write back: once written
    // below it goes, so that its value dies young instead of being promoted and dying old.
    const keep = this.admitReads;
    for (const [key, e] of list) {
      if (!e.dirty) continue; // written when its generation was evicted
      e.dirty = false;
      this.write(key, e.value);
      if (!keep && !this.young.delete(key)) this.old.delete(key);
    }
  }

  /** Forgets everything, dirty entries included (uncommitted writes are discarded on close). */
  clear(): void {
    this.young = new Map();
    this.old = new Map();
    this.dirtyList = [];
  }

  /**
   * A scan-like access pattern (every key once, e.g. a stream joined against a large table, or more
   * keys in use than the cache holds) rarely hits: caching its reads costs more than it saves, since
   * a cached value lives long enough to be promoted to V8's old generation and then dies there (in
   * the fraud pipeline with 50,000 customers, hit rates of 5-23 % made the pipeline 10-15 % slower
   * than with both caches off). Reads stop being admitted after a window of lookups with under
   * ADMIT_HIT_RATE hits, and are admitted again for one probing window in every eight.
   */
  private reviewAdmission(): void {
    const useful = this.windowHits >= this.windowLookups * ADMIT_HIT_RATE;
    if (this.admitReads && !useful) {
      this.admitReads = false;
      this.windowsSkipped = 0;
    } else if (!this.admitReads && (useful || ++this.windowsSkipped >= 8)) {
      this.admitReads = true;
    }
    this.windowLookups = 0;
    this.windowHits = 0;
  }

  private lookupQuiet(key: CacheKey): CacheEntry<V> | undefined {
    const e = this.young.get(key);
    if (e !== undefined) return e;
    const o = this.old.get(key);
    if (o === undefined) return undefined;
    this.old.delete(key);
    this.addYoung(key, o);
    return o;
  }

  private addYoung(key: CacheKey, e: CacheEntry<V>): void {
    this.young.set(key, e);
    if (this.young.size < this.maxEntries >> 1) return;
    // Evict the old generation whole; its dirty entries go below first, in recency order.
    for (const [k, oe] of this.old) {
      if (!oe.dirty) continue;
      oe.dirty = false;
      this.write(k, oe.value);
    }
    this.old = this.young;
    this.young = new Map();
  }
}
