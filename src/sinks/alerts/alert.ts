/**
 * The fraud alert record every channel sends, and its deterministic id: the same transaction
 * scored by the same rule-pack version at the same level always yields the same id, so an alert
 * re-emitted after a restart is recognised (dedup store, Slack text, PagerDuty dedup_key,
 * webhook Idempotency-Key).
 */
import { hash } from 'node:crypto';

/** Normalised severity (the rule packs map their level names onto it). */
export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['low', 'medium', 'high', 'critical'];

export interface AlertReason {
  /** reason code, e.g. HIGH_AMOUNT */
  code: string;
  /** rule id that produced it */
  rule: string;
  description?: string;
}

export interface FraudAlert {
  alertId: string;
  transactionId: string;
  customerId: string | null;
  merchant: string | null;
  amount: number | null;
  currency: string | null;
  /** rule pack (or 'model') that raised the alert, with its version and content hash */
  pack: string;
  packVersion: string;
  /** pack level name, e.g. CRITICAL or HIGH_RISK */
  level: string;
  severity: AlertSeverity;
  score: number;
  reasons: AlertReason[];
  /** decision taken for the transaction, when known */
  decision?: 'allow' | 'review' | 'block';
  /** topics the pack routes this alert to besides the alerts topic (seed 004: bss.fraud.high-risk) */
  routes: string[];
  /** event time of the transaction, ms */
  eventTime: number;
  /** when the alert was built, ms */
  createdAt: number;
}

/**
 * sha256(transactionId, packVersion, level) as 32 hex chars.
 * @example
 *   alertIdFor('t-1', 'seed001-points@1.0.0+ef3488c699136d24', 'CRITICAL'); // '6f1c…'
 */
export function alertIdFor(transactionId: string, packVersion: string, level: string): string {
  // one-shot hash: half the cost of createHash().update().digest() (~0.6 vs ~1.2 µs), same digest
  return hash('sha256', `${transactionId}\u0000${packVersion}\u0000${level}`, 'hex').slice(0, 32);
}

export interface AlertSubject {
  transactionId: string;
  customerId?: string | null;
  merchant?: string | null;
  amount?: number | null;
  currency?: string | null;
  eventTime: number;
}

/** The part of a rule-pack result an alert needs (structurally a RulePackResult). */
export interface ScoredPack {
  pack: string;
  version: string;
  hash: string;
  score: number;
  level: string;
  severity: string;
  hits: ReadonlyArray<{ rule: string; reason: string }>;
  routes?: readonly string[];
}

/**
 * Builds the alert for one pack result, or null when the severity is `none` (MINIMAL,
 * LEGITIMATE...): only LOW/MEDIUM/HIGH/CRITICAL frauds are alerted, as seed 002 does.
 * @example
 *   const alert = buildAlert({ transactionId: 't-1', amount: 6200, eventTime }, result, Date.now());
 */
export function buildAlert(
  subject: AlertSubject,
  result: ScoredPack,
  now: number,
  decision?: FraudAlert['decision'],
): FraudAlert | null {
  if (!ALERT_SEVERITIES.includes(result.severity as AlertSeverity)) return null;
  const packVersion = `${result.pack}@${result.version}+${result.hash}`;
  return {
    alertId: alertIdFor(subject.transactionId, packVersion, result.level),
    transactionId: subject.transactionId,
    customerId: subject.customerId ?? null,
    merchant: subject.merchant ?? null,
    amount: subject.amount ?? null,
    currency: subject.currency ?? null,
    pack: result.pack,
    packVersion,
    level: result.level,
    severity: result.severity as AlertSeverity,
    score: result.score,
    reasons: result.hits.map((h) => ({ code: h.reason, rule: h.rule })),
    ...(decision === undefined ? {} : { decision }),
    routes: [...(result.routes ?? [])],
    eventTime: subject.eventTime,
    createdAt: now,
  };
}

/**
 * Alerts for every pack result of one transaction (severity none skipped), in pack order.
 * @example
 *   const alerts = buildAlerts(subject, rules.evaluate(record), Date.now(), decision);
 *   const one = mostSevereAlert(alerts); // e.g. one Slack message per transaction
 */
export function buildAlerts(
  subject: AlertSubject,
  results: readonly ScoredPack[],
  now: number,
  decision?: FraudAlert['decision'],
): FraudAlert[] {
  const out: FraudAlert[] = [];
  for (const r of results) {
    const a = buildAlert(subject, r, now, decision);
    if (a) out.push(a);
  }
  return out;
}

/** The highest-severity alert (the first pack wins a tie), or null for none. */
export function mostSevereAlert(alerts: readonly FraudAlert[]): FraudAlert | null {
  let best: FraudAlert | null = null;
  for (const a of alerts) {
    if (best === null || ALERT_SEVERITIES.indexOf(a.severity) > ALERT_SEVERITIES.indexOf(best.severity))
      best = a;
  }
  return best;
}

export function severityAtLeast(severity: AlertSeverity, min: AlertSeverity): boolean {
  return ALERT_SEVERITIES.indexOf(severity) >= ALERT_SEVERITIES.indexOf(min);
}

/** "$6,200.00 USD" or "n/a". */
export function formatAmount(alert: FraudAlert): string {
  if (alert.amount === null) return 'n/a';
  const currency = alert.currency ?? 'USD';
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(alert.amount);
  } catch {
    return `${alert.amount.toFixed(2)} ${currency}`;
  }
}

/** One line for logs, consoles and PagerDuty summaries. */
export function alertSummary(alert: FraudAlert): string {
  const reasons = alert.reasons.map((r) => r.code).join(', ') || 'no reason code';
  return `${alert.level} fraud risk (${alert.pack}, score ${alert.score}): ${formatAmount(alert)} by customer ${
    alert.customerId ?? 'unknown'
  } at ${alert.merchant ?? 'unknown merchant'} - ${reasons} [txn ${alert.transactionId}]`;
}
