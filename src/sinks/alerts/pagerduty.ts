/**
 * PagerDuty Events API v2 channel for CRITICAL alerts: POST /v2/enqueue with
 * event_action "trigger" and dedup_key = alert id, so PagerDuty itself folds a re-sent alert
 * into the open incident.
 */
import { type AlertSeverity, alertSummary, type FraudAlert, severityAtLeast } from './alert.ts';
import { type AlertChannel, postJson } from './channel.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyChannelOptions {
  /** integration (routing) key of the PagerDuty service; empty disables the channel */
  routingKey: string;
  /** Events API URL; default PAGERDUTY_EVENTS_URL */
  url?: string;
  /** lowest severity paged; default 'critical' */
  minSeverity?: AlertSeverity;
  /** payload.source; default 'fraudstream' */
  source?: string;
  channelName?: string;
}

const PD_SEVERITY: Record<AlertSeverity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

/** The Events v2 body for an alert (exported for tests and previews). */
export function pagerDutyEvent(
  alert: FraudAlert,
  routingKey: string,
  source = 'fraudstream',
): Record<string, unknown> {
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: alert.alertId,
    payload: {
      summary: alertSummary(alert).slice(0, 1024),
      severity: PD_SEVERITY[alert.severity],
      source,
      timestamp: new Date(alert.eventTime).toISOString(),
      component: 'fraud-detection',
      group: alert.pack,
      class: alert.level,
      custom_details: {
        transaction_id: alert.transactionId,
        customer_id: alert.customerId,
        merchant: alert.merchant,
        amount: alert.amount,
        currency: alert.currency,
        score: alert.score,
        reasons: alert.reasons.map((r) => r.code),
        rule_pack: alert.packVersion,
        decision: alert.decision ?? null,
      },
    },
  };
}

/**
 * @example
 *   const pd = new PagerDutyChannel({ routingKey: process.env.PAGERDUTY_ROUTING_KEY ?? '' });
 */
export class PagerDutyChannel implements AlertChannel {
  readonly name: string;
  readonly #options: PagerDutyChannelOptions;

  constructor(options: PagerDutyChannelOptions) {
    this.name = options.channelName ?? 'pagerduty';
    this.#options = options;
  }

  accepts(alert: FraudAlert): boolean {
    return (
      this.#options.routingKey !== '' &&
      severityAtLeast(alert.severity, this.#options.minSeverity ?? 'critical')
    );
  }

  send(alert: FraudAlert, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(pagerDutyEvent(alert, this.#options.routingKey, this.#options.source));
    return postJson(this.#options.url ?? PAGERDUTY_EVENTS_URL, body, {}, signal);
  }
}
