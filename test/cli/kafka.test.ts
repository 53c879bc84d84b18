import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { test } from 'node:test';
import { cli } from './helpers.ts';

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

test('the same commands run against a real Kafka broker with --kafka', {
  skip: brokerUp ? false : `no Kafka broker at ${BROKER}`,
}, async () => {
  const topic = `fs-cli-test-${randomBytes(4).toString('hex')}`;
  const kafka = ['--kafka', BROKER];
  try {
    const produced = await cli(
      'produce',
      '--topic',
      topic,
      '--count',
      '200',
      '--seed',
      '4',
      '--start-time',
      '2026-01-01',
      ...kafka,
    );
    assert.equal(produced.code, 0, produced.stderr);
    const described = await cli('topics', 'describe', topic, '--json', ...kafka);
    assert.equal(described.code, 0, described.stderr);
    const { partitions, offsets } = JSON.parse(described.stdout);
    assert.equal(partitions, 3);
    assert.equal(
      offsets.reduce(
        (sum: number, p: { latest: number; earliest: number }) => sum + p.latest - p.earliest,
        0,
      ),
      200,
    );
    const tailed = await cli('tail', topic, '--from', 'earliest', '--max', '200', '--json', ...kafka);
    assert.equal(tailed.code, 0, tailed.stderr);
    const records = tailed.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(new Set(records.map((r) => r.value.order_id)).size, 200);
    assert.ok(records.every((r) => r.key === r.value.customer_id && r.timestamp === r.value.timestamp));
  } finally {
    await cli('topics', 'delete', topic, ...kafka);
  }
});
