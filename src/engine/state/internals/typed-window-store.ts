/**
 * The metered window store (typed keys and values over a byte-level backend, see typed-stores.ts),
 * with two fast paths:
 * - over the grouped in-memory backend it reads and writes with the key's prefix string and the
 *   window start (no composite key bytes), and records changelog entries lazily;
 * - over a backend that can name its greatest committed key (LMDB), it keeps, per key, an upper bound
 *   of the window starts stored (`WindowStartBounds`), so a fetch of a window later than every stored
 *   one (a new window: most fetches of an aggregation) needs no backend read.
 */
import type { StoreBackend, StoreSerde, WindowedKeyValue, WindowStore } from '../types.ts';
import { ChangeloggingBackend } from './changelogging.ts';
import { GroupedMemoryBackend, type HeldValue, NO_SEQ, type ValueCodec } from './grouped-memory-backend.ts';
import { compositeKey, decodeComposite } from './key-layout.ts';
import { MeteredStore } from './metered-store.ts';
import { WindowStartBounds } from './window-start-bounds.ts';

export class MeteredWindowStore<K, V> extends MeteredStore<K, V> implements WindowStore<K, V> {
  readonly kind = 'window' as const;
  readonly windowSizeMs: number;
  private readonly retainDuplicates: boolean;
  // Random start: after a restart new duplicates must not overwrite restored ones.
  private seq = Math.floor(Math.random() * 2 ** 31);

  /** The grouped in-memory backend under this store (fast path with string prefixes and tails), and
   * the changelogging layer above it (undefined when the store has none, as in unit tests). */
  private readonly grouped: GroupedMemoryBackend | undefined;
  private readonly changelog: ChangeloggingBackend | undefined;
  /** Upper bounds of the stored window starts per key, over backends that support them (LMDB). */
  private readonly bounds: WindowStartBounds | undefined;
  /** Values of this type are held as themselves by the grouped backend (the value serde's
   * `exactPrimitive`). */
  private readonly heldType: string | undefined;

  constructor(
    name: string,
    backend: StoreBackend,
    keySerde: StoreSerde<K>,
    valueSerde: StoreSerde<V>,
    persistent: boolean,
    windowSizeMs: number,
    retainDuplicates: boolean,
  ) {
    super(name, backend, keySerde, valueSerde, persistent);
    this.windowSizeMs = windowSizeMs;
    this.retainDuplicates = retainDuplicates;
    if (backend instanceof ChangeloggingBackend && backend.inner instanceof GroupedMemoryBackend) {
      this.grouped = backend.inner;
      this.changelog = backend;
    } else if (backend instanceof GroupedMemoryBackend) {
      this.grouped = backend;
    }
    if (this.grouped !== undefined && valueSerde.exactPrimitive !== undefined) {
      this.heldType = valueSerde.exactPrimitive;
      this.grouped.codec = valueSerde as ValueCodec;
    }
    const raw = backend instanceof ChangeloggingBackend ? backend.inner : backend;
    const supported = retainDuplicates ? undefined : WindowStartBounds.supported(raw);
    if (supported !== undefined) this.bounds = new WindowStartBounds(supported);
  }

  private memoKb: Buffer | undefined;
  private memoStart = -1;
  private memoCk: Buffer | undefined;
  private memoPrefixKb: Buffer | undefined;
  private memoPrefix = '';

  /** Composite key of (key, start), reused when a fetch is followed by a put of the same window. */
  private windowKey(kb: Buffer, start: number): Buffer {
    if (kb === this.memoKb && start === this.memoStart && this.memoCk !== undefined) return this.memoCk;
    this.memoKb = kb;
    this.memoStart = start;
    this.memoCk = compositeKey(kb, start);
    return this.memoCk;
  }

  /** The grouped backend's group of a key (its bytes as latin1: the key itself when the key serde
   * says so, as for ASCII strings, no string made), reused across the windows of one record. */
  private groupOf(key: K, kb: Buffer): string {
    if (kb !== this.memoPrefixKb) {
      this.memoPrefixKb = kb;
      this.memoPrefix = this.keySerde.latin1Of?.(key) ?? kb.toString('latin1');
    }
    return this.memoPrefix;
  }

  put(key: K, value: V | null | undefined, windowStart: number): void {
    const kb = this.keyBytes(key);
    const grouped = this.grouped;
    if (value === null || value === undefined) {
      if (this.retainDuplicates) return; // duplicates are only removed by retention
      this.counters.deletes++;
      if (grouped === undefined) {
        this.backend.delete(this.windowKey(kb, windowStart));
        return;
      }
      grouped.deleteIn(this.groupOf(key, kb), nonNegative(windowStart));
      this.changelog?.recordWindow(kb, windowStart, undefined, null);
      return;
    }
    this.counters.puts++;
    const vb = this.valueBytes(value);
    // A primitive is held as itself (see GroupedMemoryBackend), its bytes only go to the changelog.
    const held = typeof value === this.heldType ? (value as HeldValue) : vb;
    if (grouped === undefined) {
      const ck = this.retainDuplicates
        ? compositeKey(kb, windowStart, this.seq++)
        : this.windowKey(kb, windowStart);
      this.backend.put(ck, vb);
      this.bounds?.written(kb, nonNegative(windowStart));
      return;
    }
    if (this.retainDuplicates) {
      const seq = this.seq++ >>> 0;
      grouped.putIn(this.groupOf(key, kb), nonNegative(windowStart), seq, held);
      this.changelog?.recordWindow(kb, windowStart, seq, vb);
      return;
    }
    grouped.putIn(this.groupOf(key, kb), nonNegative(windowStart), NO_SEQ, held);
    this.changelog?.recordWindow(kb, windowStart, undefined, vb);
  }

  fetch(key: K, windowStart: number): V | undefined {
    this.counters.gets++;
    if (this.retainDuplicates) {
      for (const e of this.fetchRange(key, windowStart, windowStart)) return e.value;
      return undefined;
    }
    const kb = this.keyBytes(key);
    if (this.bounds?.absent(kb, nonNegative(windowStart))) return undefined;
    const b =
      this.grouped === undefined
        ? this.backend.get(this.windowKey(kb, windowStart))
        : this.grouped.getIn(this.groupOf(key, kb), nonNegative(windowStart));
    return b === undefined ? undefined : this.typed(b);
  }

  /** The value of what the backend holds: bytes, or a primitive written by `put`. */
  private typed(held: HeldValue): V {
    return typeof held === 'object' ? this.valueSerde.deserialize(held) : (held as V);
  }

  *fetchRange(key: K, timeFrom: number, timeTo: number): IterableIterator<WindowedKeyValue<K, V>> {
    this.counters.gets++;
    if (timeTo < timeFrom) return;
    const kb = this.keyBytes(key);
    if (this.grouped !== undefined) {
      const found = this.grouped.rangeIn(this.groupOf(key, kb), nonNegative(timeFrom), timeTo + 1);
      for (const { start, value } of found) {
        yield {
          key: { key, window: { start, end: start + this.windowSizeMs } },
          value: this.typed(value),
        };
      }
      return;
    }
    const from = compositeKey(kb, Math.max(0, timeFrom));
    const to = compositeKey(kb, timeTo + 1);
    for (const [k, v] of this.backend.range(from, to)) {
      const start = decodeComposite(k, false).t1;
      yield {
        key: { key, window: { start, end: start + this.windowSizeMs } },
        value: this.valueSerde.deserialize(v),
      };
    }
  }

  *fetchAll(timeFrom: number, timeTo: number): IterableIterator<WindowedKeyValue<K, V>> {
    for (const e of this.all()) {
      if (e.key.window.start >= timeFrom && e.key.window.start <= timeTo) yield e;
    }
  }

  *all(): IterableIterator<WindowedKeyValue<K, V>> {
    for (const [k, v] of this.backend.range()) {
      const d = decodeComposite(k, false);
      yield {
        key: {
          key: this.keySerde.deserialize(d.key),
          window: { start: d.t1, end: d.t1 + this.windowSizeMs },
        },
        value: this.valueSerde.deserialize(v),
      };
    }
  }

  purgeBefore(before: number): number {
    return this.purgeComposite(before, false);
  }
}

/** Times are stored as unsigned (key-layout.ts writes negative ones as 0). */
function nonNegative(t: number): number {
  return Math.max(0, t);
}
