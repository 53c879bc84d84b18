/**
 * Declaring stores for the Processor API (the DSL declares its own), and the backends to keep them in.
 *
 * @example
 *   builder.addStore(Stores.keyValue('seen-payments', Serdes.string(), Serdes.number()));
 *   stream.process(() => new Dedup(), { stores: ['seen-payments'] });
 *   // persistent instead of the application's default backend:
 *   Stores.keyValue('seen-payments', Serdes.string(), Serdes.number(), { backend: lmdbBackend() });
 */
import { FraudstreamError } from '../../errors.ts';
import { ChangeloggingBackend } from './internals/changelogging.ts';
import { memoryBackend } from './internals/memory-backend.ts';
import { DEFAULT_CACHE_MAX_ENTRIES } from './internals/record-cache.ts';
import {
  type AnyMeteredStore,
  MeteredKeyValueStore,
  MeteredSessionStore,
  MeteredWindowStore,
} from './internals/typed-stores.ts';
import type { StoreBackendFactory, StoreSerde, StoreSpec } from './types.ts';

export { type LmdbBackendOptions, lmdbBackend } from './internals/lmdb-backend.ts';
export { memoryBackend };

export interface StoreOptions {
  /** Default true. */
  changelog?: boolean;
  backend?: StoreBackendFactory;
  retentionMs?: number;
  /** Key-value stores: keys kept by the record cache per task (default 10 000; 0 disables it). */
  cacheMaxEntries?: number;
}

const NAME = /^[A-Za-z0-9._-]+$/;

function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new FraudstreamError(
      'FS_TOPOLOGY_INVALID',
      `store name ${JSON.stringify(name)} must match ${NAME}`,
    );
  }
  return name;
}

/** What every kind of store spec has: a checked name, the serdes, changelogging and the backend. */
function baseSpec<K, V>(
  name: string,
  kind: StoreSpec['kind'],
  key: StoreSerde<K>,
  value: StoreSerde<V>,
  options: StoreOptions,
): StoreSpec<K, V> {
  return {
    name: checkName(name),
    kind,
    keySerde: key,
    valueSerde: value,
    changelog: options.changelog ?? true,
    backend: options.backend,
  };
}

export const Stores = {
  keyValue<K, V>(
    name: string,
    key: StoreSerde<K>,
    value: StoreSerde<V>,
    options: StoreOptions = {},
  ): StoreSpec<K, V> {
    return { ...baseSpec(name, 'key-value', key, value, options), cacheMaxEntries: options.cacheMaxEntries };
  },
  window<K, V>(
    name: string,
    key: StoreSerde<K>,
    value: StoreSerde<V>,
    options: StoreOptions & { windowSizeMs: number; retainDuplicates?: boolean },
  ): StoreSpec<K, V> {
    return {
      ...baseSpec(name, 'window', key, value, options),
      windowSizeMs: options.windowSizeMs,
      retentionMs: options.retentionMs,
      retainDuplicates: options.retainDuplicates ?? false,
    };
  },
  session<K, V>(
    name: string,
    key: StoreSerde<K>,
    value: StoreSerde<V>,
    options: StoreOptions = {},
  ): StoreSpec<K, V> {
    return { ...baseSpec(name, 'session', key, value, options), retentionMs: options.retentionMs };
  },
};

/** A store opened for one task: the typed (metered) top of the stack and its changelogging layer. */
export interface OpenedStore {
  spec: StoreSpec;
  store: AnyMeteredStore;
  changelogging: ChangeloggingBackend;
  factory: StoreBackendFactory;
  persistent: boolean;
  /** Next changelog offset to restore from (what step 6 writes). */
  checkpoint: number | null;
  /** For the store-size gauge. */
  storeGauge: { storeName: string; approximateNumEntries(): number };
}

export function openStore(
  spec: StoreSpec,
  defaultBackend: StoreBackendFactory,
  dir: string,
  taskId: string,
): OpenedStore {
  const factory = spec.backend ?? defaultBackend;
  const raw = factory.open({ dir, storeName: spec.name, taskId, storeKind: spec.kind });
  const changelogging = new ChangeloggingBackend(raw);
  const p = factory.persistent;
  let store: AnyMeteredStore;
  if (spec.kind === 'key-value')
    store = new MeteredKeyValueStore(
      spec.name,
      changelogging,
      spec.keySerde,
      spec.valueSerde,
      p,
      spec.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
    );
  else if (spec.kind === 'window') {
    store = new MeteredWindowStore(
      spec.name,
      changelogging,
      spec.keySerde,
      spec.valueSerde,
      p,
      spec.windowSizeMs ?? 0,
      spec.retainDuplicates ?? false,
    );
  } else store = new MeteredSessionStore(spec.name, changelogging, spec.keySerde, spec.valueSerde, p);
  return {
    spec,
    store,
    changelogging,
    factory,
    persistent: p,
    checkpoint: raw.readCheckpoint(),
    storeGauge: { storeName: spec.name, approximateNumEntries: () => raw.approximateNumEntries() },
  };
}
