/** A sample alert as seed 001's points pack would raise it. */
import assert from 'node:assert/strict';
import { type AlertSeverity, buildAlert, type FraudAlert } from '../../../src/sinks/alerts/index.ts';

const LEVEL: Record<AlertSeverity | 'none', string> = {
  none: 'MINIMAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

export function sampleAlert(
  severity: AlertSeverity,
  transactionId = 'txn-1',
  routes: string[] = [],
): FraudAlert {
  const alert = buildAlert(
    {
      transactionId,
      customerId: 'cust-42',
      merchant: 'fraud_Kirlin and Sons',
      amount: 6200.5,
      currency: 'USD',
      eventTime: Date.UTC(2020, 5, 21, 23, 30),
    },
    {
      pack: 'seed001-points',
      version: '1.0.0',
      hash: 'ef3488c699136d24',
      score: 80,
      level: LEVEL[severity],
      severity,
      hits: [
        { rule: 'high_amount', reason: 'HIGH_AMOUNT' },
        { rule: 'crypto_payment', reason: 'CRYPTO_PAYMENT' },
      ],
      routes,
    },
    Date.UTC(2020, 5, 21, 23, 30, 1),
  );
  assert.ok(alert);
  return alert;
}
