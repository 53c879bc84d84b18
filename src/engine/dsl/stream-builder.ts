/**
 * Entry point of the DSL: creates streams and tables from topics, and compiles everything into a
 * `Topology`. See ./types.ts for every operator.
 *
 * @example
 *   const builder = new StreamBuilder();
 *   const cards = builder.table('cards', { key: Serdes.string(), value: Serdes.json<Card>() });
 *   builder.stream('payments', { key: Serdes.string(), value: Serdes.json<Payment>() })
 *     .join(cards, (payment, card) => ({ ...payment, limit: card.limit }))
 *     .filter((_card, p) => p.amount > p.limit)
 *     .to('over-limit');
 *   const topology = builder.build({ partitions: { payments: 3, cards: 3 } }); // checks co-partitioning
 */
import type { Serde } from '../serde/index.ts';
import type { StoreSpec } from '../state/types.ts';
import type { Topology } from '../topology/topology.ts';
import { DslContext } from './context.ts';
import { tableMaterialize } from './processors/table-ops.ts';
import { StreamImpl } from './stream.ts';
import { TableImpl } from './table.ts';
import type { ConsumedOptions, MaterializedOptions, Stream, Table } from './types.ts';

export interface BuildOptions {
  /** Partition counts of external topics: when given, co-partitioning is checked now (FS_COPARTITION). */
  partitions?: Record<string, number>;
}

export class StreamBuilder {
  private readonly dsl = new DslContext();

  /** A stream of the records of one or more topics. */
  stream<K = unknown, V = unknown>(
    topic: string | string[],
    options: ConsumedOptions<K, V> = {},
  ): Stream<K, V> {
    const topics = Array.isArray(topic) ? topic : [topic];
    const name = this.dsl.topo.newName('KSTREAM-SOURCE', options.name);
    const keySerde = this.dsl.fallback(options.key);
    const valueSerde = this.dsl.fallback(options.value);
    this.dsl.topo.addSource({
      name,
      topics,
      keySerde: keySerde as Serde<unknown>,
      valueSerde: valueSerde as Serde<unknown>,
      timestampExtractor: options.timestampExtractor as never,
    });
    return new StreamImpl<K, V>(this.dsl, name, keySerde, valueSerde, false);
  }

  /** A table of the latest value per key of a topic (null values delete), kept in a store. */
  table<K = unknown, V = unknown>(
    topic: string,
    options: ConsumedOptions<K, V> & MaterializedOptions<K, V> = {},
  ): Table<K, V> {
    const source = this.stream<K, V>(topic, options) as StreamImpl<K, V>;
    const nodeName = this.dsl.topo.newName('KTABLE-SOURCE');
    const storeName = options.as ?? `${topic.replace(/[^A-Za-z0-9._-]/g, '_')}-table-store`;
    const keySerde = this.dsl.fallback(source.keySerde);
    const valueSerde = this.dsl.fallback(source.valueSerde);
    this.dsl.kvStore(storeName, keySerde, valueSerde, { cacheMaxEntries: 0, ...options });
    this.dsl.topo.addProcessor(nodeName, tableMaterialize<K, V>(storeName), [source.node], [storeName]);
    return TableImpl.materialized(this.dsl, nodeName, storeName, keySerde, valueSerde);
  }

  /** Declares a store for Processor API nodes (`stream.process(supplier, { stores: [name] })`). */
  addStore(spec: StoreSpec<unknown, unknown> | StoreSpec<never, never>): this {
    this.dsl.topo.addStore(spec as StoreSpec);
    return this;
  }

  build(options: BuildOptions = {}): Topology {
    const topology = this.dsl.topo.build();
    if (options.partitions) {
      const counts = options.partitions;
      topology.resolvePartitions((t) => counts[t]);
    }
    return topology;
  }
}
