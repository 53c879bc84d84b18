/**
 * The fraud feature vector: a fixed order published as FEATURE_NAMES, versioned by
 * FEATURE_SET_VERSION (bump it whenever a name, order or meaning changes; models refuse a
 * different version).
 *
 * Point-in-time rule: `computeFeatures(state, event)` reads only what `state` holds, and the
 * caller folds the event in afterwards, so an event never sees itself. Windows also skip buffered
 * events whose time is later than the event's own (out-of-order arrival), so no later event is
 * seen either. A window of length w at time t covers earlier events p with t − w < p ≤ t: an event
 * exactly w old is outside.
 */
import { hourOfDay, isNight, isWeekend } from './calendar.ts';
import { categoryCode, paymentMethodCode } from './codes.ts';
import {
  DEFAULT_LIMITS,
  type EntityState,
  type EntityStateLimits,
  merchantKey,
  NO_DEVICE,
} from './entity-state.ts';
import { haversineKm } from './geo.ts';
import { knownLabels, type MerchantRiskState } from './merchant-risk.ts';
import { placeOf, type TransactionView } from './view.ts';

export const FEATURE_SET_VERSION = 'fraud-features/1';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Window lengths (ms) and their name suffixes, shortest first. */
export const WINDOWS = [
  { name: '5m', ms: 5 * MIN },
  { name: '30m', ms: 30 * MIN },
  { name: '1h', ms: HOUR },
  { name: '24h', ms: DAY },
  { name: '7d', ms: 7 * DAY },
] as const;

export const FEATURE_NAMES: readonly string[] = Object.freeze([
  'amount',
  'category_code',
  'payment_method_code',
  'hour',
  'is_night',
  'is_weekend',
  'customer_age_years',
  'gender_male',
  'city_pop',
  'customer_merchant_km',
  ...WINDOWS.flatMap((w) => [`count_${w.name}`, `amount_sum_${w.name}`]),
  'amount_max_24h',
  'amount_mean',
  'amount_std',
  'amount_zscore',
  'amount_over_mean',
  'amount_over_max_7d',
  'seconds_since_prev',
  'km_from_prev',
  'speed_kmh_from_prev',
  'distinct_merchants_24h',
  'distinct_devices_24h',
  'night_count_24h',
  'history_count',
  'category_new',
  'category_share',
  'amount_over_category_mean',
  'merchant_new',
  'merchant_fraud_rate',
  'merchant_labelled_count',
]);

export const FEATURE_COUNT = FEATURE_NAMES.length;
const WINDOW_BASE = FEATURE_NAMES.indexOf('count_5m');
const AFTER_WINDOWS = WINDOW_BASE + 2 * WINDOWS.length;

export interface FeatureOptions {
  limits?: EntityStateLimits;
  /** How long after a transaction its label becomes known (merchant fraud rate). Default 7 days. */
  labelDelayMs?: number;
}

export const DEFAULT_LABEL_DELAY_MS = 7 * DAY;

// Scratch for distinct counts: no allocation per event.
const distinctScratch: number[] = [];

function countDistinct(
  values: number[],
  times: number[],
  from: number,
  to: number,
  skipEmpty: boolean,
): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const p = times[i];
    if (p > to || p <= from) continue;
    const v = values[i];
    if (skipEmpty && v === NO_DEVICE) continue;
    let seen = false;
    for (let j = 0; j < n; j++) {
      if (distinctScratch[j] === v) {
        seen = true;
        break;
      }
    }
    if (!seen) distinctScratch[n++] = v;
  }
  return n;
}

/**
 * Feature vector of `event` given the entity's state BEFORE the event (and optionally the
 * merchant's label state). Writes into `out` when given (allocation-free hot path).
 *
 * @example
 *   const f = computeFeatures(cardState, view, merchantState);
 *   updateEntityState(cardState, view);
 *   f[FEATURE_NAMES.indexOf('count_1h')];
 */
export function computeFeatures(
  state: EntityState,
  event: TransactionView,
  merchant?: MerchantRiskState,
  options: FeatureOptions = {},
  out: Float64Array = new Float64Array(FEATURE_COUNT),
): Float64Array {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const t = event.time;
  const amount = event.amount;
  const tz = limits.utcOffsetMinutes;
  let k = 0;
  out[k++] = amount;
  out[k++] = categoryCode(event.category);
  out[k++] = paymentMethodCode(event.paymentMethod);
  out[k++] = hourOfDay(t, tz);
  out[k++] = isNight(t, tz) ? 1 : 0;
  out[k++] = isWeekend(t, tz) ? 1 : 0;
  out[k++] = event.customerAgeYears ?? Number.NaN;
  out[k++] = event.gender === 'M' ? 1 : event.gender === 'F' ? 0 : Number.NaN;
  out[k++] = event.cityPop ?? Number.NaN;
  out[k++] = haversineKm(event.lat, event.lon, event.merchantLat, event.merchantLon);

  for (let w = 0; w < WINDOWS.length; w++) {
    out[WINDOW_BASE + 2 * w] = 0;
    out[WINDOW_BASE + 2 * w + 1] = 0;
  }
  let max24h = 0;
  let max7d = 0;
  let night24h = 0;
  const { times, amounts, nights } = state;
  for (let i = 0; i < times.length; i++) {
    const age = t - times[i];
    if (age < 0 || age >= WINDOWS[WINDOWS.length - 1].ms) continue;
    const a = amounts[i];
    for (let w = 0; w < WINDOWS.length; w++) {
      if (age < WINDOWS[w].ms) {
        out[WINDOW_BASE + 2 * w]++;
        out[WINDOW_BASE + 2 * w + 1] += a;
      }
    }
    if (a > max7d) max7d = a;
    if (age < DAY) {
      if (a > max24h) max24h = a;
      night24h += nights[i];
    }
  }
  k = AFTER_WINDOWS;
  out[k++] = max24h;
  const std = state.count > 1 ? Math.sqrt(state.m2 / (state.count - 1)) : Number.NaN;
  const mean = state.count > 0 ? state.mean : Number.NaN;
  out[k++] = mean;
  out[k++] = std;
  out[k++] = std > 0 ? (amount - mean) / std : Number.NaN;
  out[k++] = mean > 0 ? amount / mean : Number.NaN;
  out[k++] = max7d > 0 ? amount / max7d : Number.NaN;
  const prev = state.lastTime;
  const sincePrev = prev === null ? Number.NaN : (t - prev) / 1000;
  out[k++] = sincePrev;
  const place = placeOf(event);
  const km =
    state.lastLat === null || state.lastLon === null || place === null
      ? Number.NaN
      : haversineKm(state.lastLat, state.lastLon, place[0], place[1]);
  out[k++] = km;
  // One second floor: two events in the same second must not produce an infinite speed.
  out[k++] =
    Number.isFinite(km) && Number.isFinite(sincePrev) ? km / (Math.max(sincePrev, 1) / 3600) : Number.NaN;
  out[k++] = countDistinct(state.merchants, times, t - DAY, t, false);
  out[k++] = countDistinct(state.devices, times, t - DAY, t, true);
  out[k++] = night24h;
  out[k++] = state.count;
  const cat = state.categories[event.category];
  out[k++] = cat ? 0 : 1;
  out[k++] = state.count > 0 ? (cat ? cat[0] : 0) / state.count : Number.NaN;
  out[k++] = cat && cat[1] > 0 ? amount / (cat[1] / cat[0]) : Number.NaN;
  out[k++] = state.merchantsSeen.has(merchantKey(event.merchant)) ? 0 : 1;
  if (merchant) {
    const [n, frauds] = knownLabels(merchant, t, options.labelDelayMs ?? DEFAULT_LABEL_DELAY_MS);
    out[k++] = n > 0 ? frauds / n : Number.NaN;
    out[k++] = n;
  } else {
    out[k++] = Number.NaN;
    out[k++] = 0;
  }
  return out;
}
