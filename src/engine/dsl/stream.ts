/** `Stream<K, V>` (Kafka Streams' KStream): each DSL call adds a processor node and returns a new handle. */
import { FraudstreamError } from '../../errors.ts';
import type { ProcessorSupplier, StreamRecord } from '../processor/types.ts';
import type { Serde } from '../serde/index.ts';
import type { JoinWindows } from '../time/windows.ts';
import type { DslContext } from './context.ts';
import { GroupedStreamImpl } from './grouped.ts';
import { fnProcessor } from './processors/common.ts';
import { StreamStreamJoinProcessor, streamTableJoin } from './processors/joins.ts';
import { tableMaterialize } from './processors/table-ops.ts';
import { TableImpl } from './table.ts';
import type {
  GroupedOptions,
  GroupedStream,
  JoinOptions,
  KeyValueMapper,
  MaterializedOptions,
  Predicate,
  ProcessOptions,
  ProducedOptions,
  RepartitionOptions,
  Stream,
  Table,
  ValueJoiner,
  ValueMapper,
} from './types.ts';

export class StreamImpl<K, V> implements Stream<K, V> {
  readonly dsl: DslContext;
  readonly node: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** The key changed since the last source: grouping or joining must repartition first. */
  readonly repartitionRequired: boolean;

  constructor(
    dsl: DslContext,
    node: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    repartitionRequired: boolean,
  ) {
    this.dsl = dsl;
    this.node = node;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.repartitionRequired = repartitionRequired;
  }

  private child<KR, VR>(
    prefix: string,
    supplier: ProcessorSupplier<K, V, KR, VR>,
    name: string | undefined,
    keySerde: Serde<KR> | undefined,
    valueSerde: Serde<VR> | undefined,
    keyChanged: boolean,
  ): StreamImpl<KR, VR> {
    const nodeName = this.dsl.topo.newName(prefix, name);
    this.dsl.topo.addProcessor(nodeName, supplier, [this.node]);
    return new StreamImpl(this.dsl, nodeName, keySerde, valueSerde, keyChanged || this.repartitionRequired);
  }

  filter(predicate: Predicate<K, V>, name?: string): Stream<K, V> {
    const p = fnProcessor<K, V, K, V>((ctx, r) => {
      if (predicate(r.key, r.value)) ctx.forward(r);
    });
    return this.child('KSTREAM-FILTER', p, name, this.keySerde, this.valueSerde, false);
  }

  filterNot(predicate: Predicate<K, V>, name?: string): Stream<K, V> {
    return this.filter((k, v) => !predicate(k, v), name);
  }

  map<KR, VR>(mapper: KeyValueMapper<K, V, [KR, VR]>, name?: string): Stream<KR, VR> {
    const p = fnProcessor<K, V, KR, VR>((ctx, r) => {
      const [key, value] = mapper(r.key, r.value);
      ctx.forward({ key, value, timestamp: r.timestamp, headers: r.headers });
    });
    return this.child('KSTREAM-MAP', p, name, undefined, undefined, true);
  }

  mapValues<VR>(mapper: ValueMapper<K, V, VR>, name?: string): Stream<K, VR> {
    const p = fnProcessor<K, V, K, VR>((ctx, r) => {
      ctx.forward({ key: r.key, value: mapper(r.value, r.key), timestamp: r.timestamp, headers: r.headers });
    });
    return this.child('KSTREAM-MAPVALUES', p, name, this.keySerde, undefined, false);
  }

  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<[KR, VR]>>, name?: string): Stream<KR, VR> {
    const p = fnProcessor<K, V, KR, VR>((ctx, r) => {
      for (const [key, value] of mapper(r.key, r.value))
        ctx.forward({ key, value, timestamp: r.timestamp, headers: r.headers });
    });
    return this.child('KSTREAM-FLATMAP', p, name, undefined, undefined, true);
  }

  flatMapValues<VR>(mapper: ValueMapper<K, V, Iterable<VR>>, name?: string): Stream<K, VR> {
    const p = fnProcessor<K, V, K, VR>((ctx, r) => {
      for (const value of mapper(r.value, r.key))
        ctx.forward({ key: r.key, value, timestamp: r.timestamp, headers: r.headers });
    });
    return this.child('KSTREAM-FLATMAPVALUES', p, name, this.keySerde, undefined, false);
  }

  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, name?: string): Stream<KR, V> {
    const p = fnProcessor<K, V, KR, V>((ctx, r) => {
      ctx.forward({
        key: mapper(r.key, r.value),
        value: r.value,
        timestamp: r.timestamp,
        headers: r.headers,
      });
    });
    return this.child('KSTREAM-KEY-SELECT', p, name, undefined, this.valueSerde, true);
  }

  peek(action: (key: K, value: V) => void, name?: string): Stream<K, V> {
    const p = fnProcessor<K, V, K, V>((ctx, r) => {
      action(r.key, r.value);
      ctx.forward(r);
    });
    return this.child('KSTREAM-PEEK', p, name, this.keySerde, this.valueSerde, false);
  }

  split(predicates: Predicate<K, V>[], name?: string): Stream<K, V>[] {
    if (predicates.length === 0)
      throw new FraudstreamError('FS_TOPOLOGY_INVALID', 'split needs at least one predicate');
    const splitName = this.dsl.topo.newName('KSTREAM-BRANCH', name);
    const branchNames = predicates.map((_, i) => `${splitName}-${i}`);
    const p = fnProcessor<K, V, K, V>((ctx, r) => {
      for (let i = 0; i < predicates.length; i++) {
        if (predicates[i](r.key, r.value)) {
          ctx.forward(r, branchNames[i]);
          return;
        }
      }
    });
    this.dsl.topo.addProcessor(splitName, p, [this.node]);
    const parent = new StreamImpl<K, V>(
      this.dsl,
      splitName,
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired,
    );
    return branchNames.map((b) => {
      parent.dsl.topo.addProcessor(b, passThrough(), [splitName]);
      return new StreamImpl<K, V>(this.dsl, b, this.keySerde, this.valueSerde, this.repartitionRequired);
    });
  }

  branch(...predicates: Predicate<K, V>[]): Stream<K, V>[] {
    return this.split(predicates);
  }

  merge(other: Stream<K, V>, name?: string): Stream<K, V> {
    const o = other as StreamImpl<K, V>;
    const nodeName = this.dsl.topo.newName('KSTREAM-MERGE', name);
    this.dsl.topo.addProcessor(nodeName, passThrough(), [this.node, o.node]);
    return new StreamImpl(
      this.dsl,
      nodeName,
      this.keySerde ?? o.keySerde,
      this.valueSerde ?? o.valueSerde,
      this.repartitionRequired || o.repartitionRequired,
    );
  }

  repartition(options: RepartitionOptions<K, V> = {}): Stream<K, V> {
    return this.throughInternalTopic(options.name, options.key, options.value, options.partitions);
  }

  /** Sink to `<app>-<name>-repartition` and a source reading it back: a new sub-topology starts there. */
  throughInternalTopic(
    name: string | undefined,
    key: Serde<K> | undefined,
    value: Serde<V> | undefined,
    partitions?: number,
  ): StreamImpl<K, V> {
    const base = name ?? this.dsl.topo.newName('KSTREAM-REPARTITION');
    const topic = `${base}-repartition`;
    const keySerde = this.dsl.fallback(key ?? this.keySerde);
    const valueSerde = this.dsl.fallback(value ?? this.valueSerde);
    this.dsl.topo.addInternalTopic(topic, partitions);
    this.dsl.topo.addSink({
      name: `${base}-sink`,
      parents: [this.node],
      topic,
      keySerde: keySerde as Serde<unknown>,
      valueSerde: valueSerde as Serde<unknown>,
      partitioner: undefined,
    });
    const sourceName = `${base}-source`;
    this.dsl.topo.addSource({
      name: sourceName,
      topics: [topic],
      keySerde: keySerde as Serde<unknown>,
      valueSerde: valueSerde as Serde<unknown>,
      timestampExtractor: undefined,
    });
    return new StreamImpl(this.dsl, sourceName, keySerde, valueSerde, false);
  }

  /** Repartitions only if the key changed upstream. */
  repartitionIfRequired(name: string | undefined, key?: Serde<K>, value?: Serde<V>): StreamImpl<K, V> {
    if (!this.repartitionRequired) {
      return key || value
        ? new StreamImpl(this.dsl, this.node, key ?? this.keySerde, value ?? this.valueSerde, false)
        : this;
    }
    return this.throughInternalTopic(name, key, value);
  }

  to(topic: string, options: ProducedOptions<K, V> = {}): void {
    this.dsl.topo.addSink({
      name: this.dsl.topo.newName('KSTREAM-SINK', options.name),
      parents: [this.node],
      topic,
      keySerde: this.dsl.fallback(options.key ?? this.keySerde) as Serde<unknown>,
      valueSerde: this.dsl.fallback(options.value ?? this.valueSerde) as Serde<unknown>,
      partitioner: options.partitioner as ((k: unknown, v: unknown, n: number) => number) | undefined,
    });
  }

  toTable(options: MaterializedOptions<K, V> = {}): Table<K, V> {
    const source = this.repartitionIfRequired(undefined);
    const nodeName = this.dsl.topo.newName('KSTREAM-TOTABLE');
    const storeName = options.as ?? `${nodeName}-store`;
    const keySerde = this.dsl.fallback(options.key ?? source.keySerde);
    const valueSerde = this.dsl.fallback(options.value ?? source.valueSerde);
    this.dsl.kvStore(storeName, keySerde, valueSerde, { cacheMaxEntries: 0, ...options });
    this.dsl.topo.addProcessor(nodeName, tableMaterialize<K, V>(storeName), [source.node], [storeName]);
    return TableImpl.materialized<K, V>(this.dsl, nodeName, storeName, keySerde, valueSerde);
  }

  groupByKey(options: GroupedOptions<K, V> = {}): GroupedStream<K, V> {
    return new GroupedStreamImpl<K, V>(this, options);
  }

  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, options: GroupedOptions<KR, V> = {}): GroupedStream<KR, V> {
    const rekeyed = this.selectKey(selector) as StreamImpl<KR, V>;
    return new GroupedStreamImpl<KR, V>(rekeyed, options);
  }

  join<VT, VR>(
    table: Table<K, VT>,
    joiner: ValueJoiner<V, VT, VR>,
    options: JoinOptions<K, V, VT> = {},
  ): Stream<K, VR> {
    return this.tableJoin(table, joiner as ValueJoiner<V, VT | null, VR>, 'inner', options);
  }

  leftJoin<VT, VR>(
    table: Table<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR>,
    options: JoinOptions<K, V, VT> = {},
  ): Stream<K, VR> {
    return this.tableJoin(table, joiner, 'left', options);
  }

  private tableJoin<VT, VR>(
    table: Table<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR>,
    kind: 'inner' | 'left',
    options: JoinOptions<K, V, VT>,
  ): Stream<K, VR> {
    const t = table as TableImpl<K, VT>;
    const source = this.repartitionIfRequired(
      options.name ? `${options.name}-left` : undefined,
      options.key,
      options.value,
    );
    const nodeName = this.dsl.topo.newName('KSTREAM-JOIN', options.name);
    this.dsl.topo.addProcessor(
      nodeName,
      streamTableJoin(t.getter, joiner, kind),
      [source.node],
      t.getter.storeNames,
    );
    this.dsl.topo.copartition([
      ...this.dsl.topo.sourceTopicsOf(source.node),
      ...this.dsl.topo.sourceTopicsOf(t.node),
    ]);
    return new StreamImpl<K, VR>(this.dsl, nodeName, source.keySerde, undefined, false);
  }

  joinStream<VO, VR>(
    other: Stream<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    windows: JoinWindows,
    options: JoinOptions<K, V, VO> = {},
  ): Stream<K, VR> {
    return this.streamJoin(
      other,
      joiner as ValueJoiner<unknown, unknown, VR>,
      windows,
      false,
      false,
      options,
    );
  }

  leftJoinStream<VO, VR>(
    other: Stream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    windows: JoinWindows,
    options: JoinOptions<K, V, VO> = {},
  ): Stream<K, VR> {
    return this.streamJoin(other, joiner as ValueJoiner<unknown, unknown, VR>, windows, true, false, options);
  }

  outerJoinStream<VO, VR>(
    other: Stream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    windows: JoinWindows,
    options: JoinOptions<K, V, VO> = {},
  ): Stream<K, VR> {
    return this.streamJoin(other, joiner as ValueJoiner<unknown, unknown, VR>, windows, true, true, options);
  }

  private streamJoin<VO, VR>(
    other: Stream<K, VO>,
    joiner: ValueJoiner<unknown, unknown, VR>,
    windows: JoinWindows,
    leftUnmatched: boolean,
    rightUnmatched: boolean,
    options: JoinOptions<K, V, VO>,
  ): Stream<K, VR> {
    const base = this.dsl.topo.newName('KSTREAM-JOIN', options.name);
    const left = this.repartitionIfRequired(`${base}-left`, options.key, options.value);
    const right = (other as StreamImpl<K, VO>).repartitionIfRequired(
      `${base}-right`,
      options.key,
      options.otherValue,
    );
    const keySerde = this.dsl.fallback(left.keySerde ?? right.keySerde);
    const leftValue = this.dsl.fallback(left.valueSerde);
    const rightValue = this.dsl.fallback(right.valueSerde);
    const retention = windows.beforeMs + windows.afterMs + windows.graceMs + 1;
    const size = windows.beforeMs + windows.afterMs + 1;
    const leftStore = this.dsl.windowStore(`${base}-left-store`, keySerde, leftValue, size, retention, {
      retainDuplicates: true,
    });
    const rightStore = this.dsl.windowStore(`${base}-right-store`, keySerde, rightValue, size, retention, {
      retainDuplicates: true,
    });
    const timeStore = this.dsl.timeStore(`${base}-time`);
    if (options.lateRecordsTopic) this.dsl.topo.addSideOutputTopic(options.lateRecordsTopic);
    const common = { windows, joiner, timeStore, keySerde, lateTopic: options.lateRecordsTopic };
    const stores = [leftStore, rightStore, timeStore];
    this.dsl.topo.addProcessor(
      `${base}-this`,
      () =>
        new StreamStreamJoinProcessor<K, V, VO, VR>({
          ...common,
          isLeft: true,
          thisStore: leftStore,
          otherStore: rightStore,
          emitUnmatched: leftUnmatched,
          valueSerde: leftValue,
        }),
      [left.node],
      stores,
    );
    this.dsl.topo.addProcessor(
      `${base}-other`,
      () =>
        new StreamStreamJoinProcessor<K, VO, V, VR>({
          ...common,
          isLeft: false,
          thisStore: rightStore,
          otherStore: leftStore,
          emitUnmatched: rightUnmatched,
          valueSerde: rightValue,
        }),
      [right.node],
      stores,
    );
    this.dsl.topo.addProcessor(`${base}-merge`, passThrough(), [`${base}-this`, `${base}-other`]);
    this.dsl.topo.copartition([
      ...this.dsl.topo.sourceTopicsOf(left.node),
      ...this.dsl.topo.sourceTopicsOf(right.node),
    ]);
    return new StreamImpl<K, VR>(this.dsl, `${base}-merge`, keySerde, undefined, false);
  }

  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, options: ProcessOptions = {}): Stream<KR, VR> {
    const nodeName = this.dsl.topo.newName('KSTREAM-PROCESSOR', options.name);
    this.dsl.topo.addProcessor(nodeName, supplier, [this.node], options.stores ?? []);
    return new StreamImpl<KR, VR>(this.dsl, nodeName, undefined, undefined, true);
  }
}

export function passThrough<K, V>(): ProcessorSupplier<K, V, K, V> {
  return fnProcessor<K, V, K, V>((ctx, r: StreamRecord<K, V>) => ctx.forward(r));
}
