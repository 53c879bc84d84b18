/**
 * The fraud topology on a real Kafka broker (`bash scripts/kafka.sh start`): the crafted history's
 * backtest gives exactly the counts it gives on the embedded log. Skipped when no broker answers.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { after, test } from 'node:test';
import { runBacktest } from '../../../../src/apps/fraud/backtest/index.ts';
import { KafkaLog } from '../../../../src/log/kafka/index.ts';
import { craftedHistory, scratch } from './fixtures.ts';

const BROKER = process.env.FRAUDSTREAM_TEST_KAFKA ?? '127.0.0.1:9092';

const brokerUp = await new Promise<boolean>((resolve) => {
  const [host, port] = BROKER.split(':');
  const socket = connect({ host, port: Number(port), timeout: 1000 });
  const done = (ok: boolean) => {
    socket.destroy();
    resolve(ok);
  };
  socket.once('connect', () => done(true));
  socket.once('error', () => done(false));
  socket.once('timeout', () => done(false));
});

const dir = scratch();
after(() => rmSync(dir, { recursive: true, force: true }));

test('the fraud topology scores the crafted history on Kafka as on the embedded log', {
  skip: brokerUp ? false : `no Kafka broker at ${BROKER}`,
}, async () => {
  const files = craftedHistory(dir);
  const log = await KafkaLog.connect({ brokers: [BROKER], connectTimeoutMs: 10_000 });
  try {
    const before = new Set(await log.admin().listTopics());
    const kafka = await runBacktest({ csv: files.csv, rulesFiles: [files.rules], log });
    const embedded = await runBacktest({ csv: files.csv, rulesFiles: [files.rules] });
    assert.match(kafka.runtime, /kafka/);
    assert.deepEqual([kafka.scored, kafka.frauds], [6, 3]);
    const counts = (r: typeof kafka) => ({ packs: r.packs, decisions: r.decisions });
    assert.deepEqual(counts(kafka), counts(embedded));
    const left = (await log.admin().listTopics()).filter((t) => !before.has(t) && t.includes('scratch'));
    assert.deepEqual(left, [], 'the run deletes its topics');
  } finally {
    await log.close();
  }
});
