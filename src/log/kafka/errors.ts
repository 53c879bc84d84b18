/**
 * Translates @platformatic/kafka errors (nested MultipleErrors / causes with broker `apiId`s)
 * into FraudstreamError codes, so callers branch on our stable codes and never on client text.
 *
 * @example
 *   try { await admin.deleteTopics({ topics: [name] }); }
 *   catch (err) { throw toFraudstreamError(err, `delete topic "${name}"`, brokers); }
 */
import { type ErrorCode, FraudstreamError, isFraudstreamError } from '../../errors.ts';

interface ClientErrorLike {
  code?: string;
  apiId?: string;
  message?: string;
  errors?: unknown[];
  cause?: unknown;
}

/** Every error in the tree (the error itself, its `errors` and its `cause` chain). */
function* walk(error: unknown, depth = 0): Generator<ClientErrorLike> {
  if (error === null || typeof error !== 'object' || depth > 8) return;
  const e = error as ClientErrorLike;
  yield e;
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* walk(inner, depth + 1);
  if (e.cause) yield* walk(e.cause, depth + 1);
}

export function hasApiId(error: unknown, ...apiIds: string[]): boolean {
  for (const e of walk(error)) if (e.apiId && apiIds.includes(e.apiId)) return true;
  return false;
}

export function hasCode(error: unknown, code: string): boolean {
  for (const e of walk(error)) if (e.code === code) return true;
  return false;
}

const API_ID_CODES: Array<[ErrorCode, string[]]> = [
  ['FS_AUTH_FAILED', ['SASL_AUTHENTICATION_FAILED', 'UNSUPPORTED_SASL_MECHANISM', 'ILLEGAL_SASL_STATE']],
  ['FS_PRODUCER_FENCED', ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_NOT_FOUND']],
  ['FS_TXN_STATE', ['INVALID_TXN_STATE']],
  // A newer member with our groupInstanceId replaced us: fatal, as in EmbeddedLog (rejoining would
  // fence the replacement in turn).
  ['FS_MEMBER_FENCED', ['FENCED_INSTANCE_ID']],
  ['FS_UNKNOWN_TOPIC', ['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID']],
  ['FS_TOPIC_EXISTS', ['TOPIC_ALREADY_EXISTS']],
  ['FS_INVALID_OFFSET', ['OFFSET_OUT_OF_RANGE']],
  [
    'FS_REBALANCE_IN_PROGRESS',
    // UNSTABLE_OFFSET_COMMIT: a transaction committing the group's offsets is still pending.
    [
      'REBALANCE_IN_PROGRESS',
      'ILLEGAL_GENERATION',
      'UNKNOWN_MEMBER_ID',
      'NON_EMPTY_GROUP',
      'UNSTABLE_OFFSET_COMMIT',
    ],
  ],
];

/** The FraudstreamError code an error from the client maps to. */
export function classify(error: unknown): ErrorCode {
  if (isFraudstreamError(error)) return error.code;
  // Authentication failures surface wrapped in a network error: check them first.
  if (hasCode(error, 'PLT_KFK_AUTHENTICATION')) return 'FS_AUTH_FAILED';
  for (const [code, apiIds] of API_ID_CODES) if (hasApiId(error, ...apiIds)) return code;
  if (hasCode(error, 'PLT_KFK_NETWORK')) return 'FS_BROKER_UNREACHABLE';
  if (hasCode(error, 'PLT_KFK_TIMEOUT')) return 'FS_TIMEOUT';
  return 'FS_BROKER_UNREACHABLE';
}

const RETRIABLE: ReadonlySet<ErrorCode> = new Set([
  'FS_BROKER_UNREACHABLE',
  'FS_TIMEOUT',
  'FS_REBALANCE_IN_PROGRESS',
]);

/** Innermost messages, so the broker's own words (e.g. "Invalid username or password") reach the user. */
function describe(error: unknown): string {
  const messages = new Set<string>();
  for (const e of walk(error)) if (e.message) messages.add(e.apiId ? `${e.apiId}: ${e.message}` : e.message);
  return [...messages].slice(0, 4).join(' / ');
}

/**
 * Wraps a client error as a FraudstreamError with a message naming what was attempted and where.
 * FraudstreamErrors pass through unchanged.
 */
export function toFraudstreamError(
  error: unknown,
  action: string,
  brokers: string[],
  details?: Record<string, unknown>,
): FraudstreamError {
  if (isFraudstreamError(error)) return error;
  const code = classify(error);
  const where = brokers.join(',');
  // A broker error the client could not place (e.g. TRANSACTION_ABORTABLE) is retriable like an
  // outage, but the broker did answer: say so rather than "could not be reached".
  const answered = [...walk(error)].some((e) => e.apiId !== undefined);
  const lead: Partial<Record<ErrorCode, string>> = {
    FS_AUTH_FAILED: `Kafka broker ${where} refused the credentials`,
    FS_BROKER_UNREACHABLE: answered
      ? `Kafka broker ${where} answered with a retriable error`
      : `Kafka broker ${where} could not be reached`,
    FS_PRODUCER_FENCED: 'a newer producer with the same transactional id has taken over',
  };
  const message = `${action}: ${lead[code] ?? code} (${describe(error)})`;
  return new FraudstreamError(code, message, {
    cause: error,
    retriable: RETRIABLE.has(code),
    details: { brokers, ...details },
  });
}
