/**
 * Windowed aggregation over tumbling/hopping windows. Each record updates every window containing its
 * timestamp that is still open (window end + grace > watermark). A record that falls in at least one
 * closed window goes to the late-records topic (with the first closed window in its headers). In
 * `update` mode every change is forwarded; in `final` mode a window is forwarded once, when the
 * watermark reaches its end + grace.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../../processor/types.ts';
import type { Serde } from '../../serde/index.ts';
import type { Windowed, WindowStore } from '../../state/types.ts';
import type { EmitMode, TimeWindows } from '../../time/windows.ts';
import type { Aggregator, Initializer } from '../types.ts';
import { type Change, ClosingIndex, internal, lateHeaders, TimeTracker } from './common.ts';

export interface WindowAggregateParams<K, V, VA> {
  storeName: string;
  timeStoreName: string;
  windows: TimeWindows;
  retentionMs: number;
  initializer: Initializer<VA>;
  aggregator: Aggregator<K, V, VA>;
  emit: EmitMode;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  lateTopic: string | undefined;
}

export class WindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private readonly p: WindowAggregateParams<K, V, VA>;
  private ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: WindowStore<K, VA>;
  private time!: TimeTracker;
  private readonly pending = new ClosingIndex<K>();
  private nextPurge = 0;

  constructor(params: WindowAggregateParams<K, V, VA>) {
    this.p = params;
  }

  init(ctx: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.ctx = ctx;
    this.store = ctx.getStore(this.p.storeName);
    this.time = new TimeTracker(ctx as ProcessorContext<unknown, unknown>, this.p.timeStoreName);
    if (this.p.emit === 'final') {
      for (const e of this.store.all()) {
        const closeAt = e.key.window.end + this.p.windows.graceMs;
        if (closeAt > this.time.emittedThrough) this.track(e.key.key, e.key.window.start, closeAt);
      }
    }
  }

  process(r: StreamRecord<K, V>): void {
    if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
    this.time.observe(r.timestamp);
    const wm = this.time.watermark();
    const grace = this.p.windows.graceMs;
    let closed: { start: number; end: number } | undefined;
    for (const w of this.p.windows.windowsFor(r.timestamp)) {
      if (w.end + grace <= wm) {
        closed ??= w;
        continue;
      }
      const old = this.store.fetch(r.key, w.start);
      const agg = this.p.aggregator(r.key, r.value, old === undefined ? this.p.initializer() : old);
      this.store.put(r.key, agg, w.start);
      if (this.p.emit === 'update') {
        this.ctx.forward({
          key: { key: r.key, window: w },
          value: { newValue: agg, oldValue: old ?? null },
          timestamp: r.timestamp,
          headers: r.headers,
        });
      } else if (old === undefined) {
        this.track(r.key, w.start, w.end + grace);
      }
    }
    if (closed) {
      internal(this.ctx as ProcessorContext<unknown, unknown>).sendLate(
        this.p.keySerde.serialize(r.key),
        this.p.valueSerde.serialize(r.value),
        r.timestamp,
        { ...r.headers, ...lateHeaders(closed, wm, r.timestamp, this.p.storeName) },
        this.p.lateTopic,
      );
    }
    if (this.p.emit === 'final' && wm >= this.pending.nextClose) this.emitClosed(wm);
    if (wm >= this.nextPurge) {
      this.store.purgeBefore(wm - this.p.retentionMs - this.p.windows.sizeMs);
      this.nextPurge = wm + Math.max(1, Math.floor(this.p.retentionMs / 2));
    }
  }

  private track(key: K, start: number, closeAt: number): void {
    const id = `${(this.p.keySerde.serialize(key) ?? Buffer.alloc(0)).toString('latin1')}|${start}`;
    this.pending.add({ id, key, window: { start, end: start + this.p.windows.sizeMs }, closeAt });
  }

  private emitClosed(wm: number): void {
    for (const e of this.pending.popClosed(wm)) {
      const value = this.store.fetch(e.key, e.window.start);
      if (value === undefined) continue;
      this.ctx.forward({
        key: { key: e.key, window: e.window },
        value: { newValue: value, oldValue: null },
        timestamp: e.window.end - 1,
        headers: {},
      });
    }
    this.time.markEmitted(wm);
  }
}
