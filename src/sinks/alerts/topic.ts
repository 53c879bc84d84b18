/**
 * Alerts as log records: one record on the alerts topic (seed 004: `bss.fraud.alerts`) plus one
 * per extra route of the pack (seed 004: `bss.fraud.high-risk`), keyed by customer so a
 * customer's alerts stay ordered. Dead letters of the alert channels as records too.
 */
import type { ProducerRecord } from '../../log/types.ts';
import type { FraudAlert } from './alert.ts';
import type { AlertDeadLetter } from './dispatcher.ts';

export const FRAUD_ALERTS_TOPIC = 'bss.fraud.alerts';
export const FRAUD_HIGH_RISK_TOPIC = 'bss.fraud.high-risk';

/**
 * @example
 *   for (const record of alertTopicRecords(alert)) await producer.send([record]);
 */
export function alertTopicRecords(alert: FraudAlert, alertsTopic = FRAUD_ALERTS_TOPIC): ProducerRecord[] {
  const topics = [alertsTopic, ...alert.routes.filter((t) => t !== alertsTopic)];
  const key = Buffer.from(alert.customerId ?? alert.transactionId);
  const value = Buffer.from(JSON.stringify(alert));
  return topics.map((topic) => ({
    topic,
    key,
    value,
    timestamp: alert.eventTime,
    headers: { 'alert-id': alert.alertId, severity: alert.severity, 'rule-pack': alert.packVersion },
  }));
}

/** A channel dead letter as a record for the dead-letter topic (the reason is in the headers too). */
export function alertDeadLetterRecord(deadLetter: AlertDeadLetter, topic: string): ProducerRecord {
  return {
    topic,
    key: Buffer.from(deadLetter.alertId),
    value: Buffer.from(JSON.stringify(deadLetter)),
    timestamp: deadLetter.failedAt,
    headers: {
      'dlq-source': `alerts.${deadLetter.channel}`,
      'dlq-code': deadLetter.code,
      'dlq-reason': deadLetter.reason.slice(0, 500),
    },
  };
}
