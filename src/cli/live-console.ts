/**
 * The one-screen live summary of `fraudstream start` on a TTY (redrawn in place every second),
 * a log line every few seconds otherwise, and the final summary.
 */
import type { StatsSnapshot } from '../apps/fraud/app/live-stats.ts';
import type { FraudAlert } from '../sinks/alerts/index.ts';
import type { Output } from './command.ts';

const LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const n = (v: number) => Math.round(v).toLocaleString('en-US');

export function summaryLines(s: StatsSnapshot & { state?: string }, title = 'fraudstream'): string[] {
  const levels = LEVELS.map((l) => `${l} ${n(s.alertsByLevel[l] ?? 0)}`).join('  ');
  const decisions = ['allow', 'review', 'block'].map((d) => `${d} ${n(s.decisions[d] ?? 0)}`).join('  ');
  const reasons = s.topReasons
    .slice(0, 5)
    .map((r) => `${r.reason} ${n(r.count)}`)
    .join('  ');
  return [
    `${title}  ${s.state ?? ''}  up ${(s.uptimeMs / 1000).toFixed(0)} s`,
    `  events     ${n(s.events)}  (${n(s.eventsPerSec)}/s now, ${n(s.averageEventsPerSec)}/s average)  p99 ${s.latencyP99Ms.toFixed(1)} ms`,
    `  alerts     ${n(s.alerts)}   ${levels}`,
    `  decisions  ${decisions}`,
    `  top reasons ${reasons || '-'}`,
    `  dead letters ${n(s.deadLetters)}`,
  ];
}

export class LiveConsole {
  private drawn = 0;
  private alertsThisSecond = 0;
  private suppressed = 0;
  private lastLog = 0;
  private readonly out: Output;

  constructor(out: Output) {
    this.out = out;
  }

  get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** HIGH and CRITICAL alerts as lines above the summary (at most 5 a second, the rest counted). */
  alert(a: FraudAlert): void {
    if (a.severity !== 'critical' && a.severity !== 'high') return;
    if (this.alertsThisSecond >= 5) {
      this.suppressed++;
      return;
    }
    this.alertsThisSecond++;
    const reasons = a.reasons.map((r) => r.code).join(', ');
    const amount = a.amount === null ? '' : ` $${a.amount.toFixed(2)}`;
    this.print(
      `ALERT ${a.level.padEnd(8)}${amount} customer ${a.customerId ?? '?'} at ${a.merchant ?? '?'}: ${reasons}`,
    );
  }

  /** Called once a second. */
  tick(s: StatsSnapshot & { state?: string }): void {
    if (this.suppressed > 0)
      this.print(`  (+${this.suppressed} more HIGH/CRITICAL alerts in the last second)`);
    this.alertsThisSecond = 0;
    this.suppressed = 0;
    if (this.tty) {
      this.clear();
      const lines = summaryLines(s);
      this.out.write(`${lines.join('\n')}\n`);
      this.drawn = lines.length;
    } else if (s.t - this.lastLog >= 5000) {
      this.lastLog = s.t;
      this.out.write(
        `fraudstream: ${n(s.events)} events (${n(s.eventsPerSec)}/s), ${n(s.alerts)} alerts, ${n(s.deadLetters)} dead letters\n`,
      );
    }
  }

  /** Removes the live block (before the final summary). */
  finish(): void {
    if (this.tty) this.clear();
  }

  private print(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
  }

  private clear(): void {
    if (!this.tty || this.drawn === 0) return;
    this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }
}
