/** Opens the log the configuration names: the embedded log (default) or Kafka. */
import type { Config } from '../config.ts';
import { EmbeddedLog, type Log } from '../log/index.ts';

/**
 * @example
 *   const log = await openConfiguredLog(loadConfig({ overrides: { log: { dir: './data/log' } } }));
 */
export async function openConfiguredLog(config: Readonly<Config>): Promise<Log> {
  if (config.log.backend === 'kafka') {
    // Loaded only when asked for: embedded-only runs never load the Kafka client.
    const { KafkaLog } = await import('../log/kafka/index.ts');
    const k = config.kafka;
    return KafkaLog.connect({
      brokers: [...k.brokers],
      clientId: k.clientId,
      compression: k.compression,
      connectTimeoutMs: k.connectTimeoutMs,
      tls: k.tls,
      ...(k.saslMechanism !== 'none'
        ? { sasl: { mechanism: k.saslMechanism, username: k.saslUsername, password: k.saslPassword } }
        : {}),
    });
  }
  return EmbeddedLog.open({
    dir: config.log.dir,
    fsync: config.log.fsync,
    fsyncIntervalMs: config.log.fsyncIntervalMs,
  });
}
