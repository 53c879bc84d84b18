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

/**
 * What every window spec has: a grace period (default 0) during which a window still accepts records
 * after its end. Specs are immutable: `grace()` returns a copy.
 */
abstract class GracedWindows {
  readonly graceMs: number;
  protected constructor(graceMs: number) {
    this.graceMs = graceMs;
  }
  grace(graceMs: number): this {
    const copy: this = Object.create(Object.getPrototypeOf(this));
    return Object.assign(copy, this, { graceMs: checkDuration('grace', graceMs, true) });
  }
}

/** Tumbling (advance = size) or hopping (advance < size) windows. */
export class TimeWindows extends GracedWindows {
  readonly kind = 'time' as const;
  readonly sizeMs: number;
  readonly advanceMs: number;
  private constructor(size: number, advance: number, grace: number) {
    super(grace);
    this.sizeMs = size;
    this.advanceMs = advance;
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
export class SlidingWindows extends GracedWindows {
  readonly kind = 'sliding' as const;
  readonly timeDifferenceMs: number;
  private constructor(diff: number) {
    super(0);
    this.timeDifferenceMs = diff;
  }
  static ofTimeDifference(ms: number): SlidingWindows {
    return new SlidingWindows(checkDuration('sliding time difference', ms));
  }
}

/** Sessions of activity separated by at least `gap` of inactivity. */
export class SessionWindows extends GracedWindows {
  readonly kind = 'session' as const;
  readonly gapMs: number;
  private constructor(gap: number) {
    super(0);
    this.gapMs = gap;
  }
  static withGap(gapMs: number): SessionWindows {
    return new SessionWindows(checkDuration('session gap', gapMs));
  }
}

/** Stream–stream join window: how far apart in event time two records may be and still join. */
export class JoinWindows extends GracedWindows {
  readonly beforeMs: number;
  readonly afterMs: number;
  private constructor(before: number, after: number, grace: number) {
    super(grace);
    this.beforeMs = before;
    this.afterMs = after;
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
}

export type WindowSpec = TimeWindows | SlidingWindows | SessionWindows;

/** `update`: emit every change of a window's aggregate; `final`: emit once, when the window closes. */
export type EmitMode = 'update' | 'final';
