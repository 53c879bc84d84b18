/** How client errors become FraudstreamErrors: code, retriability and a message that says what happened. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toFraudstreamError } from '../../../src/log/kafka/errors.ts';

const brokers = ['127.0.0.1:9092'];
const clientError = (inner: Record<string, unknown>) => ({
  code: 'PLT_KFK_MULTIPLE',
  message: 'Producing messages failed.',
  errors: [{ code: 'PLT_KFK_RESPONSE', message: 'Received response with error', errors: [inner] }],
});

test('a broker error the client cannot place is retriable and says the broker answered', () => {
  const error = toFraudstreamError(
    clientError({
      apiId: 'TRANSACTION_ABORTABLE',
      message: 'The server encountered an error with the transaction.',
    }),
    'send 1 record(s) in a transaction',
    brokers,
  );
  assert.equal(error.code, 'FS_BROKER_UNREACHABLE');
  assert.equal(error.retriable, true);
  assert.match(
    error.message,
    /answered with a retriable error \(.*TRANSACTION_ABORTABLE: The server encountered/,
  );
  assert.doesNotMatch(error.message, /could not be reached/);
});

test('a connection failure says the broker could not be reached', () => {
  const error = toFraudstreamError(
    { code: 'PLT_KFK_NETWORK', message: 'Connection to 127.0.0.1:9092 failed.' },
    'fetch',
    brokers,
  );
  assert.equal(error.code, 'FS_BROKER_UNREACHABLE');
  assert.match(error.message, /^fetch: Kafka broker 127\.0\.0\.1:9092 could not be reached \(Connection/);
});

test('known broker answers map to their own codes', () => {
  const fenced = toFraudstreamError(
    clientError({ apiId: 'PRODUCER_FENCED', message: 'fenced' }),
    'commit',
    brokers,
  );
  assert.equal(fenced.code, 'FS_PRODUCER_FENCED');
  assert.equal(fenced.retriable, false);
  const rebalance = toFraudstreamError(
    clientError({ apiId: 'REBALANCE_IN_PROGRESS', message: 'r' }),
    'commit',
    brokers,
  );
  assert.equal(rebalance.code, 'FS_REBALANCE_IN_PROGRESS');
  assert.equal(rebalance.retriable, true);
});
