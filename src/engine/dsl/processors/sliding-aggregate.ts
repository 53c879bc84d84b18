/**
 * Sliding-window aggregation (Kafka Streams `SlidingWindows` semantics). With time difference D, the
 * windows are `[s, s + D]`, both ends inclusive (reported as `{start: s, end: s + D}`), for
 * s = max(0, t − D) of every record time t (the window ending at the record) and s = t + 1 (the window
 * starting right after it, when not empty). A window's value is the aggregate of every record whose
 * time lies in it, folded in time order.
 *
 * Implementation: the records of the last 2D + grace are buffered per key; a record recomputes every
 * window that contains it from the buffer. A record is late when even the last window that could
 * contain it (`[t, t + D]`) is closed: `t + D + 1 + grace <= watermark`; windows already closed are
 * never updated.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../../processor/types.ts';
import type { Serde } from '../../serde/index.ts';
import type { Windowed, WindowStore } from '../../state/types.ts';
import type { EmitMode, SlidingWindows } from '../../time/windows.ts';
import type { Aggregator, Initializer } from '../types.ts';
import { type Change, ClosingIndex, internal, lateHeaders, TimeTracker } from './common.ts';

export interface SlidingAggregateParams<K, V, VA> {
  storeName: string;
  bufferStoreName: string;
  timeStoreName: string;
  windows: SlidingWindows;
  retentionMs: number;
  initializer: Initializer<VA>;
  aggregator: Aggregator<K, V, VA>;
  emit: EmitMode;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  lateTopic: string | undefined;
}

export class SlidingAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private readonly p: SlidingAggregateParams<K, V, VA>;
  private ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: WindowStore<K, VA>;
  private buffer!: WindowStore<K, V>;
  private time!: TimeTracker;
  private readonly pending = new ClosingIndex<K>();
  private nextPurge = 0;
  private nextStorePurge = 0;

  constructor(params: SlidingAggregateParams<K, V, VA>) {
    this.p = params;
  }

  init(ctx: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.ctx = ctx;
    this.store = ctx.getStore(this.p.storeName);
    this.buffer = ctx.getStore(this.p.bufferStoreName);
    this.time = new TimeTracker(ctx as ProcessorContext<unknown, unknown>, this.p.timeStoreName);
    if (this.p.emit === 'final') {
      for (const e of this.store.all()) {
        const closeAt = e.key.window.end + 1 + this.p.windows.graceMs;
        if (closeAt > this.time.emittedThrough) this.track(e.key.key, e.key.window.start, closeAt);
      }
    }
  }

  process(r: StreamRecord<K, V>): void {
    if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
    this.time.observe(r.timestamp);
    const wm = this.time.watermark();
    const D = this.p.windows.timeDifferenceMs;
    const grace = this.p.windows.graceMs;
    const t = r.timestamp;
    if (t + D + 1 + grace <= wm) {
      internal(this.ctx as ProcessorContext<unknown, unknown>).sendLate(
        this.p.keySerde.serialize(r.key),
        this.p.valueSerde.serialize(r.value),
        t,
        { ...r.headers, ...lateHeaders({ start: t, end: t + D }, wm, t, this.p.storeName) },
        this.p.lateTopic,
      );
      return;
    }
    this.buffer.put(r.key, r.value, t);
    const near: Array<{ ts: number; value: V }> = [];
    for (const e of this.buffer.fetchRange(r.key, t - D - 1, t + D + 1))
      near.push({ ts: e.key.window.start, value: e.value });
    // Windows that change: those containing t (left windows of records in [t, t + D], right windows of
    // records in [t - D - 1, t - 1]) and t's own right window [t + 1, t + 1 + D] when not empty.
    const starts = new Set<number>();
    for (const x of near) {
      if (x.ts >= t && x.ts <= t + D) starts.add(Math.max(0, x.ts - D));
      if (x.ts < t && x.ts + 1 >= t - D) starts.add(x.ts + 1);
      if (x.ts > t) starts.add(t + 1);
    }
    for (const s of [...starts].sort((a, b) => a - b)) {
      if (s > t + 1 || s + D < t) continue;
      const end = s + D;
      if (end + 1 + grace <= wm) continue;
      let agg = this.p.initializer();
      for (const x of near) if (x.ts >= s && x.ts <= s + D) agg = this.p.aggregator(r.key, x.value, agg);
      const old = this.store.fetch(r.key, s);
      this.store.put(r.key, agg, s);
      if (this.p.emit === 'update') {
        this.ctx.forward({
          key: { key: r.key, window: { start: s, end } },
          value: { newValue: agg, oldValue: old ?? null },
          timestamp: t,
          headers: r.headers,
        });
      } else if (old === undefined) {
        this.track(r.key, s, end + 1 + grace);
      }
    }
    if (this.p.emit === 'final' && wm >= this.pending.nextClose) this.emitClosed(wm);
    if (wm >= this.nextPurge) {
      // Records older than this can no longer fall in an open window.
      this.buffer.purgeBefore(wm - 2 * D - 2 - grace);
      this.nextPurge = wm + D + 1 + grace;
    }
    if (wm >= this.nextStorePurge) {
      this.store.purgeBefore(wm - this.p.retentionMs - D - 1);
      this.nextStorePurge = wm + Math.max(1, Math.floor(this.p.retentionMs / 2));
    }
  }

  private track(key: K, start: number, closeAt: number): void {
    const id = `${(this.p.keySerde.serialize(key) ?? Buffer.alloc(0)).toString('latin1')}|${start}`;
    this.pending.add({ id, key, window: { start, end: start + this.p.windows.timeDifferenceMs }, closeAt });
  }

  private emitClosed(wm: number): void {
    for (const e of this.pending.popClosed(wm)) {
      const value = this.store.fetch(e.key, e.window.start);
      if (value === undefined) continue;
      this.ctx.forward({
        key: { key: e.key, window: e.window },
        value: { newValue: value, oldValue: null },
        timestamp: e.window.end,
        headers: {},
      });
    }
    this.time.markEmitted(wm);
  }
}
