/**
 * Merchant fraud rate with label delay: a merchant-keyed state that learns a transaction's label
 * only once that label would be known in production (chargebacks arrive days later).
 *
 * Replaying a labelled history, `recordOutcome` files each label in a day bucket; the bucket counts
 * only once its whole day plus `labelDelayMs` has passed. That is conservative (a label can count
 * up to one day late, never early), and it bounds the state to about delay/1 day buckets.
 * A live system that receives labels as they become known calls `addKnownLabel` instead.
 */
export const MERCHANT_RISK_VERSION = 1;
const DAY_MS = 24 * 3_600_000;

export interface MerchantRiskState {
  v: typeof MERCHANT_RISK_VERSION;
  /** Labels known so far. */
  labelled: number;
  frauds: number;
  /** Labels not known yet, flattened triples [day index, count, frauds], oldest first. */
  pending: number[];
}

/** @example const m = createMerchantRiskState(); */
export function createMerchantRiskState(): MerchantRiskState {
  return { v: MERCHANT_RISK_VERSION, labelled: 0, frauds: 0, pending: [] };
}

/** File the label of a transaction that happened at `eventTime`; it becomes visible after the delay. */
export function recordOutcome(state: MerchantRiskState, eventTime: number, isFraud: boolean): void {
  const day = Math.floor(eventTime / DAY_MS);
  const p = state.pending;
  const last = p.length - 3;
  if (last >= 0 && p[last] === day) {
    p[last + 1]++;
    p[last + 2] += isFraud ? 1 : 0;
  } else {
    p.push(day, 1, isFraud ? 1 : 0);
  }
}

/** A label that is known now (live feed of chargebacks / analyst verdicts). */
export function addKnownLabel(state: MerchantRiskState, isFraud: boolean): void {
  state.labelled++;
  state.frauds += isFraud ? 1 : 0;
}

function isMature(day: number, now: number, labelDelayMs: number): boolean {
  return (day + 1) * DAY_MS + labelDelayMs <= now;
}

/** Move every pending bucket whose labels are known at `now` into the known counts. */
export function matureLabels(state: MerchantRiskState, now: number, labelDelayMs: number): void {
  const p = state.pending;
  let i = 0;
  while (i < p.length && isMature(p[i], now, labelDelayMs)) {
    state.labelled += p[i + 1];
    state.frauds += p[i + 2];
    i += 3;
  }
  if (i > 0) p.splice(0, i);
}

/**
 * Known labels at `now` (without mutating the state): [labelled count, fraud count].
 *
 * @example
 *   const [n, frauds] = knownLabels(m, event.time, 7 * 86_400_000);
 */
export function knownLabels(state: MerchantRiskState, now: number, labelDelayMs: number): [number, number] {
  let n = state.labelled;
  let frauds = state.frauds;
  const p = state.pending;
  for (let i = 0; i < p.length && isMature(p[i], now, labelDelayMs); i += 3) {
    n += p[i + 1];
    frauds += p[i + 2];
  }
  return [n, frauds];
}
