/**
 * Shared guard for every test that needs a real Kafka broker (`bash scripts/kafka.sh start`).
 * Broker address: FRAUDSTREAM_KAFKA_BROKERS (comma-separated), default 127.0.0.1:9092.
 * Unreachable broker: skip with a one-line reason locally; under CI (`CI` set) throw, so the
 * Kafka suites can never silently skip there.
 *
 * @example
 *   const kafka = await kafkaAvailable();
 *   describe('KafkaLog', { skip: kafka.ok ? false : kafka.reason }, () => { ... });
 */
import { randomUUID } from 'node:crypto';
import { Admin } from '@platformatic/kafka';

export type KafkaAvailability = { ok: true; brokers: string[] } | { ok: false; reason: string };

export function kafkaBrokers(): string[] {
  return (process.env.FRAUDSTREAM_KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

let cached: Promise<KafkaAvailability> | undefined;

export function kafkaAvailable(): Promise<KafkaAvailability> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<KafkaAvailability> {
  const brokers = kafkaBrokers();
  const admin = new Admin({
    clientId: 'fraudstream-test-probe',
    bootstrapBrokers: brokers,
    retries: 0,
    connectTimeout: 2000,
    timeout: 5000,
  });
  try {
    await admin.metadata({ topics: [] });
    return { ok: true, brokers };
  } catch (error) {
    const reason = `no Kafka broker at ${brokers.join(',')} (start one with: bash scripts/kafka.sh start): ${(error as Error).message}`;
    if (process.env.CI) throw new Error(`CI must run the Kafka tests, but ${reason}`);
    return { ok: false, reason };
  } finally {
    await admin.close().catch(() => {});
  }
}

/** A topic/group name unique to this test run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
