/** Grouped streams and tables, and their (windowed) aggregations. */
import { type Serde, Serdes } from '../serde/index.ts';
import type { Windowed, WindowStore } from '../state/types.ts';
import type { SessionWindows, SlidingWindows, TimeWindows } from '../time/windows.ts';
import { DAY_MS } from './context.ts';
import type { ValueGetterSupplier } from './processors/common.ts';
import { SessionAggregateProcessor } from './processors/session-aggregate.ts';
import { SlidingAggregateProcessor } from './processors/sliding-aggregate.ts';
import { streamAggregate, tableAggregate } from './processors/table-ops.ts';
import { WindowAggregateProcessor } from './processors/window-aggregate.ts';
import type { StreamImpl } from './stream.ts';
import { TableImpl } from './table.ts';
import type {
  Aggregator,
  GroupedOptions,
  GroupedStream,
  GroupedTable,
  Initializer,
  MaterializedOptions,
  Merger,
  Reducer,
  SessionWindowedStream,
  Table,
  WindowedAggregateOptions,
  WindowedStream,
} from './types.ts';

const countInit = () => 0;
const countAgg = (_k: unknown, _v: unknown, n: number) => n + 1;

function reduceAgg<K, V>(reducer: Reducer<V>): Aggregator<K, V, V> {
  return (_k, v, agg) => (agg === undefined ? v : reducer(agg, v));
}
const reduceInit = () => undefined as never;

export class GroupedStreamImpl<K, V> implements GroupedStream<K, V> {
  private readonly stream: StreamImpl<K, V>;
  private readonly options: GroupedOptions<K, V>;

  constructor(stream: StreamImpl<K, V>, options: GroupedOptions<K, V>) {
    this.stream = stream;
    this.options = options;
  }

  private repartitioned: StreamImpl<K, V> | undefined;

  /** The stream to aggregate: repartitioned first when the key changed (once, shared by every
   * aggregation of this grouping). */
  source(): StreamImpl<K, V> {
    this.repartitioned ??= this.stream.repartitionIfRequired(
      this.options.name,
      this.options.key,
      this.options.value,
    );
    return this.repartitioned;
  }

  count(options: MaterializedOptions<K, number> = {}): Table<K, number> {
    return this.aggregate(countInit, countAgg, { value: Serdes.number(), ...options });
  }

  reduce(reducer: Reducer<V>, options: MaterializedOptions<K, V> = {}): Table<K, V> {
    return this.aggregate(reduceInit, reduceAgg<K, V>(reducer), {
      value: this.stream.valueSerde,
      ...options,
    });
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    options: MaterializedOptions<K, VA> = {},
  ): Table<K, VA> {
    const src = this.source();
    const dsl = src.dsl;
    const nodeName = dsl.topo.newName('KSTREAM-AGGREGATE');
    const storeName = options.as ?? `${nodeName}-store`;
    const keySerde = dsl.fallback(options.key ?? src.keySerde);
    const valueSerde = dsl.fallback(options.value);
    dsl.kvStore(storeName, keySerde, valueSerde, options);
    dsl.topo.addProcessor(
      nodeName,
      streamAggregate(storeName, initializer, aggregator),
      [src.node],
      [storeName],
      aggregator === (countAgg as unknown),
    );
    return TableImpl.materialized(dsl, nodeName, storeName, keySerde, valueSerde);
  }

  windowedBy(windows: TimeWindows | SlidingWindows): WindowedStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): WindowedStream<K, V> | SessionWindowedStream<K, V> {
    if (windows.kind === 'session') return new SessionWindowedStreamImpl(this, windows);
    return new WindowedStreamImpl(this, windows);
  }
}

function windowedGetter<K, VA>(storeName: string): ValueGetterSupplier<Windowed<K>, VA> {
  return {
    storeNames: [storeName],
    init(ctx) {
      const store = ctx.getStore<WindowStore<K, VA>>(storeName);
      return (k) => store.fetch(k.key, k.window.start) ?? null;
    },
  };
}

class WindowedStreamImpl<K, V> implements WindowedStream<K, V> {
  private readonly grouped: GroupedStreamImpl<K, V>;
  private readonly windows: TimeWindows | SlidingWindows;

  constructor(grouped: GroupedStreamImpl<K, V>, windows: TimeWindows | SlidingWindows) {
    this.grouped = grouped;
    this.windows = windows;
  }

  count(options: WindowedAggregateOptions<K, number> = {}): Table<Windowed<K>, number> {
    return this.aggregate(countInit, countAgg, { value: Serdes.number(), ...options });
  }

  reduce(reducer: Reducer<V>, options: WindowedAggregateOptions<K, V> = {}): Table<Windowed<K>, V> {
    return this.aggregate(reduceInit, reduceAgg<K, V>(reducer), options);
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    options: WindowedAggregateOptions<K, VA> = {},
  ): Table<Windowed<K>, VA> {
    const src = this.grouped.source();
    const dsl = src.dsl;
    const w = this.windows;
    const nodeName = dsl.topo.newName(
      w.kind === 'time' ? 'KSTREAM-WINDOW-AGGREGATE' : 'KSTREAM-SLIDING-AGGREGATE',
    );
    const storeName = options.as ?? `${nodeName}-store`;
    const keySerde = dsl.fallback(options.key ?? src.keySerde);
    const inValue = dsl.fallback(src.valueSerde);
    const valueSerde = dsl.fallback(options.value);
    const size = w.kind === 'time' ? w.sizeMs : w.timeDifferenceMs;
    const retentionMs = options.retentionMs ?? Math.max(DAY_MS, size + w.graceMs);
    const storeOpts = { backend: options.backend, changelog: options.changelog };
    dsl.windowStore(storeName, keySerde, valueSerde, size, retentionMs, storeOpts);
    const timeStore = dsl.timeStore(`${storeName}-time`, options.backend);
    if (options.lateRecordsTopic) dsl.topo.addSideOutputTopic(options.lateRecordsTopic);
    const common = {
      storeName,
      timeStoreName: timeStore,
      retentionMs,
      initializer,
      aggregator,
      emit: options.emit ?? 'update',
      keySerde,
      valueSerde: inValue,
      lateTopic: options.lateRecordsTopic,
    };
    if (w.kind === 'time') {
      dsl.topo.addProcessor(
        nodeName,
        () => new WindowAggregateProcessor<K, V, VA>({ ...common, windows: w }),
        [src.node],
        [storeName, timeStore],
        // A count reads values only to skip null ones (late records decode theirs when sent).
        aggregator === (countAgg as unknown),
      );
    } else {
      const buffer = dsl.windowStore(`${storeName}-buffer`, keySerde, inValue, 1, 2 * size + w.graceMs + 2, {
        ...storeOpts,
        retainDuplicates: true,
      });
      dsl.topo.addProcessor(
        nodeName,
        () => new SlidingAggregateProcessor<K, V, VA>({ ...common, windows: w, bufferStoreName: buffer }),
        [src.node],
        [storeName, timeStore, buffer],
      );
    }
    return new TableImpl<Windowed<K>, VA>(
      dsl,
      nodeName,
      storeName,
      Serdes.windowed(keySerde),
      valueSerde,
      windowedGetter<K, VA>(storeName),
    );
  }
}

class SessionWindowedStreamImpl<K, V> implements SessionWindowedStream<K, V> {
  private readonly grouped: GroupedStreamImpl<K, V>;
  private readonly windows: SessionWindows;

  constructor(grouped: GroupedStreamImpl<K, V>, windows: SessionWindows) {
    this.grouped = grouped;
    this.windows = windows;
  }

  count(options: WindowedAggregateOptions<K, number> = {}): Table<Windowed<K>, number> {
    return this.aggregate(countInit, countAgg, (_k, a, b) => a + b, { value: Serdes.number(), ...options });
  }

  reduce(reducer: Reducer<V>, options: WindowedAggregateOptions<K, V> = {}): Table<Windowed<K>, V> {
    const merge = (_k: K, a: V, b: V) => (a === undefined ? b : reducer(a, b));
    return this.aggregate(reduceInit, reduceAgg<K, V>(reducer), merge, options);
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    options: WindowedAggregateOptions<K, VA> = {},
  ): Table<Windowed<K>, VA> {
    const src = this.grouped.source();
    const dsl = src.dsl;
    const w = this.windows;
    const nodeName = dsl.topo.newName('KSTREAM-SESSION-AGGREGATE');
    const storeName = options.as ?? `${nodeName}-store`;
    const keySerde = dsl.fallback(options.key ?? src.keySerde);
    const valueSerde = dsl.fallback(options.value);
    const retentionMs = options.retentionMs ?? Math.max(DAY_MS, w.gapMs + w.graceMs + 1);
    dsl.sessionStore(storeName, keySerde, valueSerde, retentionMs, {
      backend: options.backend,
      changelog: options.changelog,
    });
    const timeStore = dsl.timeStore(`${storeName}-time`, options.backend);
    if (options.lateRecordsTopic) dsl.topo.addSideOutputTopic(options.lateRecordsTopic);
    dsl.topo.addProcessor(
      nodeName,
      () =>
        new SessionAggregateProcessor<K, V, VA>({
          storeName,
          timeStoreName: timeStore,
          windows: w,
          retentionMs,
          initializer,
          aggregator,
          merger,
          emit: options.emit ?? 'update',
          keySerde,
          valueSerde: dsl.fallback(src.valueSerde),
          lateTopic: options.lateRecordsTopic,
        }),
      [src.node],
      [storeName, timeStore],
    );
    const getter: ValueGetterSupplier<Windowed<K>, VA> = {
      storeNames: [storeName],
      init(ctx) {
        const store = ctx.getStore<import('../state/types.ts').SessionStore<K, VA>>(storeName);
        return (k) => {
          for (const s of store.findSessions(k.key, k.window.end, k.window.start)) {
            if (s.key.window.start === k.window.start && s.key.window.end === k.window.end) return s.value;
          }
          return null;
        };
      },
    };
    return new TableImpl<Windowed<K>, VA>(
      dsl,
      nodeName,
      storeName,
      Serdes.windowed(keySerde),
      valueSerde,
      getter,
    );
  }
}

export class GroupedTableImpl<K, V> implements GroupedTable<K, V> {
  private readonly stream: StreamImpl<K, V>;
  private readonly options: GroupedOptions<K, V>;

  constructor(stream: StreamImpl<K, V>, options: GroupedOptions<K, V>) {
    this.stream = stream;
    this.options = options;
  }

  count(options: MaterializedOptions<K, number> = {}): Table<K, number> {
    return this.aggregate(countInit, countAgg, (_k, _v, n: number) => n - 1, {
      value: Serdes.number(),
      ...options,
    });
  }

  reduce(adder: Reducer<V>, subtractor: Reducer<V>, options: MaterializedOptions<K, V> = {}): Table<K, V> {
    return this.aggregate(reduceInit, reduceAgg<K, V>(adder), (_k, v, agg) => subtractor(agg, v), {
      value: this.stream.valueSerde,
      ...options,
    });
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    options: MaterializedOptions<K, VA> = {},
  ): Table<K, VA> {
    const dsl = this.stream.dsl;
    const nodeName = dsl.topo.newName('KTABLE-AGGREGATE');
    const storeName = options.as ?? `${nodeName}-store`;
    const keySerde = dsl.fallback(options.key ?? this.options.key ?? this.stream.keySerde) as Serde<K>;
    const valueSerde = dsl.fallback(options.value);
    dsl.kvStore(storeName, keySerde, valueSerde, options);
    dsl.topo.addProcessor(
      nodeName,
      tableAggregate(storeName, initializer, adder, subtractor),
      [this.stream.node],
      [storeName],
    );
    return TableImpl.materialized(dsl, nodeName, storeName, keySerde, valueSerde);
  }
}
