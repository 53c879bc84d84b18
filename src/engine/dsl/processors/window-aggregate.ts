/**
 * Windowed aggregation over tumbling/hopping windows. Each record updates every window containing its
 * timestamp that is still open (window end + grace > watermark). A record that falls in at least one
 * closed window goes to the late-records topic (with the first closed window in its headers). In
 * `update` mode every change is forwarded; in `final` mode a window is forwarded once, when the
 * watermark reaches its end + grace.
 */
import type { StreamRecord } from '../../processor/types.ts';
import type { TimeWindow, WindowStore } from '../../state/types.ts';
import type { TimeWindows } from '../../time/windows.ts';
import { type WindowedAggregateParams, WindowedAggregateProcessor } from './windowed-aggregate.ts';

export interface WindowAggregateParams<K, V, VA> extends WindowedAggregateParams<K, V, VA> {
  windows: TimeWindows;
}

export class WindowAggregateProcessor<K, V, VA> extends WindowedAggregateProcessor<
  K,
  V,
  VA,
  WindowStore<K, VA>,
  WindowAggregateParams<K, V, VA>
> {
  process(r: StreamRecord<K, V>): void {
    if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
    this.time.observe(r.timestamp);
    const wm = this.time.watermark();
    const grace = this.p.windows.graceMs;
    let closed: TimeWindow | undefined;
    // Indexed, not for-of: the iteration of the (frozen) window array was not optimized away, an
    // iterator result object per window.
    const windows = this.windowsFor(r.timestamp);
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
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
        this.track(r.key, w);
      }
    }
    if (closed) this.sendLate(r, closed, wm);
    if (this.p.emit === 'final' && wm >= this.pending.nextClose) this.emitClosed(wm);
    if (wm >= this.nextPurge) this.purge(wm, wm - this.p.retentionMs - this.p.windows.sizeMs);
  }

  /** The windows of the last record, when the next one falls in the same windows (see `windowsFor`). */
  private lastStart = -1;
  private lastWindows: readonly TimeWindow[] = [];

  /**
   * `windows.windowsFor(t)`, reusing the previous record's (frozen) window objects while `t` stays
   * in the same advance step: consecutive records mostly share their windows, and a hopping 30m/5m
   * window set is an array and 6 objects per record otherwise. When the size is a multiple of the
   * advance, the set depends only on the step's start; otherwise it is computed for every record.
   */
  private windowsFor(t: number): readonly TimeWindow[] {
    const { advanceMs, sizeMs } = this.p.windows;
    if (sizeMs % advanceMs !== 0) return this.p.windows.windowsFor(t);
    // Still in the last record's step: no remainder (a call into C for floating-point numbers).
    const last = this.lastStart;
    if (last >= 0 && t >= last && t - last < advanceMs) return this.lastWindows;
    const start = t - (t % advanceMs);
    if (start !== this.lastStart) {
      this.lastWindows = Object.freeze(this.p.windows.windowsFor(t).map((w) => Object.freeze(w)));
      this.lastStart = start;
    }
    return this.lastWindows;
  }

  protected closeAt(w: TimeWindow): number {
    return w.end + this.p.windows.graceMs;
  }

  protected fetchClosed(key: K, w: TimeWindow): VA | undefined {
    return this.store.fetch(key, w.start);
  }

  /** The window's end is exclusive: its result carries its last millisecond. */
  protected override resultTimestamp(w: TimeWindow): number {
    return w.end - 1;
  }
}
