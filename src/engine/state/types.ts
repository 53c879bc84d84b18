/**
 * State store contracts.
 *
 * A store seen by a processor is a stack of wrappers, as in Kafka Streams:
 *
 *   metered (counts, size gauge) → typed (serdes, key layout) → changelogging → backend (bytes)
 *
 * Reads and writes are synchronous. A write is visible to reads at once, is appended to the store's
 * compacted changelog topic in the task's log transaction (commit step 2) and becomes durable in the
 * backend at commit step 6 (`StoreBackend.commit`), together with the changelog checkpoint.
 *
 * ## Plugging in a persistent backend (the SPI)
 * Implement `StoreBackendFactory` (sync `open`) returning a `StoreBackend` over byte keys, then select
 * it per application (`StreamsConfig.stateBackend`) or per store (`StoreSpec.backend`):
 *
 * @example
 *   const app = new StreamsApp(topology, { applicationId: 'fraud', log, stateBackend: lmdbBackend() });
 *   // or, for one store:
 *   builder.stream('payments', serdes).groupByKey().count({ as: 'payments-per-card', backend: lmdbBackend() });
 */
import type { Headers } from '../../log/types.ts';

/** A time window: start inclusive, end exclusive, in event-time ms. Session windows are the exception:
 * their `end` is the timestamp of their last record, inclusive (see docs/windows-and-time.md). */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** A key qualified by the window it was aggregated in. */
export interface Windowed<K> {
  readonly key: K;
  readonly window: TimeWindow;
}

export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

export type StoreKind = 'key-value' | 'window' | 'session';

/** What every store has, whatever its kind. */
export interface StateStore {
  readonly name: string;
  readonly kind: StoreKind;
  /** True when the backend keeps data on disk (restores only the changelog tail after its checkpoint). */
  readonly persistent: boolean;
  /** Approximate number of entries (exact for the in-memory backend). */
  approximateNumEntries(): number;
}

// ---------------------------------------------------------------------------------------------
// Key-value

/** Read-only view for interactive queries. Ranges are by serialized key bytes, ascending. */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | undefined;
  /** Entries with `from <= key < to` in serialized-byte order; either bound may be omitted. */
  range(from?: K, to?: K): IterableIterator<KeyValue<K, V>>;
  all(): IterableIterator<KeyValue<K, V>>;
  approximateNumEntries(): number;
}

export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V>, StateStore {
  /** `undefined` or `null` value deletes the key. */
  put(key: K, value: V | null | undefined): void;
  putIfAbsent(key: K, value: V): V | undefined;
  /** Removes the key and returns its previous value. */
  delete(key: K): V | undefined;
}

// ---------------------------------------------------------------------------------------------
// Window

export interface WindowedKeyValue<K, V> {
  readonly key: Windowed<K>;
  readonly value: V;
}

/** Read-only view for interactive queries. All time bounds are window *start* times, inclusive. */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStart`. */
  fetch(key: K, windowStart: number): V | undefined;
  /** Windows of `key` with `timeFrom <= start <= timeTo`, oldest first. */
  fetchRange(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowedKeyValue<K, V>>;
  /** Windows of every key with `timeFrom <= start <= timeTo` (full scan; for queries and purges). */
  fetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedKeyValue<K, V>>;
  all(): IterableIterator<WindowedKeyValue<K, V>>;
  approximateNumEntries(): number;
}

export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V>, StateStore {
  /** Window size in ms (every window of a store has the same size). */
  readonly windowSizeMs: number;
  /** Stores `value` for the window of `key` starting at `windowStart`; `null`/`undefined` deletes it.
   * With `retainDuplicates` each put adds a new entry (stream–stream join buffers). */
  put(key: K, value: V | null | undefined, windowStart: number): void;
  /** Deletes every entry whose window start is `< before` (retention). Returns how many. */
  purgeBefore(before: number): number;
}

// ---------------------------------------------------------------------------------------------
// Session

/** Read-only view for interactive queries. */
export interface ReadOnlySessionStore<K, V> {
  /** Sessions of `key` with `end >= earliestSessionEnd` and `start <= latestSessionStart`. */
  findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): IterableIterator<WindowedKeyValue<K, V>>;
  /** Every session of `key`, oldest first. */
  fetch(key: K): IterableIterator<WindowedKeyValue<K, V>>;
  all(): IterableIterator<WindowedKeyValue<K, V>>;
  approximateNumEntries(): number;
}

export interface SessionStore<K, V> extends ReadOnlySessionStore<K, V>, StateStore {
  put(session: Windowed<K>, value: V): void;
  remove(session: Windowed<K>): void;
  /** Deletes every session whose end is `< before` (retention). Returns how many. */
  purgeBefore(before: number): number;
}

// ---------------------------------------------------------------------------------------------
// Backend SPI

/**
 * A byte-level sorted store: what a persistent (LMDB) or in-memory backend implements.
 * Keys sort by unsigned byte order (`Buffer.compare`).
 *
 * Contract:
 * - `get`/`range` see every `put`/`delete` made since `open`, committed or not (read your writes).
 * - Writes since the last `commit` form one pending batch; `commit(checkpoint)` makes the batch AND the
 *   checkpoint durable atomically (commit step 6). A crash, or `close()` without `commit`, loses the
 *   pending batch: after reopening, the data and `readCheckpoint()` are those of the last commit.
 * - `range` iterators may be a snapshot; callers never write while iterating the same range.
 * - Everything is synchronous (processing never awaits a store).
 */
export interface StoreBackend {
  get(key: Buffer): Buffer | undefined;
  put(key: Buffer, value: Buffer): void;
  delete(key: Buffer): void;
  /** Entries with `from <= key < to`, ascending; omitted bounds are open. */
  range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]>;
  approximateNumEntries(): number;
  /** Commit step 6: durably apply pending writes and record `checkpoint` (the next changelog offset to
   * restore from; null when the store has no changelog) in the same atomic write. */
  commit(checkpoint: number | null): void;
  /** Checkpoint of the last commit; null if never committed (or not persistent). The engine wipes a
   * persistent store that has data but no checkpoint before restoring it from the changelog. */
  readCheckpoint(): number | null;
  /** Releases resources; pending (uncommitted) writes are discarded. */
  close(): void;
  /** Optional: the greatest key in [from, to) among the entries of the last commit (pending writes
   * are NOT considered), or undefined. With `pendingWrites`, lets the window store skip reads of
   * windows newer than any it holds (see window-start-bounds.ts). */
  lastCommittedKey?(from: Buffer, to: Buffer): Buffer | undefined;
  /** Optional: how many writes are pending (not yet committed). */
  pendingWrites?(): number;
  /** Deletes all data and files of this store (store must be closed or never opened). */
  destroy(): void;
}

export interface StoreBackendOpenOptions {
  /** Directory reserved for this store of this task: `<stateDir>/<applicationId>/<taskId>/<storeName>`. */
  dir: string;
  storeName: string;
  /** e.g. "1_0" (sub-topology 1, partition 0). */
  taskId: string;
  /** What the engine keeps in it (a backend may pick a layout for it; the in-memory one groups the
   * entries of window stores by key). */
  storeKind?: StoreKind;
}

export interface StoreBackendFactory {
  /** e.g. 'memory', 'lmdb'. */
  readonly kind: string;
  /** false: data lives only in memory and is fully restored from the changelog on start. */
  readonly persistent: boolean;
  open(options: StoreBackendOpenOptions): StoreBackend;
  /** Removes the directory of a store that is not open (task clean-up). */
  destroy(options: StoreBackendOpenOptions): void;
}

// ---------------------------------------------------------------------------------------------
// Declaring stores (Processor API users; the DSL declares its own)

/** Serializer/deserializer pair; see `src/engine/serde`. */
export interface StoreSerde<T> {
  serialize(value: T, topic?: string, headers?: Headers): Buffer | null;
  deserialize(data: Buffer | null, topic?: string, headers?: Headers): T;
  /** A `typeof` whose values `deserialize(serialize(v))` gives back exactly (`'number'` for
   * `Serdes.number()`): an in-memory store may hold such a value itself instead of its bytes. */
  readonly exactPrimitive?: 'number' | 'string' | 'boolean' | 'bigint';
  /** Optional: writes the bytes `serialize(value)` would return at `arena.reserve(length)` and
   * returns their length (-1 for null, nothing written), without making a Buffer (a sink writes
   * its records straight into the task's output arena). */
  serializeInto?(value: T, arena: ByteArena): number;
  /** Optional: `serialize(value)` read as latin1 (one char per byte) when that needs no Buffer, else
   * undefined (the string serde: an ASCII string is itself). The grouped window store keys by it. */
  latin1Of?(value: T): string | undefined;
  /** Optional: whether `deserialize(data)` would return null, throwing exactly when it would throw,
   * without building the value (a source whose values nobody reads, see docs/topology.md). */
  checkNull?(data: Buffer | null, topic?: string, headers?: Headers): boolean;
}

/** Where `serializeInto` writes: `reserve(n)` returns the position of n bytes of `bytes` to fill
 * (read `bytes` after reserving: it may have been replaced by a larger one). */
export interface ByteArena {
  bytes: Buffer;
  reserve(n: number): number;
}

/** Declares a store for `Stores.keyValue/window/session`, to connect to processors by name. */
export interface StoreSpec<K = unknown, V = unknown> {
  readonly name: string;
  readonly kind: StoreKind;
  readonly keySerde: StoreSerde<K>;
  readonly valueSerde: StoreSerde<V>;
  /** Window stores: size of every window (ms). */
  readonly windowSizeMs?: number;
  /** Window and session stores: how long entries are kept after their window ends (ms). */
  readonly retentionMs?: number;
  /** Window stores: keep every put as its own entry (join buffers). */
  readonly retainDuplicates?: boolean;
  /** Default true: every write goes to the compacted topic `<applicationId>-<name>-changelog`. */
  readonly changelog: boolean;
  /** Overrides the application's `stateBackend` for this store. */
  readonly backend?: StoreBackendFactory;
  /** Key-value stores: how many keys the record cache keeps per task (default 10 000; 0 disables it).
   * Writes reach the changelog once per key per commit, with the key's latest value. */
  readonly cacheMaxEntries?: number;
}
