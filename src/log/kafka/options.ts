/**
 * KafkaLog connection options and their mapping onto @platformatic/kafka client options.
 * Seed 000's `SASL_SSL` + `PLAIN` setup is `{ sasl: { mechanism: 'PLAIN', ... }, tls: true }`.
 *
 * @example
 *   const options: KafkaLogOptions = {
 *     brokers: ['broker-1.example.com:9093'],
 *     sasl: { mechanism: 'PLAIN', username: 'fraud', password: process.env.KAFKA_PASSWORD ?? '' },
 *     tls: true,
 *   };
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { BaseOptions } from '@platformatic/kafka';
import { FraudstreamError } from '../../errors.ts';

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface KafkaSaslOptions {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaLogOptions {
  /** Bootstrap brokers as `host:port`. */
  brokers: string[];
  /** Client id sent to the broker (shows in broker logs and quotas). Default `fraudstream`. */
  clientId?: string;
  sasl?: KafkaSaslOptions;
  /** `true` for TLS with the system CAs, or Node TLS options (`ca`, `cert`, `key`, `servername`...). */
  tls?: boolean | TlsOptions;
  /** Compression of produced batches. Default `none`. */
  compression?: Compression;
  /** How long `KafkaLog.connect` keeps retrying (with backoff) an unreachable broker. Default 30000. */
  connectTimeoutMs?: number;
  /** Per-request timeout. Default 30000. */
  requestTimeoutMs?: number;
  /** Replication factor of topics created through the admin; -1 = broker default. Default -1. */
  replicationFactor?: number;
  /** Consumer session timeout default (ms). Default 10000. */
  sessionTimeoutMs?: number;
  /** Consumer heartbeat interval (ms). Default 1000. */
  heartbeatIntervalMs?: number;
  /** Max time the group waits for members to rejoin, incl. our onRevoked callbacks (ms). Default 60000. */
  rebalanceTimeoutMs?: number;
  /**
   * Transaction timeout (ms) of transactional producers, sent with InitProducerId: the broker aborts
   * a transaction left open this long (a crashed producer's), and read_committed readers of its
   * partitions wait until then. At most the broker's `transaction.max.timeout.ms` (15 min).
   * Default: `requestTimeoutMs`.
   */
  transactionTimeoutMs?: number;
  /**
   * Where the client reports what it did on its own that loses or skips data: a consumer position
   * out of range (records deleted by retention, or a truncated log) reset to the earliest or latest
   * offset. Default: `process.emitWarning`.
   */
  logger?: KafkaLogLogger;
}

export interface KafkaLogLogger {
  warn(details: object, message: string): void;
}

const defaultLogger: KafkaLogLogger = {
  warn: (details, message) => process.emitWarning(`${message} ${JSON.stringify(details)}`),
};

const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Validates options and fills defaults; bad input names the offending value. */
export function resolveKafkaOptions(
  options: KafkaLogOptions,
): Required<Omit<KafkaLogOptions, 'sasl' | 'tls' | 'transactionTimeoutMs'>> &
  Pick<KafkaLogOptions, 'sasl' | 'tls' | 'transactionTimeoutMs'> {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `kafka.brokers must list at least one host:port, got ${JSON.stringify(options.brokers)}`,
    );
  }
  for (const broker of options.brokers) {
    if (typeof broker !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `kafka.brokers entry must be host:port, got ${JSON.stringify(broker)}`,
      );
    }
  }
  if (options.sasl) {
    if (!SASL_MECHANISMS.includes(options.sasl.mechanism)) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `kafka.sasl.mechanism must be one of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(options.sasl.mechanism)}`,
      );
    }
    if (!options.sasl.username)
      throw new FraudstreamError('FS_CONFIG_INVALID', 'kafka.sasl.username is empty');
  }
  const txnTimeout = options.transactionTimeoutMs;
  if (txnTimeout !== undefined && (!Number.isInteger(txnTimeout) || txnTimeout < 1)) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `kafka.transactionTimeoutMs must be a positive integer (ms), got ${JSON.stringify(txnTimeout)}`,
    );
  }
  const compression = options.compression ?? 'none';
  if (!COMPRESSIONS.includes(compression)) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `kafka.compression must be one of ${COMPRESSIONS.join(', ')}, got ${JSON.stringify(compression)}`,
    );
  }
  return {
    brokers: options.brokers,
    clientId: options.clientId ?? 'fraudstream',
    sasl: options.sasl,
    tls: options.tls,
    compression,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    replicationFactor: options.replicationFactor ?? -1,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
    transactionTimeoutMs: options.transactionTimeoutMs,
    logger: options.logger ?? defaultLogger,
  };
}

export type ResolvedKafkaOptions = ReturnType<typeof resolveKafkaOptions>;

/** The @platformatic/kafka base options shared by admin, producers and consumers. */
export function clientBaseOptions(options: ResolvedKafkaOptions, role: string): BaseOptions {
  const base: BaseOptions = {
    clientId: `${options.clientId}-${role}`,
    bootstrapBrokers: options.brokers,
    timeout: options.requestTimeoutMs,
    connectTimeout: Math.min(options.requestTimeoutMs, 10_000),
    // Short first retries matter: right after a commit the coordinator answers the next
    // transaction's AddPartitionsToTxn with CONCURRENT_TRANSACTIONS until its markers are written.
    retries: 8,
    retryDelay: (_client, _operation, attempt) => Math.min(5 * 2 ** (attempt - 1), 1000),
    autocreateTopics: false,
  };
  if (options.sasl) base.sasl = { ...options.sasl };
  if (options.tls) base.tls = options.tls === true ? {} : options.tls;
  return base;
}

/** The flat shape of the `kafka.*` configuration keys (see docs/configuration.md). */
export interface KafkaConfigKeys {
  brokers: string[];
  clientId?: string;
  compression?: Compression;
  connectTimeoutMs?: number;
  tls?: boolean;
  saslMechanism?: 'none' | SaslMechanism;
  saslUsername?: string;
  saslPassword?: string;
}

/**
 * KafkaLog options from the `kafka.*` configuration keys (`saslMechanism: 'none'` = no SASL).
 *
 * @example
 *   const log = await KafkaLog.connect(kafkaOptionsFromConfig(config.kafka));
 */
export function kafkaOptionsFromConfig(keys: KafkaConfigKeys): KafkaLogOptions {
  const options: KafkaLogOptions = { brokers: keys.brokers };
  if (keys.clientId !== undefined) options.clientId = keys.clientId;
  if (keys.compression !== undefined) options.compression = keys.compression;
  if (keys.connectTimeoutMs !== undefined) options.connectTimeoutMs = keys.connectTimeoutMs;
  if (keys.tls) options.tls = true;
  if (keys.saslMechanism && keys.saslMechanism !== 'none') {
    options.sasl = {
      mechanism: keys.saslMechanism,
      username: keys.saslUsername ?? '',
      password: keys.saslPassword ?? '',
    };
  }
  return options;
}
