/**
 * The metered layer of a store stack: typed keys and values through serdes (as Kafka Streams'
 * Metered*Store), operation counters for metrics, over the byte-level changelogging layer and backend.
 */
import { FraudstreamError } from '../../../errors.ts';
import type {
  KeyValue,
  KeyValueStore,
  SessionStore,
  StoreBackend,
  StoreKind,
  StoreSerde,
  Windowed,
  WindowedKeyValue,
  WindowStore,
} from '../types.ts';
import { ChangeloggingBackend } from './changelogging.ts';
import { GroupedMemoryBackend, NO_SEQ } from './grouped-memory-backend.ts';
import { compositeKey, decodeComposite, keyPrefix, prefixEnd, prefixString } from './key-layout.ts';
import { type CacheKey, RecordCache } from './record-cache.ts';

/** Operation counts, read by the metrics collector. */
export interface StoreCounters {
  puts: number;
  gets: number;
  deletes: number;
}

abstract class MeteredStore<K, V> {
  readonly name: string;
  abstract readonly kind: StoreKind;
  readonly persistent: boolean;
  readonly backend: StoreBackend;
  readonly counters: StoreCounters = { puts: 0, gets: 0, deletes: 0 };
  protected readonly keySerde: StoreSerde<K>;
  protected readonly valueSerde: StoreSerde<V>;

  constructor(
    name: string,
    backend: StoreBackend,
    keySerde: StoreSerde<K>,
    valueSerde: StoreSerde<V>,
    persistent: boolean,
  ) {
    this.name = name;
    this.backend = backend;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.persistent = persistent;
  }

  approximateNumEntries(): number {
    return this.backend.approximateNumEntries();
  }

  // A get followed by a put of the same key is the common case (aggregations): serialize it once.
  private memoKey: unknown;
  private memoBytes: Buffer | undefined;

  protected keyBytes(key: K): Buffer {
    if (key === this.memoKey && this.memoBytes !== undefined) return this.memoBytes;
    const b = this.keySerde.serialize(key);
    if (b === null)
      throw new FraudstreamError('FS_STATE_STORE', `store "${this.name}" cannot hold a null key`);
    if (typeof key === 'string' || typeof key === 'number') {
      this.memoKey = key;
      this.memoBytes = b;
    }
    return b;
  }

  protected valueBytes(value: V): Buffer {
    const b = this.valueSerde.serialize(value);
    if (b === null)
      throw new FraudstreamError('FS_STATE_STORE', `store "${this.name}" value serialized to null`);
    return b;
  }
}

export class MeteredKeyValueStore<K, V> extends MeteredStore<K, V> implements KeyValueStore<K, V> {
  readonly kind = 'key-value' as const;
  /** Deserialized values and held-back writes of primitive keys; undefined when disabled. */
  readonly cache: RecordCache<V> | undefined;

  constructor(
    name: string,
    backend: StoreBackend,
    keySerde: StoreSerde<K>,
    valueSerde: StoreSerde<V>,
    persistent: boolean,
    cacheMaxEntries = 0,
  ) {
    super(name, backend, keySerde, valueSerde, persistent);
    this.cache =
      cacheMaxEntries > 0
        ? new RecordCache<V>(cacheMaxEntries, (k, v) => this.writeThrough(k as K, v))
        : undefined;
  }

  get(key: K): V | undefined {
    this.counters.gets++;
    return this.read(key);
  }

  put(key: K, value: V | null | undefined): void {
    if (value === null || value === undefined) {
      this.delete(key);
      return;
    }
    this.counters.puts++;
    if (this.cache !== undefined && isPrimitive(key)) this.cache.written(key, value);
    else this.backend.put(this.keyBytes(key), this.valueBytes(value));
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const old = this.get(key);
    if (old === undefined) this.put(key, value);
    return old;
  }

  delete(key: K): V | undefined {
    this.counters.deletes++;
    if (this.cache !== undefined && isPrimitive(key)) {
      const old = this.read(key);
      if (old !== undefined) this.cache.written(key, undefined);
      return old;
    }
    const kb = this.keyBytes(key);
    const old = this.backend.get(kb);
    if (old === undefined) return undefined;
    this.backend.delete(kb);
    return this.valueSerde.deserialize(old);
  }

  *range(from?: K, to?: K): IterableIterator<KeyValue<K, V>> {
    this.flush();
    const f = from === undefined ? undefined : this.keyBytes(from);
    const t = to === undefined ? undefined : this.keyBytes(to);
    for (const [k, v] of this.backend.range(f, t)) {
      yield { key: this.keySerde.deserialize(k), value: this.valueSerde.deserialize(v) };
    }
  }

  all(): IterableIterator<KeyValue<K, V>> {
    return this.range();
  }

  override approximateNumEntries(): number {
    this.flush();
    return this.backend.approximateNumEntries();
  }

  /** Writes held-back values to the changelogging layer and backend (commit step 2, before the drain). */
  flush(): void {
    this.cache?.flush();
  }

  /** Drops cached values and held-back writes (close: uncommitted writes are discarded). */
  discardCache(): void {
    this.cache?.clear();
  }

  private read(key: K): V | undefined {
    const cache = this.cache;
    if (cache === undefined || !isPrimitive(key)) {
      const b = this.backend.get(this.keyBytes(key));
      return b === undefined ? undefined : this.valueSerde.deserialize(b);
    }
    const e = cache.lookup(key);
    if (e !== undefined) return e.value;
    const b = this.backend.get(this.keyBytes(key));
    const value = b === undefined ? undefined : this.valueSerde.deserialize(b);
    cache.loaded(key, value);
    return value;
  }

  private writeThrough(key: K, value: V | undefined): void {
    const kb = this.keyBytes(key);
    if (value === undefined) this.backend.delete(kb);
    else this.backend.put(kb, this.valueBytes(value));
  }
}

/** Times are stored as unsigned (key-layout.ts writes negative ones as 0). */
function nonNegative(t: number): number {
  return Math.max(0, t);
}

function isPrimitive(key: unknown): key is CacheKey {
  return typeof key === 'string' || typeof key === 'number';
}

export class MeteredWindowStore<K, V> extends MeteredStore<K, V> implements WindowStore<K, V> {
  readonly kind = 'window' as const;
  readonly windowSizeMs: number;
  private readonly retainDuplicates: boolean;
  // Random start: after a restart new duplicates must not overwrite restored ones.
  private seq = Math.floor(Math.random() * 2 ** 31);

  /** The grouped in-memory backend under this store (fast path with string prefixes and tails), and
   * the changelogging layer above it (undefined when the store has none, as in unit tests). */
  private readonly grouped: GroupedMemoryBackend | undefined;
  private readonly changelog: ChangeloggingBackend | undefined;

  constructor(
    name: string,
    backend: StoreBackend,
    keySerde: StoreSerde<K>,
    valueSerde: StoreSerde<V>,
    persistent: boolean,
    windowSizeMs: number,
    retainDuplicates: boolean,
  ) {
    super(name, backend, keySerde, valueSerde, persistent);
    this.windowSizeMs = windowSizeMs;
    this.retainDuplicates = retainDuplicates;
    if (backend instanceof ChangeloggingBackend && backend.inner instanceof GroupedMemoryBackend) {
      this.grouped = backend.inner;
      this.changelog = backend;
    } else if (backend instanceof GroupedMemoryBackend) {
      this.grouped = backend;
    }
  }

  private memoKb: Buffer | undefined;
  private memoStart = -1;
  private memoCk: Buffer | undefined;
  private memoPrefixKb: Buffer | undefined;
  private memoPrefix = '';

  /** Composite key of (key, start), reused when a fetch is followed by a put of the same window. */
  private windowKey(kb: Buffer, start: number): Buffer {
    if (kb === this.memoKb && start === this.memoStart && this.memoCk !== undefined) return this.memoCk;
    this.memoKb = kb;
    this.memoStart = start;
    this.memoCk = compositeKey(kb, start);
    return this.memoCk;
  }

  /** The grouped backend's group of a key, reused across the windows of one record. */
  private prefixOf(kb: Buffer): string {
    if (kb !== this.memoPrefixKb) {
      this.memoPrefixKb = kb;
      this.memoPrefix = prefixString(kb);
    }
    return this.memoPrefix;
  }

  put(key: K, value: V | null | undefined, windowStart: number): void {
    const kb = this.keyBytes(key);
    const grouped = this.grouped;
    if (value === null || value === undefined) {
      if (this.retainDuplicates) return; // duplicates are only removed by retention
      this.counters.deletes++;
      if (grouped === undefined) {
        this.backend.delete(this.windowKey(kb, windowStart));
        return;
      }
      grouped.deleteIn(this.prefixOf(kb), nonNegative(windowStart));
      this.changelog?.recordWindow(kb, windowStart, undefined, null);
      return;
    }
    this.counters.puts++;
    const vb = this.valueBytes(value);
    if (grouped === undefined) {
      const ck = this.retainDuplicates
        ? compositeKey(kb, windowStart, this.seq++)
        : this.windowKey(kb, windowStart);
      this.backend.put(ck, vb);
      return;
    }
    if (this.retainDuplicates) {
      const seq = this.seq++ >>> 0;
      grouped.putIn(this.prefixOf(kb), nonNegative(windowStart), seq, vb);
      this.changelog?.recordWindow(kb, windowStart, seq, vb);
      return;
    }
    grouped.putIn(this.prefixOf(kb), nonNegative(windowStart), NO_SEQ, vb);
    this.changelog?.recordWindow(kb, windowStart, undefined, vb);
  }

  fetch(key: K, windowStart: number): V | undefined {
    this.counters.gets++;
    if (this.retainDuplicates) {
      for (const e of this.fetchRange(key, windowStart, windowStart)) return e.value;
      return undefined;
    }
    const kb = this.keyBytes(key);
    const b =
      this.grouped === undefined
        ? this.backend.get(this.windowKey(kb, windowStart))
        : this.grouped.getIn(this.prefixOf(kb), nonNegative(windowStart));
    return b === undefined ? undefined : this.valueSerde.deserialize(b);
  }

  *fetchRange(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowedKeyValue<K, V>> {
    this.counters.gets++;
    if (timeTo < timeFrom) return;
    const kb = this.keyBytes(key);
    if (this.grouped !== undefined) {
      const found = this.grouped.rangeIn(this.prefixOf(kb), nonNegative(timeFrom), timeTo + 1);
      for (const { start, value } of found) {
        yield {
          key: { key, window: { start, end: start + this.windowSizeMs } },
          value: this.valueSerde.deserialize(value),
        };
      }
      return;
    }
    const from = compositeKey(kb, Math.max(0, timeFrom));
    const to = compositeKey(kb, timeTo + 1);
    for (const [k, v] of this.backend.range(from, to)) {
      const start = decodeComposite(k, false).t1;
      yield {
        key: { key, window: { start, end: start + this.windowSizeMs } },
        value: this.valueSerde.deserialize(v),
      };
    }
  }

  *fetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedKeyValue<K, V>> {
    for (const e of this.all()) {
      if (e.key.window.start >= timeFrom && e.key.window.start <= timeTo) yield e;
    }
  }

  *all(): IterableIterator<WindowedKeyValue<K, V>> {
    for (const [k, v] of this.backend.range()) {
      const d = decodeComposite(k, false);
      yield {
        key: {
          key: this.keySerde.deserialize(d.key),
          window: { start: d.t1, end: d.t1 + this.windowSizeMs },
        },
        value: this.valueSerde.deserialize(v),
      };
    }
  }

  purgeBefore(before: number): number {
    const doomed: Buffer[] = [];
    for (const [k] of this.backend.range()) if (decodeComposite(k, false).t1 < before) doomed.push(k);
    for (const k of doomed) this.backend.delete(k);
    return doomed.length;
  }
}

export class MeteredSessionStore<K, V> extends MeteredStore<K, V> implements SessionStore<K, V> {
  readonly kind = 'session' as const;

  put(session: Windowed<K>, value: V): void {
    this.counters.puts++;
    const ck = compositeKey(this.keyBytes(session.key), session.window.end, session.window.start, true);
    this.backend.put(ck, this.valueBytes(value));
  }

  remove(session: Windowed<K>): void {
    this.counters.deletes++;
    this.backend.delete(
      compositeKey(this.keyBytes(session.key), session.window.end, session.window.start, true),
    );
  }

  *findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): IterableIterator<WindowedKeyValue<K, V>> {
    this.counters.gets++;
    const kb = this.keyBytes(key);
    const from = compositeKey(kb, Math.max(0, earliestSessionEnd), 0, true);
    for (const [k, v] of this.backend.range(from, prefixEnd(keyPrefix(kb)))) {
      const d = decodeComposite(k, true);
      if (d.t2 > latestSessionStart) continue;
      yield { key: { key, window: { start: d.t2, end: d.t1 } }, value: this.valueSerde.deserialize(v) };
    }
  }

  fetch(key: K): IterableIterator<WindowedKeyValue<K, V>> {
    return this.findSessions(key, 0, Number.MAX_SAFE_INTEGER);
  }

  *all(): IterableIterator<WindowedKeyValue<K, V>> {
    for (const [k, v] of this.backend.range()) {
      const d = decodeComposite(k, true);
      yield {
        key: { key: this.keySerde.deserialize(d.key), window: { start: d.t2, end: d.t1 } },
        value: this.valueSerde.deserialize(v),
      };
    }
  }

  purgeBefore(before: number): number {
    const doomed: Buffer[] = [];
    for (const [k] of this.backend.range()) if (decodeComposite(k, true).t1 < before) doomed.push(k);
    for (const k of doomed) this.backend.delete(k);
    return doomed.length;
  }
}

export type AnyMeteredStore =
  | MeteredKeyValueStore<unknown, unknown>
  | MeteredWindowStore<unknown, unknown>
  | MeteredSessionStore<unknown, unknown>;
