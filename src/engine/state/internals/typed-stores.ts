/**
 * The metered layer of a store stack: typed keys and values through serdes (as Kafka Streams'
 * Metered*Store), operation counters for metrics, over the byte-level changelogging layer and backend.
 */
import type {
  KeyValue,
  KeyValueStore,
  SessionStore,
  StoreBackend,
  StoreSerde,
  Windowed,
  WindowedKeyValue,
} from '../types.ts';
import { compositeKey, decodeComposite, keyPrefix, prefixEnd } from './key-layout.ts';
import { MeteredStore } from './metered-store.ts';
import { type CacheKey, RecordCache } from './record-cache.ts';
import { MeteredWindowStore } from './typed-window-store.ts';

export type { StoreCounters } from './metered-store.ts';
export { MeteredWindowStore };

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

function isPrimitive(key: unknown): key is CacheKey {
  return typeof key === 'string' || typeof key === 'number';
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
    return this.purgeComposite(before, true);
  }
}

export type AnyMeteredStore =
  | MeteredKeyValueStore<unknown, unknown>
  | MeteredWindowStore<unknown, unknown>
  | MeteredSessionStore<unknown, unknown>;
