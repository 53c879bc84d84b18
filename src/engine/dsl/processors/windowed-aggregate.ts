/**
 * What the windowed aggregations (time, sliding and session windows) share: their stores and time
 * tracker, the index of windows waiting for `final` emission (rebuilt from the store on init), routing a
 * late record to the late-records topic, emitting closed windows and purging the store past retention.
 *
 * The per-record checks stay inline in each processor's `process` (a field comparison); the base class
 * is only called when there is something to do, so it adds no call to the per-record path.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../../processor/types.ts';
import type { Serde } from '../../serde/index.ts';
import type { StateStore, TimeWindow, Windowed, WindowedKeyValue } from '../../state/types.ts';
import type { EmitMode } from '../../time/windows.ts';
import { UNREAD_VALUE } from '../../topology/unread-values.ts';
import type { Aggregator, Initializer } from '../types.ts';
import { type Change, ClosingIndex, internal, lateHeaders, TimeTracker } from './common.ts';

export interface WindowedAggregateParams<K, V, VA> {
  storeName: string;
  initializer: Initializer<VA>;
  aggregator: Aggregator<K, V, VA>;
  timeStoreName: string;
  retentionMs: number;
  emit: EmitMode;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  lateTopic: string | undefined;
}

/** The store operations the shared part uses (window and session stores both have them). */
interface AggregateStore<K, VA> extends StateStore {
  all(): IterableIterator<WindowedKeyValue<K, VA>>;
  purgeBefore(before: number): number;
}

export abstract class WindowedAggregateProcessor<
  K,
  V,
  VA,
  S extends AggregateStore<K, VA>,
  P extends WindowedAggregateParams<K, V, VA>,
> implements Processor<K, V, Windowed<K>, Change<VA>>
{
  protected readonly p: P;
  protected ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
  protected store!: S;
  protected time!: TimeTracker;
  protected readonly pending = new ClosingIndex<K>();
  /** Watermark at which the store is next purged. */
  protected nextPurge = 0;

  constructor(params: P) {
    this.p = params;
  }

  init(ctx: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.ctx = ctx;
    this.store = ctx.getStore(this.p.storeName);
    this.time = new TimeTracker(ctx as ProcessorContext<unknown, unknown>, this.p.timeStoreName);
    if (this.p.emit === 'final') {
      for (const e of this.store.all()) {
        if (this.closeAt(e.key.window) > this.time.emittedThrough) this.track(e.key.key, e.key.window);
      }
    }
  }

  abstract process(r: StreamRecord<K, V>): void;

  /** Watermark at which no on-time record can change the window any more. */
  protected abstract closeAt(w: TimeWindow): number;

  /** The window's current aggregate in the store (for `final` emission). */
  protected abstract fetchClosed(key: K, w: TimeWindow): VA | undefined;

  /** Timestamp of a window's `final` result: its end, for windows whose end is inclusive. */
  protected resultTimestamp(w: TimeWindow): number {
    return w.end;
  }

  protected id(key: K, w: TimeWindow): string {
    return `${(this.p.keySerde.serialize(key) ?? Buffer.alloc(0)).toString('latin1')}|${w.start}|${w.end}`;
  }

  /** Waits for the window to close, for `final` emission. */
  protected track(key: K, w: TimeWindow): void {
    this.pending.add({ id: this.id(key, w), key, window: w, closeAt: this.closeAt(w) });
  }

  /** Sends the record to the late-records topic, naming `window` (a closed window it falls in). */
  protected sendLate(r: StreamRecord<K, V>, window: TimeWindow, wm: number): void {
    const ctx = internal(this.ctx as ProcessorContext<unknown, unknown>);
    // A count's source may not have decoded the value (topology/unread-values.ts): decode it now.
    const value = r.value === UNREAD_VALUE ? (ctx.decodeCurrentValue() as V) : r.value;
    ctx.sendLate(
      this.p.keySerde.serialize(r.key),
      this.p.valueSerde.serialize(value),
      r.timestamp,
      { ...r.headers, ...lateHeaders(window, wm, r.timestamp, this.p.storeName) },
      this.p.lateTopic,
    );
  }

  /** Forwards every tracked window closed by `wm` (once each) and records `wm` as emitted. */
  protected emitClosed(wm: number): void {
    for (const e of this.pending.popClosed(wm)) {
      const value = this.fetchClosed(e.key, e.window);
      if (value === undefined) continue;
      this.ctx.forward({
        key: { key: e.key, window: e.window },
        value: { newValue: value, oldValue: null },
        timestamp: this.resultTimestamp(e.window),
        headers: {},
      });
    }
    this.time.markEmitted(wm);
  }

  /** Drops windows older than `before` and schedules the next purge half a retention later. */
  protected purge(wm: number, before: number): void {
    this.store.purgeBefore(before);
    this.nextPurge = wm + Math.max(1, Math.floor(this.p.retentionMs / 2));
  }
}
