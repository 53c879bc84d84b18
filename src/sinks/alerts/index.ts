/**
 * Alert channels: alerts topic records, Slack incoming webhook, signed generic webhook and
 * PagerDuty Events v2, behind a non-blocking dispatcher with retries, dedup and dead letters.
 * See docs/alerts.md.
 *
 * @example
 *   const dispatcher = new AlertDispatcher({
 *     channels: createAlertChannels(config.alerts),
 *     onDeadLetter: (dl) => console.error(dl.reason),
 *   });
 *   const alert = buildAlert({ transactionId, amount, eventTime }, packResult, Date.now());
 *   if (alert) dispatcher.dispatch(alert);
 */
import type { AlertSeverity } from './alert.ts';
import type { AlertChannel } from './channel.ts';
import { PagerDutyChannel } from './pagerduty.ts';
import { SlackChannel } from './slack.ts';
import { WebhookChannel } from './webhook.ts';

export * from './alert.ts';
export { type AlertChannel, postJson, redact } from './channel.ts';
export { type AlertDedupStore, LmdbDedupStore, MemoryDedupStore } from './dedup.ts';
export * from './dispatcher.ts';
export * from './pagerduty.ts';
export * from './slack.ts';
export * from './topic.ts';
export * from './webhook.ts';

export interface AlertChannelsConfig {
  /** empty or absent disables Slack (seed 002) */
  slackWebhookUrl?: string;
  slackMinSeverity?: AlertSeverity;
  webhookUrl?: string;
  webhookSecret?: string;
  webhookMinSeverity?: AlertSeverity;
  /** empty or absent disables PagerDuty */
  pagerdutyRoutingKey?: string;
  pagerdutyUrl?: string;
}

/**
 * The enabled channels for a configuration (a channel with no URL/key is left out). The keys
 * match the `alerts` section of src/config.ts, so `createAlertChannels(config.alerts)` works.
 */
export function createAlertChannels(config: AlertChannelsConfig): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (config.slackWebhookUrl) {
    channels.push(
      new SlackChannel({ webhookUrl: config.slackWebhookUrl, minSeverity: config.slackMinSeverity }),
    );
  }
  if (config.webhookUrl) {
    channels.push(
      new WebhookChannel({
        url: config.webhookUrl,
        secret: config.webhookSecret ?? '',
        minSeverity: config.webhookMinSeverity,
      }),
    );
  }
  if (config.pagerdutyRoutingKey) {
    channels.push(
      new PagerDutyChannel({ routingKey: config.pagerdutyRoutingKey, url: config.pagerdutyUrl || undefined }),
    );
  }
  return channels;
}
