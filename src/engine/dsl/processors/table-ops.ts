/**
 * Key-value aggregations and table operators. Tables forward `Change` records (new and old value) so
 * that downstream aggregations can subtract what a key used to contribute.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../../processor/types.ts';
import type { KeyValueStore } from '../../state/types.ts';
import type { Aggregator, Initializer, KeyValueMapper, Predicate, ValueMapper } from '../types.ts';
import type { Change } from './common.ts';

/** Header marking the "subtract the old value" half of a table re-grouping. */
export const SUBTRACT_HEADER = 'fs-subtract';

/** Stream aggregation into a key-value store (count, reduce, aggregate). Null keys and values are skipped. */
export function streamAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
): () => Processor<K, V, K, Change<VA>> {
  return () => {
    let ctx: ProcessorContext<K, Change<VA>>;
    let store: KeyValueStore<K, VA>;
    return {
      init(c) {
        ctx = c;
        store = c.getStore(storeName);
      },
      process(r) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
        const old = store.get(r.key);
        const agg = aggregator(r.key, r.value, old === undefined ? initializer() : old);
        store.put(r.key, agg);
        ctx.forward({
          key: r.key,
          value: { newValue: agg, oldValue: old ?? null },
          timestamp: r.timestamp,
          headers: r.headers,
        });
      },
    };
  };
}

/** `builder.table(topic)` / `toTable()`: keeps the latest value per key; null deletes. */
export function tableMaterialize<K, V>(storeName: string): () => Processor<K, V | null, K, Change<V>> {
  return () => {
    let ctx: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<K, V>;
    return {
      init(c) {
        ctx = c;
        store = c.getStore(storeName);
      },
      process(r) {
        if (r.key === null || r.key === undefined) return;
        const old = store.get(r.key) ?? null;
        const value = r.value === undefined ? null : r.value;
        if (value === null) {
          if (old === null) return;
          store.delete(r.key);
        } else store.put(r.key, value);
        ctx.forward({
          key: r.key,
          value: { newValue: value, oldValue: old },
          timestamp: r.timestamp,
          headers: r.headers,
        });
      },
    };
  };
}

/** Stores a derived table's changes (filter/mapValues/join with `as`), forwarding them unchanged. */
export function tableStore<K, V>(storeName: string): () => Processor<K, Change<V>, K, Change<V>> {
  return () => {
    let ctx: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<K, V>;
    return {
      init(c) {
        ctx = c;
        store = c.getStore(storeName);
      },
      process(r) {
        store.put(r.key, r.value.newValue);
        ctx.forward(r);
      },
    };
  };
}

export function tableFilter<K, V>(predicate: Predicate<K, V>): () => Processor<K, Change<V>, K, Change<V>> {
  return () => {
    let ctx: ProcessorContext<K, Change<V>>;
    const keep = (k: K, v: V | null) => (v !== null && predicate(k, v) ? v : null);
    return {
      init(c) {
        ctx = c;
      },
      process(r) {
        const newValue = keep(r.key, r.value.newValue);
        const oldValue = keep(r.key, r.value.oldValue);
        if (newValue === null && oldValue === null) return;
        ctx.forward({ ...r, value: { newValue, oldValue } });
      },
    };
  };
}

export function tableMapValues<K, V, VR>(
  mapper: ValueMapper<K, V, VR>,
): () => Processor<K, Change<V>, K, Change<VR>> {
  return () => {
    let ctx: ProcessorContext<K, Change<VR>>;
    const map = (k: K, v: V | null) => (v === null ? null : mapper(v, k));
    return {
      init(c) {
        ctx = c;
      },
      process(r) {
        ctx.forward({
          ...r,
          value: { newValue: map(r.key, r.value.newValue), oldValue: map(r.key, r.value.oldValue) },
        });
      },
    };
  };
}

export function tableToStream<K, V>(): () => Processor<K, Change<V>, K, V | null> {
  return () => {
    let ctx: ProcessorContext<K, V | null>;
    return {
      init(c) {
        ctx = c;
      },
      process(r) {
        ctx.forward({ key: r.key, value: r.value.newValue, timestamp: r.timestamp, headers: r.headers });
      },
    };
  };
}

/** Table re-grouping: the old value is sent to be subtracted (marked by a header), the new one to be added. */
export function tableRegroup<K, V, KR, VR>(
  selector: KeyValueMapper<K, V, [KR, VR]>,
): () => Processor<K, Change<V>, KR, VR> {
  return () => {
    let ctx: ProcessorContext<KR, VR>;
    return {
      init(c) {
        ctx = c;
      },
      process(r: StreamRecord<K, Change<V>>) {
        if (r.value.oldValue !== null) {
          const [k, v] = selector(r.key, r.value.oldValue);
          ctx.forward({
            key: k,
            value: v,
            timestamp: r.timestamp,
            headers: { ...r.headers, [SUBTRACT_HEADER]: '1' },
          });
        }
        if (r.value.newValue !== null) {
          const [k, v] = selector(r.key, r.value.newValue);
          const { [SUBTRACT_HEADER]: _, ...headers } = r.headers;
          ctx.forward({ key: k, value: v, timestamp: r.timestamp, headers });
        }
      },
    };
  };
}

/** Aggregation of a re-grouped table: adder for new values, subtractor for old ones. */
export function tableAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  adder: Aggregator<K, V, VA>,
  subtractor: Aggregator<K, V, VA>,
): () => Processor<K, V, K, Change<VA>> {
  return () => {
    let ctx: ProcessorContext<K, Change<VA>>;
    let store: KeyValueStore<K, VA>;
    return {
      init(c) {
        ctx = c;
        store = c.getStore(storeName);
      },
      process(r) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
        const old = store.get(r.key);
        const base = old === undefined ? initializer() : old;
        const subtract = r.headers[SUBTRACT_HEADER] === '1';
        const agg = subtract ? subtractor(r.key, r.value, base) : adder(r.key, r.value, base);
        store.put(r.key, agg);
        const { [SUBTRACT_HEADER]: _, ...headers } = r.headers;
        ctx.forward({
          key: r.key,
          value: { newValue: agg, oldValue: old ?? null },
          timestamp: r.timestamp,
          headers,
        });
      },
    };
  };
}
