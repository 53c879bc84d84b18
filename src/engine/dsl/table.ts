/** `Table<K, V>` (Kafka Streams' KTable): a changelog view, lazily materialized through value getters. */
import type { ProcessorContext } from '../processor/types.ts';
import type { Serde } from '../serde/index.ts';
import type { DslContext } from './context.ts';
import { GroupedTableImpl } from './grouped.ts';
import { storeGetter, type ValueGetterSupplier } from './processors/common.ts';
import { type JoinKind, joinValues, tableTableJoin } from './processors/joins.ts';
import {
  tableFilter,
  tableMapValues,
  tableRegroup,
  tableStore,
  tableToStream,
} from './processors/table-ops.ts';
import { passThrough, StreamImpl } from './stream.ts';
import type {
  GroupedOptions,
  GroupedTable,
  KeyValueMapper,
  MaterializedOptions,
  Predicate,
  Stream,
  Table,
  ValueJoiner,
  ValueMapper,
} from './types.ts';

export class TableImpl<K, V> implements Table<K, V> {
  readonly dsl: DslContext;
  readonly node: string;
  readonly storeName: string | undefined;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly getter: ValueGetterSupplier<K, V>;

  constructor(
    dsl: DslContext,
    node: string,
    storeName: string | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    getter: ValueGetterSupplier<K, V>,
  ) {
    this.dsl = dsl;
    this.node = node;
    this.storeName = storeName;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.getter = getter;
  }

  static materialized<K, V>(
    dsl: DslContext,
    node: string,
    storeName: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): TableImpl<K, V> {
    return new TableImpl(dsl, node, storeName, keySerde, valueSerde, storeGetter<K, V>(storeName));
  }

  /** Adds a derived-table node; with `options.as` its result is also stored (and read from there). */
  private derive<VR>(
    prefix: string,
    supplier: () => unknown,
    getter: ValueGetterSupplier<K, VR>,
    options: MaterializedOptions<K, VR>,
    valueSerde: Serde<VR> | undefined,
    parents = [this.node],
    extraStores: string[] = [],
  ): TableImpl<K, VR> {
    const nodeName = this.dsl.topo.newName(prefix);
    this.dsl.topo.addProcessor(nodeName, supplier as never, parents, extraStores);
    if (!options.as) return new TableImpl(this.dsl, nodeName, undefined, this.keySerde, valueSerde, getter);
    const keySerde = this.dsl.fallback(options.key ?? this.keySerde);
    const vs = this.dsl.fallback(options.value ?? valueSerde);
    this.dsl.kvStore(options.as, keySerde, vs, options);
    const storeNode = `${nodeName}-store`;
    this.dsl.topo.addProcessor(storeNode, tableStore<K, VR>(options.as) as never, [nodeName], [options.as]);
    return TableImpl.materialized(this.dsl, storeNode, options.as, keySerde, vs);
  }

  filter(predicate: Predicate<K, V>, options: MaterializedOptions<K, V> = {}): Table<K, V> {
    const parent = this.getter;
    const getter: ValueGetterSupplier<K, V> = {
      storeNames: parent.storeNames,
      init(ctx) {
        const get = parent.init(ctx);
        return (k) => {
          const v = get(k);
          return v !== null && predicate(k, v) ? v : null;
        };
      },
    };
    return this.derive('KTABLE-FILTER', tableFilter(predicate), getter, options, this.valueSerde);
  }

  mapValues<VR>(mapper: ValueMapper<K, V, VR>, options: MaterializedOptions<K, VR> = {}): Table<K, VR> {
    const parent = this.getter;
    const getter: ValueGetterSupplier<K, VR> = {
      storeNames: parent.storeNames,
      init(ctx) {
        const get = parent.init(ctx);
        return (k) => {
          const v = get(k);
          return v === null ? null : mapper(v, k);
        };
      },
    };
    return this.derive('KTABLE-MAPVALUES', tableMapValues(mapper), getter, options, undefined);
  }

  toStream(): Stream<K, V | null> {
    const nodeName = this.dsl.topo.newName('KTABLE-TOSTREAM');
    this.dsl.topo.addProcessor(nodeName, tableToStream<K, V>(), [this.node]);
    return new StreamImpl<K, V | null>(
      this.dsl,
      nodeName,
      this.keySerde,
      this.valueSerde as Serde<V | null> | undefined,
      false,
    );
  }

  groupBy<KR, VR>(
    selector: KeyValueMapper<K, V, [KR, VR]>,
    options: GroupedOptions<KR, VR> = {},
  ): GroupedTable<KR, VR> {
    const nodeName = this.dsl.topo.newName('KTABLE-SELECT');
    this.dsl.topo.addProcessor(nodeName, tableRegroup(selector), [this.node]);
    const rekeyed = new StreamImpl<KR, VR>(this.dsl, nodeName, options.key, options.value, true);
    return new GroupedTableImpl<KR, VR>(
      rekeyed.throughInternalTopic(options.name, options.key, options.value),
      options,
    );
  }

  join<VO, VR>(
    other: Table<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    options: MaterializedOptions<K, VR> = {},
  ): Table<K, VR> {
    return this.tableJoin(other, joiner as ValueJoiner<V | null, VO | null, VR>, 'inner', options);
  }

  leftJoin<VO, VR>(
    other: Table<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    options: MaterializedOptions<K, VR> = {},
  ): Table<K, VR> {
    return this.tableJoin(other, joiner as ValueJoiner<V | null, VO | null, VR>, 'left', options);
  }

  outerJoin<VO, VR>(
    other: Table<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    options: MaterializedOptions<K, VR> = {},
  ): Table<K, VR> {
    return this.tableJoin(other, joiner, 'outer', options);
  }

  private tableJoin<VO, VR>(
    other: Table<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    kind: JoinKind,
    options: MaterializedOptions<K, VR>,
  ): Table<K, VR> {
    const o = other as TableImpl<K, VO>;
    const topo = this.dsl.topo;
    const base = topo.newName('KTABLE-JOIN');
    topo.addProcessor(
      `${base}-this`,
      tableTableJoin<K, V, VO, VR>(true, o.getter as ValueGetterSupplier<K, unknown>, joiner, kind),
      [this.node],
      o.getter.storeNames,
    );
    topo.addProcessor(
      `${base}-other`,
      tableTableJoin<K, V, VO, VR>(false, this.getter as ValueGetterSupplier<K, unknown>, joiner, kind),
      [o.node],
      this.getter.storeNames,
    );
    topo.copartition([...topo.sourceTopicsOf(this.node), ...topo.sourceTopicsOf(o.node)]);
    const left = this.getter;
    const right = o.getter;
    const getter: ValueGetterSupplier<K, VR> = {
      storeNames: [...left.storeNames, ...right.storeNames],
      init(ctx: ProcessorContext<unknown, unknown>) {
        const l = left.init(ctx);
        const r = right.init(ctx);
        return (k) => joinValues(kind, joiner, l(k), r(k));
      },
    };
    return this.derive(
      'KTABLE-JOIN-MERGE',
      passThrough(),
      getter,
      options,
      undefined,
      [`${base}-this`, `${base}-other`],
      getter.storeNames,
    );
  }
}
