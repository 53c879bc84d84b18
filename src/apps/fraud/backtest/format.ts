/** The backtest report as text tables: per decision, per rule pack (and level), per rule. */
import type { BacktestReport } from './run.ts';
import type { BacktestRates } from './tally.ts';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = header.map((_h, i) => i > 0 && rows.every((r) => /^[\d.,%-]*$/.test(r[i])));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ratio = (v: number) => v.toFixed(3);
const percent = (v: number) => `${(v * 100).toFixed(2)}%`;
const RATE_HEADER = ['flagged', 'frauds', 'precision', 'recall', 'alert rate'];
const rateCells = (r: BacktestRates) => [
  r.flagged.toLocaleString('en-US'),
  r.truePositives.toLocaleString('en-US'),
  ratio(r.precision),
  ratio(r.recall),
  percent(r.alertRate),
];

/**
 * @example
 *   process.stdout.write(formatBacktestReport(await runBacktest({ csv })));
 */
export function formatBacktestReport(report: BacktestReport): string {
  const out: string[] = [];
  const n = (v: number) => v.toLocaleString('en-US');
  out.push(
    `backtest of ${report.csv}${report.warmUpRows > 0 ? ` (after ${n(report.warmUpRows)} warm-up rows)` : ''}: ${n(report.rows)} rows, ${n(report.scored)} scored, ${n(report.frauds)} frauds ` +
      `(${percent(report.scored === 0 ? 0 : report.frauds / report.scored)}), ${n(report.rejected)} rejected by validation` +
      `${report.skippedRows > 0 ? `, ${n(report.skippedRows)} unparseable rows skipped` : ''}`,
  );
  out.push(
    `rule packs: ${report.rulePacks.map((p) => `${p.pack}@${p.version}+${p.hash}`).join(', ')}`,
    `${report.runtime}: ${report.elapsedSeconds.toFixed(1)} s, ${n(Math.round(report.eventsPerSec))} events/s`,
    '',
    'per decision (default policy; flagged = events with that decision)',
    table(
      ['decision', ...RATE_HEADER],
      report.decisions.map((d) => [d.decision, ...rateCells(d)]),
    ),
    '',
    'per rule pack (alerted = severity >= low; >=high = reviewed or blocked by the default policy)',
    table(
      ['pack', 'flagged by', ...RATE_HEADER],
      report.packs.flatMap((p) => [
        [p.pack, 'alerted', ...rateCells(p.alerted)],
        [p.pack, '>=high', ...rateCells(p.atLeastHigh)],
        ...p.levels.map((l) => [p.pack, `level ${l.level}`, ...rateCells(l)]),
      ]),
    ),
    '',
    'per rule (flagged = the rule hit)',
    table(
      ['pack', 'rule', 'reason', ...RATE_HEADER],
      report.packs.flatMap((p) => p.rules.map((r) => [p.pack, r.rule, r.reason, ...rateCells(r)])),
    ),
    '',
  );
  return out.join('\n');
}
