/** State shared by every handle of one `StreamBuilder`: the topology under construction and defaults. */
import { type Serde, Serdes } from '../serde/index.ts';
import { Stores } from '../state/stores.ts';
import type { StoreBackendFactory, StoreSpec } from '../state/types.ts';
import { TopologyBuilder } from '../topology/topology.ts';
import type { MaterializedOptions } from './types.ts';

export const DAY_MS = 86_400_000;

export class DslContext {
  readonly topo = new TopologyBuilder();

  /** Serde used where the user gave none and none is known: JSON. */
  fallback<T>(serde: Serde<T> | undefined): Serde<T> {
    return serde ?? Serdes.json<T>();
  }

  /** Declares a key-value store for a materialization. */
  kvStore<K, V>(
    name: string,
    key: Serde<K>,
    value: Serde<V>,
    options: MaterializedOptions<K, V> = {},
  ): StoreSpec<K, V> {
    const spec = Stores.keyValue(name, key, value, {
      changelog: options.changelog,
      backend: options.backend as StoreBackendFactory | undefined,
      cacheMaxEntries: options.cacheMaxEntries,
    });
    this.topo.addStore(spec as StoreSpec);
    return spec;
  }

  /** The small store of observed stream time / emitted watermark of a windowed processor. */
  timeStore(name: string, backend?: StoreBackendFactory): string {
    this.topo.addStore(Stores.keyValue(name, Serdes.string(), Serdes.number(), { backend }) as StoreSpec);
    return name;
  }

  windowStore<K, V>(
    name: string,
    key: Serde<K>,
    value: Serde<V>,
    windowSizeMs: number,
    retentionMs: number,
    options: { backend?: StoreBackendFactory; changelog?: boolean; retainDuplicates?: boolean } = {},
  ): string {
    this.topo.addStore(
      Stores.window(name, key, value, { windowSizeMs, retentionMs, ...options }) as StoreSpec,
    );
    return name;
  }

  sessionStore<K, V>(
    name: string,
    key: Serde<K>,
    value: Serde<V>,
    retentionMs: number,
    options: { backend?: StoreBackendFactory; changelog?: boolean } = {},
  ): string {
    this.topo.addStore(Stores.session(name, key, value, { retentionMs, ...options }) as StoreSpec);
    return name;
  }
}
