/**
 * Live statistics of a running fraud pipeline: totals, a per-second rate, alerts by level,
 * decisions, top reasons, top merchants/countries by fraud rate. Fed by the topology's observers
 * (so after a crash-restart a few events may count twice — these are operator figures, the
 * exactly-once record is the output topics) and read by the console, the dashboard and the
 * final `--json` summary.
 */
import type { FraudAlert } from '../../../sinks/alerts/index.ts';
import type { ScoredEvent } from '../pipeline/types.ts';

export interface StatsSnapshot {
  t: number;
  uptimeMs: number;
  events: number;
  eventsPerSec: number;
  /** over the whole run */
  averageEventsPerSec: number;
  alerts: number;
  alertsByLevel: Record<string, number>;
  levels: Record<string, number>;
  decisions: Record<string, number>;
  deadLetters: number;
  topReasons: { reason: string; count: number }[];
  topMerchants: { merchant: string; fraudRate: number; count: number }[];
  topCountries: { country: string; fraudRate: number; count: number }[];
  latencyP99Ms: number;
  labelledFrauds: number;
}

interface Tally {
  count: number;
  flagged: number;
}

const LATENCY_WINDOW = 4096;

export class LiveStats {
  private readonly startedAt: number;
  private events = 0;
  private alerts = 0;
  private deadLetters = 0;
  private labelledFrauds = 0;
  private readonly alertsByLevel: Record<string, number> = {};
  private readonly levels: Record<string, number> = {};
  private readonly decisions: Record<string, number> = { allow: 0, review: 0, block: 0 };
  private readonly reasons = new Map<string, number>();
  private readonly merchants = new Map<string, Tally>();
  private readonly countries = new Map<string, Tally>();
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private latencyCount = 0;
  private rateWindow: { t: number; events: number }[] = [];
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
    this.startedAt = now();
  }

  onScored(s: ScoredEvent): void {
    this.events++;
    this.levels[s.riskLevel] = (this.levels[s.riskLevel] ?? 0) + 1;
    this.decisions[s.decision] = (this.decisions[s.decision] ?? 0) + 1;
    for (const r of s.reasons) this.reasons.set(r, (this.reasons.get(r) ?? 0) + 1);
    const flagged = s.decision !== 'allow' ? 1 : 0;
    tally(this.merchants, s.merchantName ?? s.merchantId, flagged);
    tally(this.countries, s.country, flagged);
    this.latencies[this.latencyCount++ % LATENCY_WINDOW] = s.latencyMs;
    if (s.label?.isFraud) this.labelledFrauds++;
  }

  onAlert(a: FraudAlert): void {
    this.alerts++;
    this.alertsByLevel[a.level] = (this.alertsByLevel[a.level] ?? 0) + 1;
  }

  onDeadLetter(): void {
    this.deadLetters++;
  }

  snapshot(): StatsSnapshot {
    const t = this.now();
    this.rateWindow.push({ t, events: this.events });
    while (this.rateWindow.length > 2 && t - this.rateWindow[0].t > 5000) this.rateWindow.shift();
    const first = this.rateWindow[0];
    const span = (t - first.t) / 1000;
    const uptimeMs = t - this.startedAt;
    return {
      t,
      uptimeMs,
      events: this.events,
      eventsPerSec: span > 0 ? Math.round((this.events - first.events) / span) : 0,
      averageEventsPerSec: uptimeMs > 0 ? Math.round(this.events / (uptimeMs / 1000)) : 0,
      alerts: this.alerts,
      alertsByLevel: { ...this.alertsByLevel },
      levels: { ...this.levels },
      decisions: { ...this.decisions },
      deadLetters: this.deadLetters,
      topReasons: [...this.reasons.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([reason, count]) => ({ reason, count })),
      topMerchants: top(this.merchants).map(([merchant, v]) => ({ merchant, ...v })),
      topCountries: top(this.countries).map(([country, v]) => ({ country, ...v })),
      latencyP99Ms: this.latencyP99(),
      labelledFrauds: this.labelledFrauds,
    };
  }

  private latencyP99(): number {
    const n = Math.min(this.latencyCount, LATENCY_WINDOW);
    if (n === 0) return 0;
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
    return sorted[Math.min(n - 1, Math.floor(n * 0.99))];
  }
}

function tally(map: Map<string, Tally>, key: string, flagged: number): void {
  const t = map.get(key);
  if (t) {
    t.count++;
    t.flagged += flagged;
  } else map.set(key, { count: 1, flagged });
}

/** Top 8 by flagged rate among keys with enough volume to mean something. */
function top(map: Map<string, Tally>): [string, { fraudRate: number; count: number }][] {
  const rows = [...map.entries()].map(
    ([k, v]) => [k, { fraudRate: v.flagged / v.count, count: v.count }] as const,
  );
  const minCount = Math.max(5, Math.floor(Math.max(0, ...rows.map(([, v]) => v.count)) * 0.05));
  return rows
    .filter(([, v]) => v.count >= minCount)
    .sort((a, b) => b[1].fraudRate - a[1].fraudRate || b[1].count - a[1].count)
    .slice(0, 8) as [string, { fraudRate: number; count: number }][];
}
