/**
 * The normalised transaction every fraud feature is computed from. Sparkov card transactions and
 * generator orders both map onto it, so one feature code path serves training and serving.
 */
import { FraudstreamError } from '../../../errors.ts';

export interface TransactionView {
  /** Whose history the features describe: the card number (Sparkov) or the customer id (orders). */
  entityId: string;
  /** Event time, epoch milliseconds (UTC). */
  time: number;
  amount: number;
  merchant: string;
  category: string;
  /** Customer (home) location; NaN when unknown. */
  lat: number;
  lon: number;
  merchantLat: number;
  merchantLon: number;
  device?: string;
  paymentMethod?: string;
  country?: string;
  customerAgeYears?: number;
  /** 'M' / 'F' or anything else (unknown). */
  gender?: string;
  cityPop?: number;
  transactionId?: string;
}

/**
 * One Sparkov / Kaggle `fraudTrain.csv` row, columns as named in the file (values still strings or
 * numbers). `CardTransaction` (src/events/card-transaction.ts) fits it.
 */
export interface SparkovRow {
  trans_date_trans_time: string;
  cc_num: string | number;
  merchant: string;
  category: string;
  amt: string | number;
  gender?: string;
  lat: string | number;
  long: string | number;
  city_pop?: string | number;
  dob?: string;
  trans_num?: string;
  unix_time?: string | number;
  merch_lat: string | number;
  merch_long: string | number;
}

const YEAR_MS = 365.2425 * 24 * 3600 * 1000;
const EXCEL_TIME = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * `YYYY-MM-DD HH:MM:SS` (the files' format), or `DD-MM-YYYY HH:MM` as Kaggle extracts re-saved by
 * spreadsheets have it; read as UTC. NaN otherwise.
 */
export function parseSparkovTime(text: string): number {
  const m = EXCEL_TIME.exec(text);
  if (m)
    return Date.UTC(
      Number(m[3]),
      Number(m[2]) - 1,
      Number(m[1]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6] ?? 0),
    );
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/**
 * Sparkov's `trans_date_trans_time` is a naive timestamp equal to `unix_time` read as UTC, so it
 * is parsed as UTC (hour/night/weekend features then match the file's own clock).
 *
 * @example
 *   const view = fromSparkovRow({ trans_date_trans_time: '2019-01-01 00:03:08', cc_num: '4481', ... });
 */
export function fromSparkovRow(row: SparkovRow): TransactionView {
  const time = parseSparkovTime(row.trans_date_trans_time);
  const amount = Number(row.amt);
  if (!Number.isFinite(time)) {
    throw new FraudstreamError(
      'FS_CSV_INVALID',
      `trans_date_trans_time "${row.trans_date_trans_time}" is not a timestamp`,
    );
  }
  if (!Number.isFinite(amount))
    throw new FraudstreamError('FS_CSV_INVALID', `amt "${row.amt}" is not a number`);
  const dob = row.dob ? Date.parse(`${row.dob}T00:00:00Z`) : Number.NaN;
  return {
    entityId: String(row.cc_num),
    time,
    amount,
    merchant: row.merchant,
    category: row.category,
    lat: Number(row.lat),
    lon: Number(row.long),
    merchantLat: Number(row.merch_lat),
    merchantLon: Number(row.merch_long),
    gender: row.gender,
    customerAgeYears: Number.isFinite(dob) ? (time - dob) / YEAR_MS : undefined,
    cityPop: row.city_pop === undefined ? undefined : Number(row.city_pop),
    transactionId: row.trans_num,
  };
}

/**
 * The order fields the feature code needs: a structural subset of `Order` (src/events/commerce.ts),
 * so generator orders and `/predict/raw` bodies both fit.
 */
export interface OrderLike {
  order_id?: string;
  customer_id: string;
  merchant_id?: string;
  merchant_category?: string;
  amount: number;
  payment_method?: string;
  country?: string;
  /** where the order was placed */
  lat?: number;
  lon?: number;
  device_id?: string;
  /** epoch ms */
  timestamp: number;
}

/** Map an order onto the view: the customer is the entity; the order's location is where it happened. */
export function fromOrder(order: OrderLike): TransactionView {
  if (!Number.isFinite(order.timestamp)) {
    throw new FraudstreamError(
      'FS_SCHEMA_INVALID',
      `order timestamp "${order.timestamp}" is not epoch milliseconds`,
    );
  }
  return {
    entityId: order.customer_id,
    time: order.timestamp,
    amount: order.amount,
    merchant: order.merchant_id ?? '',
    category: order.merchant_category ?? '',
    lat: order.lat ?? Number.NaN,
    lon: order.lon ?? Number.NaN,
    merchantLat: Number.NaN,
    merchantLon: Number.NaN,
    device: order.device_id,
    paymentMethod: order.payment_method,
    country: order.country,
    transactionId: order.order_id,
  };
}

/**
 * Where a transaction happened: the merchant's location when known, else the customer's
 * (orders carry only the place they were made from).
 */
export function placeOf(event: TransactionView): [lat: number, lon: number] | null {
  if (Number.isFinite(event.merchantLat) && Number.isFinite(event.merchantLon))
    return [event.merchantLat, event.merchantLon];
  if (Number.isFinite(event.lat) && Number.isFinite(event.lon)) return [event.lat, event.lon];
  return null;
}
