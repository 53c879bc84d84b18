/** Parsing of option values; every mistake is FS_USAGE naming the flag and the value. */
import { FraudstreamError } from '../errors.ts';
import type { OptionValues } from './command.ts';

export function usageError(message: string): FraudstreamError {
  return new FraudstreamError('FS_USAGE', message);
}

export function stringOption(values: OptionValues, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(values: OptionValues, flag: string): string {
  const value = stringOption(values, flag);
  if (value === undefined || value === '') throw usageError(`--${flag} is required`);
  return value;
}

export function numberOption(
  values: OptionValues,
  flag: string,
  range: { min?: number; max?: number; minExclusive?: number } = {},
): number | undefined {
  const raw = stringOption(values, flag);
  if (raw === undefined) return undefined;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const describe = () =>
    range.minExclusive !== undefined && range.max === undefined
      ? `a number greater than ${range.minExclusive}`
      : range.min !== undefined && range.max !== undefined
        ? `a number from ${range.min} to ${range.max}`
        : 'a number';
  if (
    Number.isNaN(value) ||
    (range.min !== undefined && value < range.min) ||
    (range.max !== undefined && value > range.max) ||
    (range.minExclusive !== undefined && value <= range.minExclusive)
  ) {
    throw usageError(`--${flag} must be ${describe()}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function integerOption(values: OptionValues, flag: string, min = 0): number | undefined {
  const raw = stringOption(values, flag);
  if (raw === undefined) return undefined;
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw usageError(`--${flag} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `now`, ms since the epoch, or an ISO-8601 date/time (UTC unless it says otherwise). */
export function timeOption(values: OptionValues, flag: string): number | undefined {
  const raw = stringOption(values, flag);
  if (raw === undefined) return undefined;
  if (raw === 'now') return Date.now();
  if (/^\d+$/.test(raw)) return Number(raw);
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(raw) || !/T|\d:\d/.test(raw) ? raw : `${raw.replace(' ', 'T')}Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms))
    throw usageError(
      `--${flag} must be 'now', ms since the epoch or an ISO date/time, got ${JSON.stringify(raw)}`,
    );
  return ms;
}

export function choiceOption<T extends string>(
  values: OptionValues,
  flag: string,
  choices: readonly T[],
): T | undefined {
  const raw = stringOption(values, flag);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw usageError(`--${flag} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}
