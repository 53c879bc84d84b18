/**
 * The fraud topology on a real Kafka broker (`bash scripts/kafka.sh start`): the crafted history's
 * backtest gives exactly the counts it gives on the embedded log. Broker address and skip/fail
 * policy as every Kafka test (test/log/kafka/broker.ts: skipped locally without a broker, a failure
 * under CI).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { runBacktest } from '../../../../src/apps/fraud/backtest/index.ts';
import { KafkaLog } from '../../../../src/log/kafka/index.ts';
import type { Log } from '../../../../src/log/types.ts';
import { kafkaAvailable } from '../../../log/kafka/broker.ts';
import { craftedHistory, scratch } from './fixtures.ts';

const kafka = await kafkaAvailable();

/** The same log, noting the topics created through it (other runs may create topics meanwhile). */
function noting(log: Log, created: string[]): Log {
  return {
    kind: log.kind,
    admin: () => {
      const admin = log.admin();
      return {
        ...admin,
        createTopic: (spec, options) => {
          created.push(spec.name);
          return admin.createTopic(spec, options);
        },
      };
    },
    producer: (options) => log.producer(options),
    consumer: (options) => log.consumer(options),
    close: () => log.close(),
  };
}

const dir = scratch();
after(() => rmSync(dir, { recursive: true, force: true }));

test('the fraud topology scores the crafted history on Kafka as on the embedded log', {
  skip: kafka.ok ? false : kafka.reason,
}, async () => {
  if (!kafka.ok) return;
  const files = craftedHistory(dir);
  const log = await KafkaLog.connect({ brokers: kafka.brokers, connectTimeoutMs: 10_000 });
  const created: string[] = [];
  try {
    const onKafka = await runBacktest({
      csv: files.csv,
      rulesFiles: [files.rules],
      log: noting(log, created),
    });
    const embedded = await runBacktest({ csv: files.csv, rulesFiles: [files.rules] });
    assert.match(onKafka.runtime, /kafka/);
    assert.deepEqual([onKafka.scored, onKafka.frauds], [6, 3]);
    const counts = (r: typeof onKafka) => ({ packs: r.packs, decisions: r.decisions });
    assert.deepEqual(counts(onKafka), counts(embedded));
    assert.ok(created.length > 0, 'the run created its topics through the log');
    const topics = new Set(await log.admin().listTopics());
    const left = created.filter((t) => topics.has(t));
    assert.deepEqual(left, [], 'the run deletes its topics');
  } finally {
    await log.close();
  }
});
