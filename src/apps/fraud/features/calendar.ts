/** Clock-based features. Times are epoch ms; `utcOffsetMinutes` shifts to the local clock of the data. */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Hour of day 0–23 on the shifted clock. */
export function hourOfDay(time: number, utcOffsetMinutes = 0): number {
  const local = time + utcOffsetMinutes * 60_000;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/**
 * Night is 23:00 (inclusive) to 05:00 (exclusive), the window the seeds use for the night rule.
 *
 * @example
 *   isNight(Date.parse('2020-01-01T23:00:00Z')); // true
 */
export function isNight(time: number, utcOffsetMinutes = 0): boolean {
  const h = hourOfDay(time, utcOffsetMinutes);
  return h >= 23 || h < 5;
}

/** Saturday or Sunday on the shifted clock. */
export function isWeekend(time: number, utcOffsetMinutes = 0): boolean {
  const day = new Date(time + utcOffsetMinutes * 60_000).getUTCDay();
  return day === 0 || day === 6;
}

/** Day index since the epoch on the shifted clock (used to group metrics per day). */
export function dayIndex(time: number, utcOffsetMinutes = 0): number {
  return Math.floor((time + utcOffsetMinutes * 60_000) / DAY_MS);
}
