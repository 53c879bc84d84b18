/**
 * Generic webhook channel: POSTs the alert JSON signed with HMAC-SHA256.
 *
 * Signature header (Stripe-style, so receivers can reuse known code):
 *   X-Fraudstream-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${raw body}`)>
 * Receivers verify with `verifyWebhookSignature` (or the same three lines in any language),
 * reject timestamps outside a tolerance to stop replays, and dedupe on `Idempotency-Key`
 * (= the alert id).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FraudstreamError } from '../../errors.ts';
import { type AlertSeverity, type FraudAlert, severityAtLeast } from './alert.ts';
import { type AlertChannel, postJson } from './channel.ts';

export const SIGNATURE_HEADER = 'x-fraudstream-signature';

export interface WebhookChannelOptions {
  url: string;
  /** shared HMAC secret */
  secret: string;
  minSeverity?: AlertSeverity;
  channelName?: string;
  /** clock for the signature timestamp (tests) */
  now?: () => number;
}

export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Checks a received signature header against the raw body.
 * @example
 *   const ok = verifyWebhookSignature(secret, req.headers['x-fraudstream-signature'], rawBody);
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/.test(given)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

/**
 * @example
 *   const hook = new WebhookChannel({ url: 'https://soc.example.com/fraud', secret: process.env.HOOK_SECRET! });
 */
export class WebhookChannel implements AlertChannel {
  readonly name: string;
  readonly #options: WebhookChannelOptions;

  constructor(options: WebhookChannelOptions) {
    this.name = options.channelName ?? 'webhook';
    if (options.url !== '' && options.secret === '') {
      // An unsigned webhook would let anyone forge fraud alerts to the receiver.
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `webhook ${options.url} needs a non-empty HMAC secret`,
        {
          details: { key: 'secret' },
        },
      );
    }
    this.#options = options;
  }

  accepts(alert: FraudAlert): boolean {
    return this.#options.url !== '' && severityAtLeast(alert.severity, this.#options.minSeverity ?? 'low');
  }

  send(alert: FraudAlert, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(alert);
    const t = Math.floor((this.#options.now ?? Date.now)() / 1000);
    return postJson(
      this.#options.url,
      body,
      {
        [SIGNATURE_HEADER]: signWebhookBody(this.#options.secret, body, t),
        'idempotency-key': alert.alertId,
        'x-fraudstream-alert-id': alert.alertId,
      },
      signal,
    );
  }
}
