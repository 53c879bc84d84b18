/**
 * Validation and sanitisation of incoming events (seed 000 "Data Validation & Cleaning"):
 * schema (the event model's TypeBox schemas), ranges the schema cannot express (amount > 0,
 * ISO 4217 currency, coordinates, timestamps not absurdly in the future or past, birth date
 * before the transaction) and free-text neutralisation. A rejected record carries every reason,
 * ready for the dead-letter topic (`deadLetterRecord(record, reasons.join('; '))`).
 */
import {
  CardTransaction,
  type CardTransaction as CardTransactionEvent,
  Order,
  type Order as OrderEvent,
  Payment,
  type Payment as PaymentEvent,
  type Validator,
  validator,
} from '../../../events/index.ts';
import { mayNeedNeutralizing, neutralizeText, type TextFinding } from './sanitize.ts';

export type ValidationResult<T> =
  | {
      ok: true;
      /** a sanitised copy (the input is never mutated) */
      value: T;
      /** non-fatal findings, one line each, e.g. "city: sanitized (xss)" */
      warnings: string[];
      /** fields whose text was neutralised and why, e.g. ["restaurant_name:xss"] */
      sanitized: string[];
    }
  | { ok: false; reasons: string[] };

export interface ValidationOptions {
  /** how far in the future an event time may be (clock skew); default 5 min */
  maxFutureSkewMs?: number;
  /** earliest plausible event time; default 2000-01-01T00:00:00Z */
  minEventTime?: number;
  /** largest plausible amount; default 1,000,000 */
  maxAmount?: number;
  /** clock; default Date.now */
  now?: () => number;
}

const DEFAULTS = {
  maxFutureSkewMs: 5 * 60_000,
  minEventTime: Date.UTC(2000, 0, 1),
  maxAmount: 1_000_000,
};

const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Free-text fields neutralised on a copy of each record. */
const ORDER_TEXT_FIELDS = ['restaurant_name', 'merchant_category', 'city'] as const;
const CARD_TEXT_FIELDS = ['merchant', 'category', 'first', 'last', 'street', 'city', 'state', 'job'] as const;

/** Sanitises `record[field]` in place on a copy and records findings. */
function cleanText(record: Record<string, unknown>, field: string, path: string, sanitized: string[]): void {
  const v = record[field];
  // the common case (clean text) allocates nothing: no result object, no findings array
  if (typeof v !== 'string' || !mayNeedNeutralizing(v)) return;
  const { text, findings } = neutralizeText(v);
  if (findings.length === 0) return;
  record[field] = text;
  for (const f of findings) sanitized.push(`${path}:${f}`);
}

function checkAmount(amount: number, field: string, max: number, reasons: string[]): void {
  if (!(amount > 0)) reasons.push(`${field}: must be > 0 (got ${amount})`);
  else if (amount > max) reasons.push(`${field}: ${amount} exceeds the plausible maximum ${max}`);
}

function checkCurrency(currency: string, reasons: string[]): void {
  if (!ISO_CURRENCIES.has(currency)) reasons.push(`currency: "${currency}" is not an ISO 4217 currency code`);
}

function checkEventTime(
  time: number,
  field: string,
  options: Required<ValidationOptions>,
  reasons: string[],
): void {
  const now = options.now();
  if (!Number.isFinite(time)) reasons.push(`${field}: not a timestamp`);
  else if (time > now + options.maxFutureSkewMs)
    reasons.push(
      `${field}: ${new Date(time).toISOString()} is more than ${options.maxFutureSkewMs} ms in the future (now ${new Date(now).toISOString()})`,
    );
  else if (time < options.minEventTime)
    reasons.push(`${field}: ${new Date(time).toISOString()} is implausibly old`);
}

function checkCoordinates(
  lat: number,
  lon: number,
  field: string,
  reasons: string[],
  warnings: string[],
): void {
  if (!(lat >= -90 && lat <= 90)) reasons.push(`${field}: latitude ${lat} outside [-90, 90]`);
  if (!(lon >= -180 && lon <= 180)) reasons.push(`${field}: longitude ${lon} outside [-180, 180]`);
  // (0, 0) is where missing coordinates default to; not fatal, but distances would be nonsense.
  if (lat === 0 && lon === 0) warnings.push(`${field}: coordinates are (0, 0), probably missing`);
}

function finish<T>(
  value: T,
  reasons: string[],
  warnings: string[],
  sanitized: string[],
): ValidationResult<T> {
  if (reasons.length > 0) return { ok: false, reasons };
  for (const s of sanitized) {
    const [path, finding] = s.split(':') as [string, TextFinding];
    warnings.push(`${path}: sanitized (${finding})`);
  }
  return { ok: true, value, warnings, sanitized };
}

/**
 * Validators for the fraud pipeline's inputs, sharing one clock and limits.
 * @example
 *   const validate = createValidators({ maxFutureSkewMs: 5 * 60_000 });
 *   const r = validate.order(json);
 *   if (!r.ok) dlq(record, r.reasons.join('; ')); else process(r.value);
 */
export function createValidators(options: ValidationOptions = {}) {
  const opts: Required<ValidationOptions> = { ...DEFAULTS, now: Date.now, ...options };
  const orderSchema: Validator<OrderEvent> = validator(Order);
  const cardSchema: Validator<CardTransactionEvent> = validator(CardTransaction);
  const paymentSchema: Validator<PaymentEvent> = validator(Payment);

  return {
    /** A food-delivery order (seed 000/001). */
    order(input: unknown): ValidationResult<OrderEvent> {
      if (!orderSchema.check(input)) return { ok: false, reasons: orderSchema.errors(input) };
      const reasons: string[] = [];
      const warnings: string[] = [];
      checkAmount(input.amount, 'amount', opts.maxAmount, reasons);
      checkCurrency(input.currency, reasons);
      checkEventTime(input.timestamp, 'timestamp', opts, reasons);
      checkCoordinates(input.lat, input.lon, 'lat/lon', reasons, warnings);
      const itemsTotal = input.items.reduce((sum, i) => sum + i.quantity * i.unit_price, 0);
      if (itemsTotal > 0 && Math.abs(itemsTotal - input.amount) > Math.max(1, input.amount * 0.5))
        warnings.push(`amount: ${input.amount} differs from the items total ${itemsTotal.toFixed(2)}`);
      const sanitized: string[] = [];
      const value = { ...input, items: input.items.map((i) => ({ ...i })) } as OrderEvent;
      const rec = value as unknown as Record<string, unknown>;
      for (const f of ORDER_TEXT_FIELDS) cleanText(rec, f, f, sanitized);
      for (let i = 0; i < value.items.length; i++) {
        const item = value.items[i] as unknown as Record<string, unknown>;
        // the path (a new string) only for a name that may need it
        if (typeof item.name === 'string' && mayNeedNeutralizing(item.name))
          cleanText(item, 'name', `items[${i}].name`, sanitized);
      }
      return finish(value, reasons, warnings, sanitized);
    },

    /** A Sparkov card transaction (seed 002). Amounts are USD in that data set. */
    cardTransaction(input: unknown): ValidationResult<CardTransactionEvent> {
      if (!cardSchema.check(input)) return { ok: false, reasons: cardSchema.errors(input) };
      const reasons: string[] = [];
      const warnings: string[] = [];
      checkAmount(input.amt, 'amt', opts.maxAmount, reasons);
      const time = Date.parse(`${input.trans_date_trans_time.replace(' ', 'T')}Z`);
      checkEventTime(time, 'trans_date_trans_time', opts, reasons);
      checkCoordinates(input.lat, input.long, 'lat/long', reasons, warnings);
      checkCoordinates(input.merch_lat, input.merch_long, 'merch_lat/merch_long', reasons, warnings);
      const dob = Date.parse(`${input.dob}T00:00:00Z`);
      if (!Number.isFinite(dob)) reasons.push(`dob: "${input.dob}" is not a date`);
      else if (Number.isFinite(time) && dob > time)
        reasons.push(`dob: ${input.dob} is after the transaction`);
      if (!/^\d{12,19}$/.test(input.cc_num))
        warnings.push(`cc_num: ${input.cc_num.length} characters, not 12-19 digits`);
      const sanitized: string[] = [];
      const value = { ...input };
      const rec = value as unknown as Record<string, unknown>;
      for (const f of CARD_TEXT_FIELDS) cleanText(rec, f, f, sanitized);
      return finish(value, reasons, warnings, sanitized);
    },

    /** A payment attempt (seed 004). */
    payment(input: unknown): ValidationResult<PaymentEvent> {
      if (!paymentSchema.check(input)) return { ok: false, reasons: paymentSchema.errors(input) };
      const reasons: string[] = [];
      checkAmount(input.amount, 'amount', opts.maxAmount, reasons);
      checkCurrency(input.currency, reasons);
      checkEventTime(input.timestamp, 'timestamp', opts, reasons);
      return finish({ ...input }, reasons, [], []);
    },
  };
}

export type Validators = ReturnType<typeof createValidators>;
