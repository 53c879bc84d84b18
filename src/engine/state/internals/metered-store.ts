/** The base of every metered store: name, kind, counters, serdes and key/value serialization. */
import { FraudstreamError } from '../../../errors.ts';
import type { StoreBackend, StoreKind, StoreSerde } from '../types.ts';
import { decodeComposite } from './key-layout.ts';

/** Operation counts, read by the metrics collector. */
export interface StoreCounters {
  puts: number;
  gets: number;
  deletes: number;
}

export abstract class MeteredStore<K, V> {
  readonly name: string;
  abstract readonly kind: StoreKind;
  readonly persistent: boolean;
  readonly backend: StoreBackend;
  readonly counters: StoreCounters = { puts: 0, gets: 0, deletes: 0 };
  protected readonly keySerde: StoreSerde<K>;
  protected readonly valueSerde: StoreSerde<V>;

  constructor(
    name: string,
    backend: StoreBackend,
    keySerde: StoreSerde<K>,
    valueSerde: StoreSerde<V>,
    persistent: boolean,
  ) {
    this.name = name;
    this.backend = backend;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.persistent = persistent;
  }

  approximateNumEntries(): number {
    return this.backend.approximateNumEntries();
  }

  // A get followed by a put of the same key is the common case (aggregations): serialize it once.
  private memoKey: unknown;
  private memoBytes: Buffer | undefined;

  protected keyBytes(key: K): Buffer {
    if (key === this.memoKey && this.memoBytes !== undefined) return this.memoBytes;
    const b = this.keySerde.serialize(key);
    if (b === null)
      throw new FraudstreamError('FS_STATE_STORE', `store "${this.name}" cannot hold a null key`);
    if (typeof key === 'string' || typeof key === 'number') {
      this.memoKey = key;
      this.memoBytes = b;
    }
    return b;
  }

  protected valueBytes(value: V): Buffer {
    const b = this.valueSerde.serialize(value);
    if (b === null)
      throw new FraudstreamError('FS_STATE_STORE', `store "${this.name}" value serialized to null`);
    return b;
  }

  /** Deletes the entries of a composite-key store (window or session layout) whose first time is
   * below `before`; returns how many. */
  protected purgeComposite(before: number, session: boolean): number {
    const doomed: Buffer[] = [];
    for (const [k] of this.backend.range()) if (decodeComposite(k, session).t1 < before) doomed.push(k);
    for (const k of doomed) this.backend.delete(k);
    return doomed.length;
  }
}
