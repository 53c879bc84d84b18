/**
 * Shared pieces of the DSL's processors: table change records, value getters (lazy table lookups, as
 * Kafka Streams' KTableValueGetter), a per-processor persisted time tracker, and the index of windows
 * waiting to be emitted in `final` mode.
 */
import type { ProcessorContext, ProcessorSupplier, StreamRecord } from '../../processor/types.ts';
import type { InternalProcessorContext } from '../../runtime/task.ts';
import type { KeyValueStore, TimeWindow } from '../../state/types.ts';

/** What flows between table nodes: the new and previous value of a key (null = absent). */
export interface Change<V> {
  newValue: V | null;
  oldValue: V | null;
}

/** Reads a table's current value for a key inside a task. */
export interface ValueGetterSupplier<K, V> {
  /** Stores the getter reads (connected to every processor that uses the getter). */
  storeNames: string[];
  init(ctx: ProcessorContext<unknown, unknown>): (key: K) => V | null;
}

export function storeGetter<K, V>(storeName: string): ValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    init(ctx) {
      const store = ctx.getStore<KeyValueStore<K, V>>(storeName);
      return (key) => store.get(key) ?? null;
    },
  };
}

/** A processor from a function of (context, record). */
export function fnProcessor<K, V, KR, VR>(
  fn: (ctx: ProcessorContext<KR, VR>, record: StreamRecord<K, V>) => void,
): ProcessorSupplier<K, V, KR, VR> {
  return () => {
    let ctx: ProcessorContext<KR, VR>;
    return {
      init(c) {
        ctx = c;
      },
      process(r) {
        fn(ctx, r);
      },
    };
  };
}

export function internal(ctx: ProcessorContext<unknown, unknown>): InternalProcessorContext {
  return ctx as unknown as InternalProcessorContext;
}

/**
 * Observed stream time of one windowed processor (max timestamp of the records that reached it) and the
 * watermark up to which `final` results were emitted, kept in a changelogged store so that a restarted
 * task judges lateness and emits exactly as the crashed one would have.
 */
export class TimeTracker {
  private readonly store: KeyValueStore<string, number>;
  private readonly allowedLateness: number;
  observed: number;
  emittedThrough: number;
  /** Processors sharing this tracker (both sides of a stream–stream join), keyed by the store object. */
  static shared(ctx: ProcessorContext<unknown, unknown>, storeName: string): TimeTracker {
    const store = ctx.getStore<KeyValueStore<string, number>>(storeName);
    let t = sharedTrackers.get(store);
    if (!t) sharedTrackers.set(store, (t = new TimeTracker(ctx, storeName)));
    return t;
  }

  constructor(ctx: ProcessorContext<unknown, unknown>, storeName: string) {
    this.store = ctx.getStore<KeyValueStore<string, number>>(storeName);
    this.observed = this.store.get('observed') ?? -1;
    this.emittedThrough = this.store.get('emitted') ?? -1;
    this.allowedLateness = internal(ctx).allowedLatenessMs;
    // Written once per commit, not per record: it only has to be consistent with what is committed.
    let persisted = this.observed;
    internal(ctx).beforeCommit(() => {
      if (this.observed !== persisted) {
        this.store.put('observed', this.observed);
        persisted = this.observed;
      }
    });
  }

  observe(timestamp: number): void {
    if (timestamp > this.observed) this.observed = timestamp;
  }

  watermark(): number {
    return this.observed < 0 ? -1 : this.observed - this.allowedLateness;
  }

  markEmitted(watermark: number): void {
    this.emittedThrough = watermark;
    this.store.put('emitted', watermark);
  }
}

const sharedTrackers = new WeakMap<object, TimeTracker>();

export interface PendingWindow<K> {
  id: string;
  key: K;
  window: TimeWindow;
  closeAt: number;
}

/** Windows (or buffered join records) waiting for the watermark to reach their close time. */
export class ClosingIndex<K> {
  private readonly byClose = new Map<number, Map<string, PendingWindow<K>>>();
  private closes: number[] = [];

  add(entry: PendingWindow<K>): void {
    let m = this.byClose.get(entry.closeAt);
    if (!m) {
      m = new Map();
      this.byClose.set(entry.closeAt, m);
      const i = lowerBound(this.closes, entry.closeAt);
      this.closes.splice(i, 0, entry.closeAt);
    }
    m.set(entry.id, entry);
  }

  remove(closeAt: number, id: string): void {
    this.byClose.get(closeAt)?.delete(id);
  }

  /** Removes and returns every entry with closeAt <= watermark, oldest close first. */
  popClosed(watermark: number): PendingWindow<K>[] {
    const out: PendingWindow<K>[] = [];
    let n = 0;
    while (n < this.closes.length && this.closes[n] <= watermark) {
      const m = this.byClose.get(this.closes[n])!;
      for (const e of m.values()) out.push(e);
      this.byClose.delete(this.closes[n]);
      n++;
    }
    if (n > 0) this.closes = this.closes.slice(n);
    return out;
  }

  get nextClose(): number {
    return this.closes.length > 0 ? this.closes[0] : Number.POSITIVE_INFINITY;
  }
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Headers of a record routed to the late-records topic. */
export function lateHeaders(
  window: TimeWindow,
  watermark: number,
  timestamp: number,
  store: string,
): Record<string, string> {
  return {
    'fs-late-window-start': String(window.start),
    'fs-late-window-end': String(window.end),
    'fs-late-lateness-ms': String(watermark - timestamp),
    'fs-late-watermark': String(watermark),
    'fs-late-store': store,
  };
}
