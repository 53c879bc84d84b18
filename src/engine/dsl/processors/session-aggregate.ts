/**
 * Session-window aggregation. A session is `[first, last]` record time (inclusive); a record at t joins
 * (and merges) every session of its key with `end >= t − gap` and `start <= t + gap`. A session closes
 * when no on-time record can extend it any more: `end + gap + 1 + grace <= watermark`. A record whose
 * merged session is closed is late; in `final` mode a session is emitted when it closes. In `update` mode
 * a merge forwards a tombstone (`newValue: null`) for each session it absorbed, then the merged one.
 */
import type { StreamRecord } from '../../processor/types.ts';
import type { SessionStore, TimeWindow } from '../../state/types.ts';
import type { SessionWindows } from '../../time/windows.ts';
import type { Merger } from '../types.ts';
import { type WindowedAggregateParams, WindowedAggregateProcessor } from './windowed-aggregate.ts';

export interface SessionAggregateParams<K, V, VA> extends WindowedAggregateParams<K, V, VA> {
  windows: SessionWindows;
  merger: Merger<K, VA>;
}

export class SessionAggregateProcessor<K, V, VA> extends WindowedAggregateProcessor<
  K,
  V,
  VA,
  SessionStore<K, VA>,
  SessionAggregateParams<K, V, VA>
> {
  // As KStreamSessionWindowAggregate: closed once no on-time record could extend it (end + gap + grace).
  protected closeAt(w: TimeWindow): number {
    return w.end + this.p.windows.gapMs + 1 + this.p.windows.graceMs;
  }

  protected fetchClosed(key: K, w: TimeWindow): VA | undefined {
    let value: VA | undefined;
    for (const s of this.store.findSessions(key, w.end, w.start)) {
      if (s.key.window.start === w.start && s.key.window.end === w.end) value = s.value;
    }
    return value;
  }

  process(r: StreamRecord<K, V>): void {
    if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
    this.time.observe(r.timestamp);
    const wm = this.time.watermark();
    const gap = this.p.windows.gapMs;
    const t = r.timestamp;
    const overlapping = [...this.store.findSessions(r.key, t - gap, t + gap)];
    let start = t;
    let end = t;
    for (const s of overlapping) {
      start = Math.min(start, s.key.window.start);
      end = Math.max(end, s.key.window.end);
    }
    const merged = { start, end };
    if (this.closeAt(merged) <= wm) {
      this.sendLate(r, { start, end: end + 1 }, wm);
      return;
    }
    let agg = this.p.initializer();
    for (const s of overlapping) {
      agg = this.p.merger(r.key, agg, s.value);
      this.store.remove(s.key);
      if (this.p.emit === 'update') {
        this.ctx.forward({
          key: s.key,
          value: { newValue: null, oldValue: s.value },
          timestamp: t,
          headers: r.headers,
        });
      } else {
        this.pending.remove(this.closeAt(s.key.window), this.id(r.key, s.key.window));
      }
    }
    agg = this.p.aggregator(r.key, r.value, agg);
    this.store.put({ key: r.key, window: merged }, agg);
    if (this.p.emit === 'update') {
      this.ctx.forward({
        key: { key: r.key, window: merged },
        value: { newValue: agg, oldValue: null },
        timestamp: t,
        headers: r.headers,
      });
    } else {
      this.track(r.key, merged);
      if (wm >= this.pending.nextClose) this.emitClosed(wm);
    }
    if (wm >= this.nextPurge) this.purge(wm, wm - this.p.retentionMs);
  }
}
