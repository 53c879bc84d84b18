/**
 * Key-value aggregations and table operators. Tables forward `Change` records (new and old value) so
 * that downstream aggregations can subtract what a key used to contribute.
 *
 * Each operator is a small class over `TableProcessor` (context and optional store wiring), so that its
 * per-record `process` stays a direct, monomorphic method call.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../../processor/types.ts';
import type { KeyValueStore } from '../../state/types.ts';
import type { Aggregator, Initializer, KeyValueMapper, Predicate, ValueMapper } from '../types.ts';
import type { Change } from './common.ts';

/** Header marking the "subtract the old value" half of a table re-grouping. */
export const SUBTRACT_HEADER = 'fs-subtract';

type Headers = Record<string, string>;

/** What every table operator shares: the context and, when it has one, its key-value store `S`. */
abstract class TableProcessor<K, V, KR, VR, S = never> implements Processor<K, V, KR, VR> {
  protected ctx!: ProcessorContext<KR, VR>;
  protected store!: KeyValueStore<K, S>;
  private readonly storeName: string | undefined;

  constructor(storeName?: string) {
    this.storeName = storeName;
  }

  init(c: ProcessorContext<KR, VR>): void {
    this.ctx = c;
    if (this.storeName !== undefined) this.store = c.getStore(this.storeName);
  }

  abstract process(r: StreamRecord<K, V>): void;
}

/** Forwards a key's change at the record's time. */
function forwardChange<K, V>(
  ctx: ProcessorContext<K, Change<V>>,
  r: StreamRecord<K, unknown>,
  newValue: V | null,
  oldValue: V | null,
  headers: Headers,
): void {
  ctx.forward({ key: r.key, value: { newValue, oldValue }, timestamp: r.timestamp, headers });
}

function withoutSubtract(headers: Headers): Headers {
  const { [SUBTRACT_HEADER]: _, ...rest } = headers;
  return rest;
}

/**
 * Aggregation of a key's values into a key-value store; null keys and values are skipped. With a
 * subtractor (a re-grouped table), records marked by `SUBTRACT_HEADER` are subtracted and the header is
 * dropped from what is forwarded.
 */
class KeyAggregate<K, V, VA> extends TableProcessor<K, V, K, Change<VA>, VA> {
  private readonly initializer: Initializer<VA>;
  private readonly adder: Aggregator<K, V, VA>;
  private readonly subtractor: Aggregator<K, V, VA> | undefined;

  constructor(
    storeName: string,
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA> | undefined,
  ) {
    super(storeName);
    this.initializer = initializer;
    this.adder = adder;
    this.subtractor = subtractor;
  }

  process(r: StreamRecord<K, V>): void {
    if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
    const old = this.store.get(r.key);
    const base = old === undefined ? this.initializer() : old;
    let agg: VA;
    let headers = r.headers;
    if (this.subtractor === undefined) agg = this.adder(r.key, r.value, base);
    else {
      const subtract = r.headers[SUBTRACT_HEADER] === '1';
      agg = subtract ? this.subtractor(r.key, r.value, base) : this.adder(r.key, r.value, base);
      headers = withoutSubtract(r.headers);
    }
    this.store.put(r.key, agg);
    forwardChange(this.ctx, r, agg, old ?? null, headers);
  }
}

/** Stream aggregation into a key-value store (count, reduce, aggregate). Null keys and values are skipped. */
export function streamAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
): () => Processor<K, V, K, Change<VA>> {
  return () => new KeyAggregate(storeName, initializer, aggregator, undefined);
}

/** Aggregation of a re-grouped table: adder for new values, subtractor for old ones. */
export function tableAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  adder: Aggregator<K, V, VA>,
  subtractor: Aggregator<K, V, VA>,
): () => Processor<K, V, K, Change<VA>> {
  return () => new KeyAggregate(storeName, initializer, adder, subtractor);
}

class TableMaterialize<K, V> extends TableProcessor<K, V | null, K, Change<V>, V> {
  process(r: StreamRecord<K, V | null>): void {
    if (r.key === null || r.key === undefined) return;
    const old = this.store.get(r.key) ?? null;
    const value = r.value === undefined ? null : r.value;
    if (value === null) {
      if (old === null) return;
      this.store.delete(r.key);
    } else this.store.put(r.key, value);
    forwardChange(this.ctx, r, value, old, r.headers);
  }
}

/** `builder.table(topic)` / `toTable()`: keeps the latest value per key; null deletes. */
export function tableMaterialize<K, V>(storeName: string): () => Processor<K, V | null, K, Change<V>> {
  return () => new TableMaterialize(storeName);
}

class TableStore<K, V> extends TableProcessor<K, Change<V>, K, Change<V>, V> {
  process(r: StreamRecord<K, Change<V>>): void {
    this.store.put(r.key, r.value.newValue);
    this.ctx.forward(r);
  }
}

/** Stores a derived table's changes (filter/mapValues/join with `as`), forwarding them unchanged. */
export function tableStore<K, V>(storeName: string): () => Processor<K, Change<V>, K, Change<V>> {
  return () => new TableStore(storeName);
}

class TableFilter<K, V> extends TableProcessor<K, Change<V>, K, Change<V>> {
  private readonly predicate: Predicate<K, V>;

  constructor(predicate: Predicate<K, V>) {
    super();
    this.predicate = predicate;
  }

  private keep(k: K, v: V | null): V | null {
    return v !== null && this.predicate(k, v) ? v : null;
  }

  process(r: StreamRecord<K, Change<V>>): void {
    const newValue = this.keep(r.key, r.value.newValue);
    const oldValue = this.keep(r.key, r.value.oldValue);
    if (newValue === null && oldValue === null) return;
    this.ctx.forward({ ...r, value: { newValue, oldValue } });
  }
}

export function tableFilter<K, V>(predicate: Predicate<K, V>): () => Processor<K, Change<V>, K, Change<V>> {
  return () => new TableFilter(predicate);
}

class TableMapValues<K, V, VR> extends TableProcessor<K, Change<V>, K, Change<VR>> {
  private readonly mapper: ValueMapper<K, V, VR>;

  constructor(mapper: ValueMapper<K, V, VR>) {
    super();
    this.mapper = mapper;
  }

  private map(k: K, v: V | null): VR | null {
    return v === null ? null : this.mapper(v, k);
  }

  process(r: StreamRecord<K, Change<V>>): void {
    const value = {
      newValue: this.map(r.key, r.value.newValue),
      oldValue: this.map(r.key, r.value.oldValue),
    };
    this.ctx.forward({ ...r, value });
  }
}

export function tableMapValues<K, V, VR>(
  mapper: ValueMapper<K, V, VR>,
): () => Processor<K, Change<V>, K, Change<VR>> {
  return () => new TableMapValues(mapper);
}

class TableToStream<K, V> extends TableProcessor<K, Change<V>, K, V | null> {
  process(r: StreamRecord<K, Change<V>>): void {
    this.ctx.forward({ key: r.key, value: r.value.newValue, timestamp: r.timestamp, headers: r.headers });
  }
}

export function tableToStream<K, V>(): () => Processor<K, Change<V>, K, V | null> {
  return () => new TableToStream();
}

/** Table re-grouping: the old value is sent to be subtracted (marked by a header), the new one to be added. */
class TableRegroup<K, V, KR, VR> extends TableProcessor<K, Change<V>, KR, VR> {
  private readonly selector: KeyValueMapper<K, V, [KR, VR]>;

  constructor(selector: KeyValueMapper<K, V, [KR, VR]>) {
    super();
    this.selector = selector;
  }

  process(r: StreamRecord<K, Change<V>>): void {
    if (r.value.oldValue !== null) {
      const [k, v] = this.selector(r.key, r.value.oldValue);
      const headers = { ...r.headers, [SUBTRACT_HEADER]: '1' };
      this.ctx.forward({ key: k, value: v, timestamp: r.timestamp, headers });
    }
    if (r.value.newValue !== null) {
      const [k, v] = this.selector(r.key, r.value.newValue);
      this.ctx.forward({ key: k, value: v, timestamp: r.timestamp, headers: withoutSubtract(r.headers) });
    }
  }
}

export function tableRegroup<K, V, KR, VR>(
  selector: KeyValueMapper<K, V, [KR, VR]>,
): () => Processor<K, Change<V>, KR, VR> {
  return () => new TableRegroup(selector);
}
