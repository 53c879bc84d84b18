/**
 * Sparkov / Kaggle CSV rows → `CardTransaction`. Kaggle copies in the wild went through spreadsheets,
 * so dates come as `YYYY-MM-DD HH:MM:SS`, `DD-MM-YYYY HH:MM` or `D/M/YYYY H:MM` (day first, as the
 * rows' unix_time confirms); all are read as UTC and normalised to `YYYY-MM-DD HH:MM:SS`.
 */
import {
  CARD_TRANSACTION_COLUMNS,
  CardTransaction,
  type CardTransactionColumn,
  validator,
} from '../events/index.ts';

/** A row that could not be turned into a CardTransaction. */
export interface BadRow {
  /** 1-based physical line in the file where the row starts (the header is line 1) */
  line: number;
  /** offending column, when one is to blame */
  column?: string;
  /** offending raw value */
  value?: string;
  message: string;
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const DAY_FIRST = /^(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** ms since the epoch (UTC) of a Sparkov date/time in any of the accepted layouts, or undefined. */
export function parseSparkovTime(text: string): number | undefined {
  let parts: RegExpExecArray | null = ISO.exec(text);
  let year: number;
  let month: number;
  let day: number;
  if (parts) {
    [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  } else if ((parts = DAY_FIRST.exec(text))) {
    [day, month, year] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  } else {
    return undefined;
  }
  const [hour, minute, second] = [Number(parts[4] ?? 0), Number(parts[5] ?? 0), Number(parts[6] ?? 0)];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC rolls 31/02 over into March; a real calendar date round-trips.
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  return ms;
}

const isoDateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const NUMBER_COLUMNS = new Set<CardTransactionColumn>(['amt', 'lat', 'long', 'merch_lat', 'merch_long']);
const INTEGER_COLUMNS = new Set<CardTransactionColumn>(['zip', 'city_pop', 'unix_time']);
const cardTransactions = validator(CardTransaction);

export type RowResult =
  | { ok: true; value: CardTransaction; timestamp: number }
  | { ok: false; problem: BadRow };

/**
 * Convert one row's fields, given the index of each column in the row.
 *
 * @example
 *   const result = sparkovRow(fields, columnIndex, 17);
 *   if (!result.ok) console.error(`line ${result.problem.line}: ${result.problem.message}`);
 */
export function sparkovRow(
  fields: readonly string[],
  columnIndex: ReadonlyMap<CardTransactionColumn, number>,
  line: number,
): RowResult {
  const bad = (message: string, column?: string, value?: string): RowResult => ({
    ok: false,
    problem: { line, column, value, message },
  });
  const row: Record<string, unknown> = {};
  let timestamp = 0;
  for (const column of CARD_TRANSACTION_COLUMNS) {
    const raw = fields[columnIndex.get(column)!]?.trim() ?? '';
    if (column === 'trans_date_trans_time' || column === 'dob') {
      const ms = parseSparkovTime(raw);
      if (ms === undefined) return bad(`${column} ${JSON.stringify(raw)} is not a date`, column, raw);
      if (column === 'dob') row.dob = isoDate(ms);
      else {
        timestamp = ms;
        row.trans_date_trans_time = isoDateTime(ms);
      }
    } else if (NUMBER_COLUMNS.has(column) || INTEGER_COLUMNS.has(column)) {
      const value = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value))
        return bad(`${column} ${JSON.stringify(raw)} is not a number`, column, raw);
      if (INTEGER_COLUMNS.has(column) && !Number.isInteger(value)) {
        return bad(`${column} ${JSON.stringify(raw)} is not an integer`, column, raw);
      }
      row[column] = value;
    } else if (column === 'is_fraud') {
      if (raw !== '0' && raw !== '1')
        return bad(`is_fraud ${JSON.stringify(raw)} is not 0 or 1`, column, raw);
      row.is_fraud = raw === '1' ? 1 : 0;
    } else {
      row[column] = raw;
    }
  }
  if (!cardTransactions.check(row)) return bad(cardTransactions.errors(row).join('; '));
  return { ok: true, value: row, timestamp };
}
