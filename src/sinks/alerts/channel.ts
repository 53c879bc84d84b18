/**
 * The contract of an alert channel and the one HTTP POST every HTTP channel uses. A channel
 * only formats and sends; queueing, retries, dedup and dead letters live in the dispatcher.
 */
import { FraudstreamError } from '../../errors.ts';
import type { FraudAlert } from './alert.ts';

export interface AlertChannel {
  /** stable name, used in dedup keys, stats and dead-letter records */
  readonly name: string;
  /** whether this channel wants the alert (e.g. PagerDuty only for critical) */
  accepts(alert: FraudAlert): boolean;
  /**
   * Delivers one alert or throws `FS_ALERT_DELIVERY` with `retriable` set when trying again
   * may help (network errors, 429, 5xx).
   */
  send(alert: FraudAlert, signal: AbortSignal): Promise<void>;
}

/**
 * POSTs a JSON body; any 2xx is success. 408, 429 and 5xx and network errors are retriable;
 * other statuses are permanent (a bad URL or payload does not heal by retrying).
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal,
    });
  } catch (err) {
    throw new FraudstreamError('FS_ALERT_DELIVERY', `POST ${redact(url)} failed: ${(err as Error).message}`, {
      cause: err,
      retriable: true,
      details: { url: redact(url) },
    });
  }
  // Drain the body so the connection can be reused.
  const text = await response.text().catch(() => '');
  if (response.ok) return;
  const status = response.status;
  throw new FraudstreamError(
    'FS_ALERT_DELIVERY',
    `POST ${redact(url)} answered HTTP ${status}: ${text.slice(0, 200)}`,
    {
      retriable: status === 408 || status === 429 || status >= 500,
      details: { url: redact(url), status },
    },
  );
}

/** Webhook URLs carry secrets in their path (Slack); keep only scheme, host and first segment. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    const first = u.pathname.split('/').filter(Boolean)[0] ?? '';
    return `${u.protocol}//${u.host}/${first}${u.pathname.split('/').filter(Boolean).length > 1 ? '/…' : ''}`;
  } catch {
    return '<invalid url>';
  }
}
