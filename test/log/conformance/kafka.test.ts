/**
 * The Log conformance suite on KafkaLog against a real broker (FRAUDSTREAM_KAFKA_BROKERS, default
 * 127.0.0.1:9092; start one with `bash scripts/kafka.sh start`). Skips without a broker, fails
 * under CI.
 */
import { describe } from 'node:test';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import { kafkaAvailable } from '../kafka/broker.ts';
import { runLogConformance } from './suite.ts';

const kafka = await kafkaAvailable();

if (kafka.ok) {
  runLogConformance(
    'KafkaLog',
    async () => {
      const log = await KafkaLog.connect({
        brokers: kafka.brokers,
        connectTimeoutMs: 10_000,
        sessionTimeoutMs: 6000,
      });
      return { log, cleanup: () => log.close() };
    },
    { rebalanceTimeoutMs: 30_000, deliveryTimeoutMs: 20_000, quietMs: 1000 },
  );
} else {
  describe('Log conformance: KafkaLog', { skip: kafka.reason }, () => {});
}
