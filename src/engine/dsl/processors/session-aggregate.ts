/**
 * Session-window aggregation. A session is `[first, last]` record time (inclusive); a record at t joins
 * (and merges) every session of its key with `end >= t − gap` and `start <= t + gap`. A session closes
 * when no on-time record can extend it any more: `end + gap + 1 + grace <= watermark`. A record whose
 * merged session is closed is late; in `final` mode a session is emitted when it closes. In `update` mode
 * a merge forwards a tombstone (`newValue: null`) for each session it absorbed, then the merged one.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../../processor/types.ts';
import type { Serde } from '../../serde/index.ts';
import type { SessionStore, TimeWindow, Windowed } from '../../state/types.ts';
import type { EmitMode, SessionWindows } from '../../time/windows.ts';
import type { Aggregator, Initializer, Merger } from '../types.ts';
import { type Change, ClosingIndex, internal, lateHeaders, TimeTracker } from './common.ts';

export interface SessionAggregateParams<K, V, VA> {
  storeName: string;
  timeStoreName: string;
  windows: SessionWindows;
  retentionMs: number;
  initializer: Initializer<VA>;
  aggregator: Aggregator<K, V, VA>;
  merger: Merger<K, VA>;
  emit: EmitMode;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  lateTopic: string | undefined;
}

export class SessionAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private readonly p: SessionAggregateParams<K, V, VA>;
  private ctx!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: SessionStore<K, VA>;
  private time!: TimeTracker;
  private readonly pending = new ClosingIndex<K>();
  private nextPurge = 0;

  constructor(params: SessionAggregateParams<K, V, VA>) {
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

  private closeAt(w: TimeWindow): number {
    return w.end + this.p.windows.gapMs + 1 + this.p.windows.graceMs;
  }

  private id(key: K, w: TimeWindow): string {
    return `${(this.p.keySerde.serialize(key) ?? Buffer.alloc(0)).toString('latin1')}|${w.start}|${w.end}`;
  }

  private track(key: K, window: TimeWindow): void {
    this.pending.add({ id: this.id(key, window), key, window, closeAt: this.closeAt(window) });
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
    // As KStreamSessionWindowAggregate: closed once no on-time record could extend it (end + gap + grace).
    if (this.closeAt(merged) <= wm) {
      internal(this.ctx as ProcessorContext<unknown, unknown>).sendLate(
        this.p.keySerde.serialize(r.key),
        this.p.valueSerde.serialize(r.value),
        t,
        { ...r.headers, ...lateHeaders({ start, end: end + 1 }, wm, t, this.p.storeName) },
        this.p.lateTopic,
      );
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
    if (wm >= this.nextPurge) {
      this.store.purgeBefore(wm - this.p.retentionMs);
      this.nextPurge = wm + Math.max(1, Math.floor(this.p.retentionMs / 2));
    }
  }

  private emitClosed(wm: number): void {
    for (const e of this.pending.popClosed(wm)) {
      let value: VA | undefined;
      for (const s of this.store.findSessions(e.key, e.window.end, e.window.start)) {
        if (s.key.window.start === e.window.start && s.key.window.end === e.window.end) value = s.value;
      }
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
