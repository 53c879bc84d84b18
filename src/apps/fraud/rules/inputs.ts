/**
 * The flat record rule packs read, built from a streaming feature vector and its event.
 * Names are the feature names (FEATURE_NAMES) plus event fields and a few customer-history
 * inputs seed 000 needs; docs/rules.md lists which pack reads which name.
 */
import type { TransactionView } from '../features/view.ts';

export interface RuleInputExtras {
  /** card / customer is on a known-fraud list (seed 001); never the training label */
  known_fraud?: boolean;
  /** customer account age in days (seed 000) */
  account_age_days?: number;
  /** aggregated customer fraud score 0-100 (seed 004) */
  customer_fraud_score?: number;
  /** what the event is: a pack may score only one kind (its `when`) */
  event_kind?: 'order' | 'card_transaction';
}

const EVENT_NAMES = [
  'amount',
  'category',
  'payment_method',
  'country',
  'event_time',
  'known_fraud',
  'account_age_days',
  'customer_fraud_score',
  'event_kind',
  'customer_total_orders',
  'customer_total_amount',
];

/**
 * An object with every name `ruleRecord` writes, made by JSON.parse so V8 gives it a fixed shape
 * (an object filled name by name with ~40 names becomes a slow dictionary): pass it as `out` and
 * reuse it, rules read it at every evaluation.
 */
export function emptyRuleRecord(featureNames: readonly string[]): Record<string, unknown> {
  const names = [...new Set([...featureNames, ...EVENT_NAMES])];
  return JSON.parse(`{${names.map((n) => `${JSON.stringify(n)}:null`).join(',')}}`);
}

type Copier = (out: Record<string, unknown>, features: ArrayLike<number>, offset: number) => void;
const copiers = new WeakMap<readonly string[], Copier>();

/**
 * `out[name_j] = features[offset + j]` for every name, as generated straight-line code: one store
 * per name at its own site (a loop over names is one store site seeing ~40 names, V8's slow path).
 */
function copierFor(featureNames: readonly string[]): Copier {
  let copy = copiers.get(featureNames);
  if (copy === undefined) {
    const body = featureNames.map((n, j) => `out[${JSON.stringify(n)}] = f[o + ${j}];`).join('\n');
    copy = new Function('out', 'f', 'o', body) as Copier;
    copiers.set(featureNames, copy);
  }
  return copy;
}

/**
 * Fills `out` (reused across calls to avoid allocation) with the features of row `offset / n`
 * and the event's fields.
 * @example
 *   const rec = ruleRecord(FEATURE_NAMES, features, 0, view);
 *   const results = rulesEngine.evaluate(rec);
 */
export function ruleRecord(
  featureNames: readonly string[],
  features: ArrayLike<number>,
  offset: number,
  view: TransactionView,
  extras: RuleInputExtras = {},
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  copierFor(featureNames)(out, features, offset);
  out.amount = view.amount;
  out.category = view.category;
  out.payment_method = view.paymentMethod;
  out.country = view.country;
  out.event_time = view.time;
  out.known_fraud = extras.known_fraud;
  out.account_age_days = extras.account_age_days;
  out.customer_fraud_score = extras.customer_fraud_score;
  out.event_kind = extras.event_kind;
  // Seed 000's customer history including this order, from the lifetime feature figures.
  const count = out.history_count;
  const mean = out.amount_mean;
  if (typeof count === 'number' && Number.isFinite(count)) {
    out.customer_total_orders = count + 1;
    out.customer_total_amount =
      (count > 0 && typeof mean === 'number' && Number.isFinite(mean) ? mean * count : 0) + view.amount;
  } else {
    out.customer_total_orders = undefined;
    out.customer_total_amount = undefined;
  }
  return out;
}
