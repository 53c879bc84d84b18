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
import type { ProcessorContext, StreamRecord } from '../../processor/types.ts';
import type { TimeWindow, Windowed, WindowStore } from '../../state/types.ts';
import type { SlidingWindows } from '../../time/windows.ts';
import type { Change } from './common.ts';
import { type WindowedAggregateParams, WindowedAggregateProcessor } from './windowed-aggregate.ts';

export interface SlidingAggregateParams<K, V, VA> extends WindowedAggregateParams<K, V, VA> {
  bufferStoreName: string;
  windows: SlidingWindows;
}

export class SlidingAggregateProcessor<K, V, VA> extends WindowedAggregateProcessor<
  K,
  V,
  VA,
  WindowStore<K, VA>,
  SlidingAggregateParams<K, V, VA>
> {
  /** The records of the last 2D + grace, per key. */
  private buffer!: WindowStore<K, V>;
  private nextBufferPurge = 0;

  override init(ctx: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.buffer = ctx.getStore(this.p.bufferStoreName);
    super.init(ctx);
  }

  protected closeAt(w: TimeWindow): number {
    return w.end + 1 + this.p.windows.graceMs;
  }

  protected fetchClosed(key: K, w: TimeWindow): VA | undefined {
    return this.store.fetch(key, w.start);
  }

  process(r: StreamRecord<K, V>): void {
    if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
    this.time.observe(r.timestamp);
    const wm = this.time.watermark();
    const D = this.p.windows.timeDifferenceMs;
    const grace = this.p.windows.graceMs;
    const t = r.timestamp;
    if (t + D + 1 + grace <= wm) {
      this.sendLate(r, { start: t, end: t + D }, wm);
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
        this.track(r.key, { start: s, end });
      }
    }
    if (this.p.emit === 'final' && wm >= this.pending.nextClose) this.emitClosed(wm);
    if (wm >= this.nextBufferPurge) {
      // Records older than this can no longer fall in an open window.
      this.buffer.purgeBefore(wm - 2 * D - 2 - grace);
      this.nextBufferPurge = wm + D + 1 + grace;
    }
    if (wm >= this.nextPurge) this.purge(wm, wm - this.p.retentionMs - D - 1);
  }
}
