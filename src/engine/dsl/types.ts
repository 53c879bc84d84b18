/**
 * Public DSL signatures. `StreamBuilder` (./stream-builder.ts) creates streams and tables; every
 * operator returns a new typed handle, and `builder.build()` compiles the graph into a `Topology`
 * of processors, sinks, sources and stores (Kafka Streams' DSL → Processor API).
 *
 * @example
 *   const builder = new StreamBuilder();
 *   builder
 *     .stream('payments', { key: Serdes.string(), value: Serdes.json<Payment>() })
 *     .filter((card, p) => p.amount > 0)
 *     .groupBy((card, p) => p.merchant, { key: Serdes.string() })   // re-key → internal repartition topic
 *     .windowedBy(TimeWindows.ofSize(minutes(5)))
 *     .count({ as: 'merchant-5m-counts', emit: 'final' })
 *     .toStream()
 *     .to('merchant-counts', { key: Serdes.windowed(Serdes.string()), value: Serdes.number() });
 *   const topology = builder.build();
 */
import type { ProcessorSupplier } from '../processor/types.ts';
import type { Serde } from '../serde/index.ts';
import type { StoreBackendFactory, Windowed } from '../state/types.ts';
import type { TimestampExtractor } from '../time/timestamps.ts';
import type { EmitMode, JoinWindows, SessionWindows, SlidingWindows, TimeWindows } from '../time/windows.ts';

export interface ConsumedOptions<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  /** Default: the record's log timestamp. */
  timestampExtractor?: TimestampExtractor<K, V>;
  /** Node name (stable names keep internal topic/store names stable across versions). */
  name?: string;
}

export interface ProducedOptions<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  /** Default: murmur2 of the serialized key, as Kafka. */
  partitioner?: (key: K, value: V, partitions: number) => number;
  name?: string;
}

export interface RepartitionOptions<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  /** Internal topic is `<applicationId>-<name>-repartition`. */
  name?: string;
  /** Default: the partition count of the upstream source topics. */
  partitions?: number;
}

export interface GroupedOptions<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
  /** Name of the repartition topic when grouping re-keys. */
  name?: string;
}

/** Where and how an aggregate (or table) is kept. */
export interface MaterializedOptions<K, V> {
  /** Store name, queryable via `app.store(name)` / `driver.store(name)`. */
  as?: string;
  key?: Serde<K>;
  value?: Serde<V>;
  /** Default: the application's `stateBackend`. */
  backend?: StoreBackendFactory;
  /** Default true. */
  changelog?: boolean;
  /** Windowed stores: how long windows are kept (default: window size + grace, at least 1 day for queries). */
  retentionMs?: number;
  /** Key-value stores: keys the record cache keeps per task (see docs/state-and-exactly-once.md).
   * Default 10 000 for aggregations; 0 (off) for tables read from a topic, whose values are only
   * replaced, never read back and rewritten. */
  cacheMaxEntries?: number;
}

export interface WindowedAggregateOptions<K, VA> extends MaterializedOptions<K, VA> {
  /** Default 'update'. */
  emit?: EmitMode;
  /** Topic for records that arrive after their window closed. Default `<applicationId>-late-records`. */
  lateRecordsTopic?: string;
}

export interface JoinOptions<K, V, VO> {
  key?: Serde<K>;
  value?: Serde<V>;
  otherValue?: Serde<VO>;
  name?: string;
  /** Stream–stream joins: topic for records arriving after their join window closed. */
  lateRecordsTopic?: string;
}

export interface ProcessOptions {
  /** Stores (declared with `builder.addStore`) this processor uses. */
  stores?: string[];
  name?: string;
}

export type Predicate<K, V> = (key: K, value: V) => boolean;
export type KeyValueMapper<K, V, R> = (key: K, value: V) => R;
export type ValueMapper<K, V, VR> = (value: V, key: K) => VR;
export type ValueJoiner<V1, V2, VR> = (left: V1, right: V2) => VR;
export type Initializer<VA> = () => VA;
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
export type Reducer<V> = (aggregate: V, value: V) => V;
export type Merger<K, VA> = (key: K, left: VA, right: VA) => VA;

export interface Stream<K, V> {
  filter(predicate: Predicate<K, V>, name?: string): Stream<K, V>;
  filterNot(predicate: Predicate<K, V>, name?: string): Stream<K, V>;
  /** Changes the key: a later grouping or join repartitions. */
  map<KR, VR>(mapper: KeyValueMapper<K, V, [KR, VR]>, name?: string): Stream<KR, VR>;
  mapValues<VR>(mapper: ValueMapper<K, V, VR>, name?: string): Stream<K, VR>;
  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<[KR, VR]>>, name?: string): Stream<KR, VR>;
  flatMapValues<VR>(mapper: ValueMapper<K, V, Iterable<VR>>, name?: string): Stream<K, VR>;
  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, name?: string): Stream<KR, V>;
  peek(action: (key: K, value: V) => void, name?: string): Stream<K, V>;
  /** Routes each record to the first branch whose predicate matches (records matching none are dropped,
   * or go to the last branch if you pass `() => true`). */
  split(predicates: Predicate<K, V>[], name?: string): Stream<K, V>[];
  /** Alias of `split` (Kafka Streams' old name). */
  branch(...predicates: Predicate<K, V>[]): Stream<K, V>[];
  merge(other: Stream<K, V>, name?: string): Stream<K, V>;
  /** Writes to an internal topic and reads it back, partitioned by the current key. */
  repartition(options?: RepartitionOptions<K, V>): Stream<K, V>;
  to(topic: string, options?: ProducedOptions<K, V>): void;
  toTable(options?: MaterializedOptions<K, V>): Table<K, V>;
  groupByKey(options?: GroupedOptions<K, V>): GroupedStream<K, V>;
  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, options?: GroupedOptions<KR, V>): GroupedStream<KR, V>;
  /** Stream–table join: each stream record looks up the table's current value for its key. */
  join<VT, VR>(
    table: Table<K, VT>,
    joiner: ValueJoiner<V, VT, VR>,
    options?: JoinOptions<K, V, VT>,
  ): Stream<K, VR>;
  leftJoin<VT, VR>(
    table: Table<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR>,
    options?: JoinOptions<K, V, VT>,
  ): Stream<K, VR>;
  /** Stream–stream windowed joins. */
  joinStream<VO, VR>(
    other: Stream<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    windows: JoinWindows,
    options?: JoinOptions<K, V, VO>,
  ): Stream<K, VR>;
  leftJoinStream<VO, VR>(
    other: Stream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    windows: JoinWindows,
    options?: JoinOptions<K, V, VO>,
  ): Stream<K, VR>;
  outerJoinStream<VO, VR>(
    other: Stream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    windows: JoinWindows,
    options?: JoinOptions<K, V, VO>,
  ): Stream<K, VR>;
  /** Mixes a Processor API node into the DSL. */
  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, options?: ProcessOptions): Stream<KR, VR>;
}

/** A changelog view: the latest value per key. A `null` value is a delete (tombstone). */
export interface Table<K, V> {
  readonly storeName: string | undefined;
  filter(predicate: Predicate<K, V>, options?: MaterializedOptions<K, V>): Table<K, V>;
  mapValues<VR>(mapper: ValueMapper<K, V, VR>, options?: MaterializedOptions<K, VR>): Table<K, VR>;
  /** Each update as a stream record (deletes as `null` values). */
  toStream(): Stream<K, V | null>;
  groupBy<KR, VR>(
    selector: KeyValueMapper<K, V, [KR, VR]>,
    options?: GroupedOptions<KR, VR>,
  ): GroupedTable<KR, VR>;
  join<VO, VR>(
    other: Table<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    options?: MaterializedOptions<K, VR>,
  ): Table<K, VR>;
  leftJoin<VO, VR>(
    other: Table<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    options?: MaterializedOptions<K, VR>,
  ): Table<K, VR>;
  outerJoin<VO, VR>(
    other: Table<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    options?: MaterializedOptions<K, VR>,
  ): Table<K, VR>;
}

export interface GroupedStream<K, V> {
  count(options?: MaterializedOptions<K, number>): Table<K, number>;
  reduce(reducer: Reducer<V>, options?: MaterializedOptions<K, V>): Table<K, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    options?: MaterializedOptions<K, VA>,
  ): Table<K, VA>;
  windowedBy(windows: TimeWindows | SlidingWindows): WindowedStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedStream<K, V>;
}

export interface WindowedStream<K, V> {
  count(options?: WindowedAggregateOptions<K, number>): Table<Windowed<K>, number>;
  reduce(reducer: Reducer<V>, options?: WindowedAggregateOptions<K, V>): Table<Windowed<K>, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    options?: WindowedAggregateOptions<K, VA>,
  ): Table<Windowed<K>, VA>;
}

export interface SessionWindowedStream<K, V> {
  count(options?: WindowedAggregateOptions<K, number>): Table<Windowed<K>, number>;
  reduce(reducer: Reducer<V>, options?: WindowedAggregateOptions<K, V>): Table<Windowed<K>, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    options?: WindowedAggregateOptions<K, VA>,
  ): Table<Windowed<K>, VA>;
}

export interface GroupedTable<K, V> {
  count(options?: MaterializedOptions<K, number>): Table<K, number>;
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, options?: MaterializedOptions<K, V>): Table<K, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    options?: MaterializedOptions<K, VA>,
  ): Table<K, VA>;
}
