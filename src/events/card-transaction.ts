/**
 * A card transaction in the Sparkov / Kaggle "fraudTrain.csv" shape, column for column as in
 * seed 002's `transactions` table. Key on the log: cc_num.
 *
 * Wire conventions: `cc_num` is a string (19-digit card numbers do not fit a JS number);
 * `trans_date_trans_time` is `YYYY-MM-DD HH:MM:SS` in UTC; `dob` is `YYYY-MM-DD`;
 * `is_fraud` is 0 or 1 as in the CSV.
 */
import { type Static, Type } from '@sinclair/typebox';
import { FraudScenario } from './labels.ts';

/** The CSV header columns, in file order (without Kaggle's unnamed leading index column). */
export const CARD_TRANSACTION_COLUMNS = [
  'trans_date_trans_time',
  'cc_num',
  'merchant',
  'category',
  'amt',
  'first',
  'last',
  'gender',
  'street',
  'city',
  'state',
  'zip',
  'lat',
  'long',
  'city_pop',
  'job',
  'dob',
  'trans_num',
  'unix_time',
  'merch_lat',
  'merch_long',
  'is_fraud',
] as const;
export type CardTransactionColumn = (typeof CARD_TRANSACTION_COLUMNS)[number];

export const CardTransaction = Type.Object(
  {
    trans_date_trans_time: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$' }),
    cc_num: Type.String({ minLength: 1, maxLength: 32 }),
    merchant: Type.String(),
    category: Type.String(),
    amt: Type.Number(),
    first: Type.String(),
    last: Type.String(),
    gender: Type.String(),
    street: Type.String(),
    city: Type.String(),
    state: Type.String(),
    zip: Type.Integer(),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    long: Type.Number({ minimum: -180, maximum: 180 }),
    city_pop: Type.Integer({ minimum: 0 }),
    job: Type.String(),
    dob: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    trans_num: Type.String({ minLength: 1 }),
    unix_time: Type.Integer(),
    merch_lat: Type.Number({ minimum: -90, maximum: 90 }),
    merch_long: Type.Number({ minimum: -180, maximum: 180 }),
    is_fraud: Type.Union([Type.Literal(0), Type.Literal(1)]),
    /** only on generated transactions: which scenario produced it (null = legitimate) */
    fraud_scenario: Type.Optional(Type.Union([FraudScenario, Type.Null()])),
  },
  { $id: 'CardTransaction' },
);
export type CardTransaction = Static<typeof CardTransaction>;
