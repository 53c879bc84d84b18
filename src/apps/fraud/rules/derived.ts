/**
 * The registry of safe functions a rule pack may use to declare derived inputs. Packs name a
 * function and its arguments (input names or numeric literals); nothing is evaluated as code.
 */
import type { InputValue } from './types.ts';

type DerivedFn = (args: InputValue[]) => InputValue;

interface DerivedFnSpec {
  arity: readonly [min: number, max: number];
  doc: string;
  fn: DerivedFn;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function num(v: InputValue): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Local hour of a ms timestamp; the optional offset (minutes east of UTC) selects the zone. */
function hourOfDay(ts: number, offsetMinutes: number): number {
  const local = ts + offsetMinutes * 60_000;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

function dayOfWeek(ts: number, offsetMinutes: number): number {
  // 1970-01-01 was a Thursday (4); Sunday = 0.
  const days = Math.floor((ts + offsetMinutes * 60_000) / DAY_MS);
  return (((days + 4) % 7) + 7) % 7;
}

/**
 * Seed 000's velocity score, verbatim:
 * order_frequency = total_orders / max(account_age_days, 1);
 * amount_per_day = total_amount * order_frequency;
 * min(order_frequency * 0.1 + amount_per_day * 0.001, 1.0)
 */
export function velocityScore(totalAmount: number, accountAgeDays: number, totalOrders: number): number {
  const orderFrequency = totalOrders / Math.max(accountAgeDays, 1);
  const amountPerDay = totalAmount * orderFrequency;
  return Math.min(orderFrequency * 0.1 + amountPerDay * 0.001, 1.0);
}

export const DERIVED_FUNCTIONS: Readonly<Record<string, DerivedFnSpec>> = {
  hour_of_day: {
    arity: [1, 2],
    doc: 'hour 0-23 of a ms timestamp (UTC, or arg 2 = offset in minutes)',
    fn: ([ts, off]) => {
      const t = num(ts);
      return t === null ? null : hourOfDay(t, num(off) ?? 0);
    },
  },
  day_of_week: {
    arity: [1, 2],
    doc: 'day of week 0 (Sunday) - 6 (Saturday) of a ms timestamp',
    fn: ([ts, off]) => {
      const t = num(ts);
      return t === null ? null : dayOfWeek(t, num(off) ?? 0);
    },
  },
  is_weekend: {
    arity: [1, 2],
    doc: 'true on Saturday and Sunday',
    fn: ([ts, off]) => {
      const t = num(ts);
      if (t === null) return null;
      const d = dayOfWeek(t, num(off) ?? 0);
      return d === 0 || d === 6;
    },
  },
  velocity_score: {
    arity: [3, 3],
    doc: 'seed 000 velocity: (total_amount, account_age_days, total_orders) -> [0, 1]',
    fn: ([amount, age, orders]) => {
      const a = num(amount);
      const d = num(age);
      const o = num(orders);
      return a === null || d === null || o === null ? null : velocityScore(a, d, o);
    },
  },
  ratio: {
    arity: [2, 2],
    doc: 'a / b, absent when b is absent or <= 0',
    fn: ([a, b]) => {
      const x = num(a);
      const y = num(b);
      return x === null || y === null || y <= 0 ? null : x / y;
    },
  },
  add: {
    arity: [2, 2],
    doc: 'a + b (e.g. a point-in-time count of earlier events + 1 for the current one)',
    fn: ([a, b]) => {
      const x = num(a);
      const y = num(b);
      return x === null || y === null ? null : x + y;
    },
  },
  lower: {
    arity: [1, 1],
    doc: 'lower-case of a string',
    fn: ([s]) => (typeof s === 'string' ? s.toLowerCase() : null),
  },
};
