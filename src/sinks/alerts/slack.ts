/**
 * Slack incoming-webhook channel (seed 002): one message per LOW/MEDIUM/HIGH/CRITICAL fraud with
 * the risk level, reasons, amount, customer and merchant. Block Kit plus a plain `text` fallback
 * (shown in notifications). Slack does not deduplicate, so the alert id is in the message and
 * the dispatcher's dedup store prevents resending.
 */
import { type AlertSeverity, alertSummary, type FraudAlert, formatAmount, severityAtLeast } from './alert.ts';
import { type AlertChannel, postJson } from './channel.ts';

export interface SlackChannelOptions {
  /** incoming-webhook URL; an empty string disables the channel (seed 002) */
  webhookUrl: string;
  /** lowest severity sent; default 'low' (every fraud, as seed 002) */
  minSeverity?: AlertSeverity;
  channelName?: string;
}

const EMOJI: Record<AlertSeverity, string> = {
  low: ':large_yellow_circle:',
  medium: ':large_orange_circle:',
  high: ':red_circle:',
  critical: ':rotating_light:',
};

/** The Block Kit message for an alert (exported for tests and previews). */
export function slackMessage(alert: FraudAlert): Record<string, unknown> {
  const reasons = alert.reasons.map((r) => `• \`${r.code}\``).join('\n') || '• (none)';
  return {
    text: `${EMOJI[alert.severity]} ${alertSummary(alert)} (alert ${alert.alertId})`,
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: `${alert.level} fraud risk: ${formatAmount(alert)}`, emoji: true },
      },
      {
        type: 'section',
        fields: [
          {
            type: 'mrkdwn',
            text: `*Risk level*\n${EMOJI[alert.severity]} ${alert.level} (score ${alert.score})`,
          },
          { type: 'mrkdwn', text: `*Amount*\n${formatAmount(alert)}` },
          { type: 'mrkdwn', text: `*Customer*\n${alert.customerId ?? 'unknown'}` },
          { type: 'mrkdwn', text: `*Merchant*\n${alert.merchant ?? 'unknown'}` },
          { type: 'mrkdwn', text: `*Transaction*\n${alert.transactionId}` },
          { type: 'mrkdwn', text: `*Decision*\n${alert.decision ?? 'n/a'}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Reasons*\n${reasons}` } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${alert.packVersion} · alert ${alert.alertId} · ${new Date(alert.eventTime).toISOString()}`,
          },
        ],
      },
    ],
  };
}

/**
 * @example
 *   const slack = new SlackChannel({ webhookUrl: process.env.SLACK_WEBHOOK_URL ?? '' });
 */
export class SlackChannel implements AlertChannel {
  readonly name: string;
  readonly #url: string;
  readonly #min: AlertSeverity;

  constructor(options: SlackChannelOptions) {
    this.name = options.channelName ?? 'slack';
    this.#url = options.webhookUrl;
    this.#min = options.minSeverity ?? 'low';
  }

  get enabled(): boolean {
    return this.#url !== '';
  }

  accepts(alert: FraudAlert): boolean {
    return this.enabled && severityAtLeast(alert.severity, this.#min);
  }

  send(alert: FraudAlert, signal: AbortSignal): Promise<void> {
    return postJson(this.#url, JSON.stringify(slackMessage(alert)), {}, signal);
  }
}
