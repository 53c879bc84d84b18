/**
 * Window specifications and their arithmetic, on event time (ms). Boundaries follow Kafka Streams:
 * - tumbling/hopping: `[start, start + size)`, starts aligned to multiples of `advance` from epoch 0;
 * - sliding (`SlidingWindows`): `[start, start + timeDifference]`, both ends inclusive (reported with
 *   `end = start + timeDifference`), one window ending at each record and one starting right after it
 *   (only if not empty);
 * - session: `[first, last]` record timestamps inclusive; records at most `gap` apart merge;
 * - join: a left record at `t` matches right records with `t - before <= t' <= t + after`.
 * Every spec has a grace period (default 0): a window stays open until the watermark reaches
 * `end + grace` (end exclusive; for sessions and sliding windows, whose end is inclusive, `end + 1 + grace`).
 *
 * @example
 *   TimeWindows.ofSize(minutes(5)).grace(seconds(30));     // tumbling
 *   TimeWindows.ofSize(minutes(30)).advanceBy(minutes(5)); // hopping
 *   SessionWindows.withGap(minutes(30));
 *   SlidingWindows.ofTimeDifference(minutes(10));
 *   JoinWindows.of(minutes(5));                            // ±5 minutes
 */
import { FraudstreamError } from '../../errors.ts';
import type { TimeWindow } from '../state/types.ts';

export const seconds = (n: number): number => n * 1000;
export const minutes = (n: number): number => n * 60_000;
export const hours = (n: number): number => n * 3_600_000;

function checkDuration(what: string, ms: number, allowZero = false): number {
  if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw new FraudstreamError(
      'FS_TOPOLOGY_INVALID',
      `${what} must be a ${allowZero ? 'non-negative' : 'positive'} integer of ms, got ${ms}`,
    );
  }
  return ms;
}

/** Tumbling (advance = size) or hopping (advance < size) windows. */
export class TimeWindows {
  readonly kind = 'time' as const;
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
  private constructor(size: number, advance: number, grace: number) {
    this.sizeMs = size;
    this.advanceMs = advance;
    this.graceMs = grace;
  }
  static ofSize(sizeMs: number): TimeWindows {
    checkDuration('window size', sizeMs);
    return new TimeWindows(sizeMs, sizeMs, 0);
  }
  advanceBy(advanceMs: number): TimeWindows {
    checkDuration('window advance', advanceMs);
    if (advanceMs > this.sizeMs) {
      throw new FraudstreamError(
        'FS_TOPOLOGY_INVALID',
        `window advance ${advanceMs} exceeds window size ${this.sizeMs}`,
      );
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }
  grace(graceMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, this.advanceMs, checkDuration('grace', graceMs, true));
  }
  /** Every window containing `timestamp`, oldest first. */
  windowsFor(timestamp: number): TimeWindow[] {
    const out: TimeWindow[] = [];
    const lastStart = timestamp - (timestamp % this.advanceMs);
    for (let start = lastStart; start > timestamp - this.sizeMs && start >= 0; start -= this.advanceMs) {
      out.push({ start, end: start + this.sizeMs });
    }
    return out.reverse();
  }
}

/** Kafka Streams sliding windows: fixed size `timeDifference`, created by records. */
export class SlidingWindows {
  readonly kind = 'sliding' as const;
  readonly timeDifferenceMs: number;
  readonly graceMs: number;
  private constructor(diff: number, grace: number) {
    this.timeDifferenceMs = diff;
    this.graceMs = grace;
  }
  static ofTimeDifference(ms: number): SlidingWindows {
    return new SlidingWindows(checkDuration('sliding time difference', ms), 0);
  }
  grace(graceMs: number): SlidingWindows {
    return new SlidingWindows(this.timeDifferenceMs, checkDuration('grace', graceMs, true));
  }
}

/** Sessions of activity separated by at least `gap` of inactivity. */
export class SessionWindows {
  readonly kind = 'session' as const;
  readonly gapMs: number;
  readonly graceMs: number;
  private constructor(gap: number, grace: number) {
    this.gapMs = gap;
    this.graceMs = grace;
  }
  static withGap(gapMs: number): SessionWindows {
    return new SessionWindows(checkDuration('session gap', gapMs), 0);
  }
  grace(graceMs: number): SessionWindows {
    return new SessionWindows(this.gapMs, checkDuration('grace', graceMs, true));
  }
}

/** Stream–stream join window: how far apart in event time two records may be and still join. */
export class JoinWindows {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
  private constructor(before: number, after: number, grace: number) {
    this.beforeMs = before;
    this.afterMs = after;
    this.graceMs = grace;
  }
  /** Symmetric: |t_left - t_right| <= ms. */
  static of(ms: number): JoinWindows {
    checkDuration('join window', ms, true);
    return new JoinWindows(ms, ms, 0);
  }
  before(ms: number): JoinWindows {
    return new JoinWindows(checkDuration('join before', ms, true), this.afterMs, this.graceMs);
  }
  after(ms: number): JoinWindows {
    return new JoinWindows(this.beforeMs, checkDuration('join after', ms, true), this.graceMs);
  }
  grace(graceMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, this.afterMs, checkDuration('grace', graceMs, true));
  }
}

export type WindowSpec = TimeWindows | SlidingWindows | SessionWindows;

/** `update`: emit every change of a window's aggregate; `final`: emit once, when the window closes. */
export type EmitMode = 'update' | 'final';
