/**
 * One error type for the whole product. Callers branch on `code`, never on message text.
 *
 * @example
 *   throw new FraudstreamError('FS_UNKNOWN_TOPIC', `topic "${name}" does not exist`);
 */
export const ERROR_CODES = {
  FS_CONFIG_INVALID: 'a configuration key has a value that is not what was expected',
  FS_USAGE: 'a command-line mistake by the user',
  FS_UNKNOWN_TOPIC: 'the topic does not exist',
  FS_TOPIC_EXISTS: 'the topic already exists',
  FS_UNKNOWN_PARTITION: 'the partition does not exist for that topic',
  FS_INVALID_OFFSET: 'an offset that is negative or out of range',
  FS_LOG_CORRUPT: 'log bytes failed their CRC or structure check',
  FS_LOG_LOCKED: 'another process holds the embedded log directory',
  FS_LOG_CLOSED: 'the log, producer or consumer has been closed',
  FS_PRODUCER_FENCED: 'a newer producer with the same transactional id has taken over',
  FS_TXN_STATE: 'a transaction operation was called in the wrong state',
  FS_REBALANCE_IN_PROGRESS: 'the group is rebalancing; retry after the next poll',
  FS_BROKER_UNREACHABLE: 'the Kafka broker could not be reached',
  FS_AUTH_FAILED: 'the broker refused the credentials',
  FS_SCHEMA_INVALID: 'a record does not match its schema',
  FS_CSV_INVALID: 'a CSV file has missing columns or values that do not parse',
  FS_TOPOLOGY_INVALID: 'a topology cannot be built as written',
  FS_COPARTITION: 'joined topics do not have the same partition count',
  FS_STATE_STORE: 'a state store failed',
  FS_PROCESSING: 'a user function threw while processing a record',
  FS_SERDE: 'a record could not be serialized or deserialized',
  FS_DELTA_CONFLICT: 'a concurrent Delta writer committed a conflicting change',
  FS_DELTA_PROTOCOL: 'a Delta table violates or needs an unsupported protocol feature',
  FS_MODEL_INVALID: 'a model file has the wrong version or feature set',
  FS_NOT_FOUND: 'the named thing does not exist',
  FS_ANALYST_HTTP: 'the LLM endpoint answered with an HTTP error',
  FS_ANALYST_REPLY: 'the LLM reply is not JSON or not the expected shape',
  FS_TIMEOUT: 'an operation did not finish in time',
  FS_INVALID_ARGUMENT: 'an API argument has a value outside what is accepted (names the value)',
  FS_GROUP_NOT_EMPTY: 'the consumer group has active members, so its offsets cannot be overwritten',
  FS_MEMBER_FENCED: 'a newer consumer with the same groupInstanceId replaced this one',
  FS_RULES_INVALID: 'a rule-pack document or file fails validation (names the file, rule id and key)',
  FS_ALERT_DELIVERY: 'an alert channel could not deliver an alert',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FraudstreamErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  /** Structured details for logs and DLQ headers (offending value, key, position...). */
  details?: Record<string, unknown>;
}

export class FraudstreamError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: FraudstreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FraudstreamError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }
}

export function isFraudstreamError(err: unknown, code?: ErrorCode): err is FraudstreamError {
  return err instanceof FraudstreamError && (code === undefined || err.code === code);
}
