/**
 * Join processors.
 *
 * - stream–table: a stream record looks up the table's current value (table updates emit nothing).
 * - stream–stream: each side buffers its records in a window store; a record at t joins the other
 *   side's records with t' in [t − before, t + after] (from the left's point of view). Inner joins emit
 *   only matches. Left/outer joins emit `joiner(record, null)` for a record that never matched, once no
 *   match can arrive any more (watermark ≥ t + before + after + 1 + grace; as Kafka Streams ≥ 3.1, no
 *   eager null results). A record is late when its own window has closed — t + after + 1 + grace <=
 *   watermark for a left record (t + before + … for a right one): it goes to the late-records topic.
 * - table–table: a change on either side recomputes the joined value for that key.
 */
import type { Processor, ProcessorContext, StreamRecord } from '../../processor/types.ts';
import type { Serde } from '../../serde/index.ts';
import type { WindowStore } from '../../state/types.ts';
import type { JoinWindows } from '../../time/windows.ts';
import type { ValueJoiner } from '../types.ts';
import {
  type Change,
  ClosingIndex,
  internal,
  lateHeaders,
  TimeTracker,
  type ValueGetterSupplier,
} from './common.ts';

// biome-ignore lint/suspicious/noExplicitAny: both sides of one join, typed differently
const joinGroups = new WeakMap<TimeTracker, StreamStreamJoinProcessor<any, any, any, any>[]>();

export type JoinKind = 'inner' | 'left' | 'outer';

export function streamTableJoin<K, V, VT, VR>(
  getter: ValueGetterSupplier<K, VT>,
  joiner: ValueJoiner<V, VT | null, VR>,
  kind: 'inner' | 'left',
): () => Processor<K, V, K, VR> {
  return () => {
    let ctx: ProcessorContext<K, VR>;
    let get: (key: K) => VT | null;
    return {
      init(c) {
        ctx = c;
        get = getter.init(c as ProcessorContext<unknown, unknown>);
      },
      process(r) {
        if (r.key === null || r.key === undefined) return;
        const tv = get(r.key);
        if (tv === null && kind === 'inner') return;
        ctx.forward({ key: r.key, value: joiner(r.value, tv), timestamp: r.timestamp, headers: r.headers });
      },
    };
  };
}

export interface StreamStreamJoinParams<K, VThis, VOther, VR> {
  /** true for the left input's processor. */
  isLeft: boolean;
  thisStore: string;
  otherStore: string;
  timeStore: string;
  windows: JoinWindows;
  /** Always called as joiner(leftValue, rightValue). */
  joiner: ValueJoiner<unknown, unknown, VR>;
  /** Does this side emit (value, null) for unmatched records? */
  emitUnmatched: boolean;
  keySerde: Serde<K>;
  valueSerde: Serde<VThis>;
  lateTopic: string | undefined;
  /** Phantom for typing. */
  _other?: VOther;
}

export class StreamStreamJoinProcessor<K, VThis, VOther, VR> implements Processor<K, VThis, K, VR> {
  private readonly p: StreamStreamJoinParams<K, VThis, VOther, VR>;
  private ctx!: ProcessorContext<K, VR>;
  private mine!: WindowStore<K, VThis>;
  private other!: WindowStore<K, VOther>;
  private time!: TimeTracker;
  readonly unmatched = new ClosingIndex<K>();
  private readonly values = new Map<string, VThis>();
  private seq = 0;
  private nextPurge = 0;
  // From this side's point of view: other records within [t - lo, t + hi] match.
  private readonly lo: number;
  private readonly hi: number;

  constructor(params: StreamStreamJoinParams<K, VThis, VOther, VR>) {
    this.p = params;
    this.lo = params.isLeft ? params.windows.beforeMs : params.windows.afterMs;
    this.hi = params.isLeft ? params.windows.afterMs : params.windows.beforeMs;
  }

  init(ctx: ProcessorContext<K, VR>): void {
    this.ctx = ctx;
    this.mine = ctx.getStore(this.p.thisStore);
    this.other = ctx.getStore(this.p.otherStore);
    this.time = TimeTracker.shared(ctx as ProcessorContext<unknown, unknown>, this.p.timeStore);
    let group = joinGroups.get(this.time);
    if (!group) joinGroups.set(this.time, (group = []));
    group.push(this);
    if (this.p.emitUnmatched) {
      for (const e of this.mine.all()) {
        const closeAt = this.closeAt(e.key.window.start);
        if (closeAt > this.time.emittedThrough) this.trackUnmatched(e.key.key, e.value, e.key.window.start);
      }
    }
  }

  /** When no partner of a record at t can be accepted any more (each partner t' <= t + hi is late once
   * t' + its own hi + 1 + grace <= watermark). */
  private closeAt(t: number): number {
    return t + this.p.windows.beforeMs + this.p.windows.afterMs + 1 + this.p.windows.graceMs;
  }

  private trackUnmatched(key: K, value: VThis, t: number): void {
    const id = String(this.seq++);
    this.values.set(id, value);
    this.unmatched.add({ id, key, window: { start: t, end: t + 1 }, closeAt: this.closeAt(t) });
  }

  process(r: StreamRecord<K, VThis>): void {
    if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
    this.time.observe(r.timestamp);
    const wm = this.time.watermark();
    const t = r.timestamp;
    if (t + this.hi + 1 + this.p.windows.graceMs <= wm) {
      internal(this.ctx as ProcessorContext<unknown, unknown>).sendLate(
        this.p.keySerde.serialize(r.key),
        this.p.valueSerde.serialize(r.value),
        t,
        {
          ...r.headers,
          ...lateHeaders({ start: t - this.lo, end: t + this.hi + 1 }, wm, t, this.p.thisStore),
        },
        this.p.lateTopic,
      );
      return;
    }
    this.mine.put(r.key, r.value, t);
    for (const e of this.other.fetchRange(r.key, t - this.lo, t + this.hi)) {
      const value = this.p.isLeft ? this.p.joiner(r.value, e.value) : this.p.joiner(e.value, r.value);
      this.ctx.forward({ key: r.key, value, timestamp: Math.max(t, e.key.window.start), headers: r.headers });
    }
    if (this.p.emitUnmatched) this.trackUnmatched(r.key, r.value, t);
    const group = joinGroups.get(this.time)!;
    if (group.some((g) => wm >= g.unmatched.nextClose)) {
      for (const g of group) g.emitUnmatched(wm);
      this.time.markEmitted(wm);
    }
    if (wm >= this.nextPurge) {
      const keep = this.p.windows.beforeMs + this.p.windows.afterMs + this.p.windows.graceMs + 1;
      this.mine.purgeBefore(wm - keep);
      this.nextPurge = wm + Math.max(1, Math.floor(keep / 2));
    }
  }

  close(): void {
    joinGroups.delete(this.time);
  }

  private emitUnmatched(wm: number): void {
    for (const e of this.unmatched.popClosed(wm)) {
      const value = this.values.get(e.id) as VThis;
      this.values.delete(e.id);
      const t = e.window.start;
      let matched = false;
      for (const _ of this.other.fetchRange(e.key, t - this.lo, t + this.hi)) {
        matched = true;
        break;
      }
      if (matched) continue;
      const out = this.p.isLeft ? this.p.joiner(value, null) : this.p.joiner(null, value);
      this.ctx.forward({ key: e.key, value: out, timestamp: t, headers: {} });
    }
  }
}

/** Table–table join, one processor per side. */
export function tableTableJoin<K, VL, VR, VJ>(
  isLeft: boolean,
  otherGetter: ValueGetterSupplier<K, unknown>,
  joiner: ValueJoiner<VL | null, VR | null, VJ>,
  kind: JoinKind,
): () => Processor<K, Change<unknown>, K, Change<VJ>> {
  return () => {
    let ctx: ProcessorContext<K, Change<VJ>>;
    let get: (key: K) => unknown;
    const join = (mine: unknown, other: unknown): VJ | null => {
      const l = (isLeft ? mine : other) as VL | null;
      const r = (isLeft ? other : mine) as VR | null;
      return joinValues(kind, joiner, l, r);
    };
    return {
      init(c) {
        ctx = c;
        get = otherGetter.init(c as ProcessorContext<unknown, unknown>);
      },
      process(rec) {
        if (rec.key === null || rec.key === undefined) return;
        const other = get(rec.key);
        const newValue = join(rec.value.newValue, other);
        const oldValue = join(rec.value.oldValue, other);
        if (newValue === null && oldValue === null) return;
        ctx.forward({
          key: rec.key,
          value: { newValue, oldValue },
          timestamp: rec.timestamp,
          headers: rec.headers,
        });
      },
    };
  };
}

export function joinValues<VL, VR, VJ>(
  kind: JoinKind,
  joiner: ValueJoiner<VL | null, VR | null, VJ>,
  l: VL | null,
  r: VR | null,
): VJ | null {
  if (kind === 'inner') return l !== null && r !== null ? joiner(l, r) : null;
  if (kind === 'left') return l !== null ? joiner(l, r) : null;
  return l !== null || r !== null ? joiner(l, r) : null;
}
