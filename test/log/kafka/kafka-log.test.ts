/**
 * KafkaLog beyond the shared conformance suite: connection failures, SASL, compression, missing
 * topics with auto-creation off. Broker tests use the local broker from scripts/kafka.sh, whose
 * SASL_PLAINTEXT listener (PLAIN + SCRAM user fraudstream/fraudstream-secret) is at
 * FRAUDSTREAM_KAFKA_SASL_BROKERS (default 127.0.0.1:9093).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { KafkaLog, type KafkaLogOptions, kafkaOptionsFromConfig } from '../../../src/log/kafka/index.ts';
import type { Log, LogRecord } from '../../../src/log/types.ts';
import { kafkaAvailable, uniqueName } from './broker.ts';

const kafka = await kafkaAvailable();
const skip = kafka.ok ? false : kafka.reason;
const brokers = kafka.ok ? kafka.brokers : [];
const saslBrokers = (process.env.FRAUDSTREAM_KAFKA_SASL_BROKERS ?? '127.0.0.1:9093').split(',');
const saslUser = { username: 'fraudstream', password: 'fraudstream-secret' };

async function roundTrip(
  log: Log,
  options: { partitions?: number; count?: number } = {},
): Promise<LogRecord[]> {
  const topic = uniqueName('roundtrip');
  const count = options.count ?? 50;
  await log.admin().createTopic({ name: topic, partitions: options.partitions ?? 1 });
  const producer = await log.producer();
  const payload = 'fraud '.repeat(50);
  await producer.send(
    Array.from({ length: count }, (_, i) => ({
      topic,
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`${i} ${payload}`),
    })),
  );
  const consumer = await log.consumer({ groupId: uniqueName('g'), topics: [topic], startFrom: 'earliest' });
  const records: LogRecord[] = [];
  const deadline = Date.now() + 20_000;
  while (records.length < count && Date.now() < deadline) records.push(...(await consumer.poll(200)));
  await consumer.close();
  await producer.close();
  await log.admin().deleteTopic(topic);
  return records;
}

describe('KafkaLog connection and options', () => {
  test('an unreachable broker is retried with backoff, then fails with FS_BROKER_UNREACHABLE naming the address', async () => {
    const started = Date.now();
    await assert.rejects(KafkaLog.connect({ brokers: ['127.0.0.1:1'], connectTimeoutMs: 1500 }), (e) => {
      assert.ok(isFraudstreamError(e, 'FS_BROKER_UNREACHABLE'), String(e));
      assert.match(e.message, /127\.0\.0\.1:1\b/);
      assert.ok((e.details?.attempts as number) > 1, `retried: ${JSON.stringify(e.details)}`);
      return true;
    });
    assert.ok(Date.now() - started >= 1000, 'kept retrying until close to the configured time');
  });

  test('bad options name the offending value', async () => {
    const bad: Array<[KafkaLogOptions, RegExp]> = [
      [{ brokers: [] }, /at least one/],
      [{ brokers: ['no-port'] }, /"no-port"/],
      [
        { brokers: ['h:1'], sasl: { mechanism: 'GSSAPI' as never, username: 'u', password: 'p' } },
        /"GSSAPI"/,
      ],
      [{ brokers: ['h:1'], compression: 'brotli' as never }, /"brotli"/],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(
        KafkaLog.connect(options),
        (e) => isFraudstreamError(e, 'FS_CONFIG_INVALID') && message.test(e.message),
      );
    }
  });
});

test('kafka.* configuration keys map onto KafkaLog options (seed 000: SASL_SSL + PLAIN)', () => {
  assert.deepEqual(
    kafkaOptionsFromConfig({
      brokers: ['b1:9093'],
      tls: true,
      saslMechanism: 'PLAIN',
      saslUsername: 'u',
      saslPassword: 'p',
      compression: 'zstd',
    }),
    {
      brokers: ['b1:9093'],
      tls: true,
      sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' },
      compression: 'zstd',
    },
  );
  assert.deepEqual(kafkaOptionsFromConfig({ brokers: ['b1:9092'], tls: false, saslMechanism: 'none' }), {
    brokers: ['b1:9092'],
  });
});

describe('KafkaLog on a real broker', { skip }, () => {
  test('a missing topic (auto-creation off) is FS_UNKNOWN_TOPIC for producers and consumers', async () => {
    const log = await KafkaLog.connect({ brokers });
    try {
      const missing = uniqueName('missing');
      const producer = await log.producer();
      await assert.rejects(
        producer.send([{ topic: missing, value: Buffer.from('x') }]),
        (e) => isFraudstreamError(e, 'FS_UNKNOWN_TOPIC') && e.message.includes(missing),
      );
      await assert.rejects(
        log.consumer({ groupId: uniqueName('g'), topics: [missing] }),
        (e) => isFraudstreamError(e, 'FS_UNKNOWN_TOPIC') && e.message.includes(missing),
      );
      assert.ok(!(await log.admin().listTopics()).includes(missing), 'nothing created the topic');
      await producer.close();
    } finally {
      await log.close();
    }
  });

  for (const compression of ['lz4', 'zstd'] as const) {
    test(`${compression} compression round-trips every record`, async () => {
      const log = await KafkaLog.connect({ brokers, compression });
      try {
        const records = await roundTrip(log, { partitions: 2, count: 200 });
        assert.equal(records.length, 200);
        assert.deepEqual(new Set(records.map((r) => Number(r.value?.toString().split(' ')[0]))).size, 200);
      } finally {
        await log.close();
      }
    });
  }

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    test(`SASL ${mechanism}: right credentials work, wrong ones fail fast with FS_AUTH_FAILED`, async () => {
      const log = await KafkaLog.connect({
        brokers: saslBrokers,
        sasl: { mechanism, ...saslUser },
        connectTimeoutMs: 5000,
      });
      try {
        assert.equal((await roundTrip(log, { count: 5 })).length, 5);
      } finally {
        await log.close();
      }
      const started = Date.now();
      await assert.rejects(
        KafkaLog.connect({
          brokers: saslBrokers,
          sasl: { mechanism, username: 'fraudstream', password: 'wrong' },
          connectTimeoutMs: 20_000,
        }),
        (e) => isFraudstreamError(e, 'FS_AUTH_FAILED') && e.message.includes(saslBrokers[0]),
      );
      assert.ok(
        Date.now() - started < 10_000,
        'refused credentials are not retried until the connect timeout',
      );
    });
  }
});

// Seed 000's setup: SASL_SSL + PLAIN, against the local broker's SASL_SSL listener (self-signed
// certificate written by scripts/kafka.sh). A broker started before that listener existed lacks
// it: skipped locally then, required under CI.
const sslBrokers = (process.env.FRAUDSTREAM_KAFKA_SSL_BROKERS ?? '127.0.0.1:9095').split(',');
const caFile =
  process.env.FRAUDSTREAM_KAFKA_TLS_CA ??
  path.join(
    process.env.FRAUDSTREAM_KAFKA_DATA ?? path.resolve(import.meta.dirname, '../../../data/kafka'),
    'tls',
    'ca.pem',
  );
const sslReady = kafka.ok && fs.existsSync(caFile) && (await portOpen(sslBrokers[0]));
if (kafka.ok && !sslReady && process.env.CI)
  throw new Error(`CI must run the SASL_SSL test: no listener at ${sslBrokers} or no CA at ${caFile}`);

test('SASL_SSL + PLAIN (seed 000): TLS with the broker CA works; without trusting it the connection is refused', {
  skip: sslReady
    ? false
    : `no SASL_SSL listener at ${sslBrokers} with CA ${caFile} (restart the broker with scripts/kafka.sh)`,
}, async () => {
  const ca = fs.readFileSync(caFile);
  const log = await KafkaLog.connect({
    brokers: sslBrokers,
    tls: { ca: [ca] },
    sasl: { mechanism: 'PLAIN', ...saslUser },
  });
  try {
    assert.equal((await roundTrip(log, { count: 5 })).length, 5);
  } finally {
    await log.close();
  }
  await assert.rejects(
    KafkaLog.connect({
      brokers: sslBrokers,
      tls: true,
      sasl: { mechanism: 'PLAIN', ...saslUser },
      connectTimeoutMs: 1000,
    }),
    (e) => isFraudstreamError(e) && e.message.includes(sslBrokers[0]),
  );
});

function portOpen(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port), timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
