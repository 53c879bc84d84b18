/**
 * The Kafka backend of the `Log` contract.
 *
 * @example
 *   import { KafkaLog } from './log/kafka/index.ts';
 *   const log = await KafkaLog.connect({ brokers: ['127.0.0.1:9092'] });
 */
export { KafkaAdmin } from './admin.ts';
export { KafkaConsumer } from './consumer.ts';
export { KafkaLog } from './kafka-log.ts';
export type {
  Compression,
  KafkaConfigKeys,
  KafkaLogOptions,
  KafkaSaslOptions,
  SaslMechanism,
} from './options.ts';
export { kafkaOptionsFromConfig, resolveKafkaOptions } from './options.ts';
export { KafkaProducer } from './producer.ts';
