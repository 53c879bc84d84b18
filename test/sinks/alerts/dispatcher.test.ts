import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import {
  type AlertDeadLetter,
  AlertDispatcher,
  alertDeadLetterRecord,
  LmdbDedupStore,
  PagerDutyChannel,
  SlackChannel,
  WebhookChannel,
} from '../../../src/sinks/alerts/index.ts';
import { sampleAlert } from './fixtures.ts';
import { startServer } from './http-server.ts';

const fastRetries = { retries: 3, initialBackoffMs: 2, maxBackoffMs: 10 };

describe('AlertDispatcher delivery', () => {
  test('retries with backoff then succeeds: 503, 503, 200 -> delivered, no dead letter', async () => {
    const server = await startServer((_req, i) => (i < 2 ? { status: 503, body: 'busy' } : { status: 200 }));
    const deadLetters: AlertDeadLetter[] = [];
    const registry = new Registry();
    const dispatcher = new AlertDispatcher({
      channels: [new SlackChannel({ webhookUrl: `${server.url}/slack` })],
      ...fastRetries,
      onDeadLetter: (d) => deadLetters.push(d),
      registry,
    });
    try {
      dispatcher.dispatch(sampleAlert('high'));
      await dispatcher.idle();
      assert.equal(server.requests.length, 3);
      assert.deepEqual(deadLetters, []);
      const s = dispatcher.stats().slack;
      assert.equal(s.delivered, 1);
      assert.equal(s.retries, 2);
      const text = await registry.metrics();
      assert.match(text, /fraudstream_alerts_delivered_total\{channel="slack"\} 1/);
      assert.match(text, /fraudstream_alerts_retries_total\{channel="slack"\} 2/);
      assert.match(text, /fraudstream_alerts_queue_depth\{channel="slack"\} 0/);
    } finally {
      await dispatcher.close(0);
      await server.close();
    }
  });

  test('a server that keeps failing: dead letter with the reason after 1 + retries attempts', async () => {
    const server = await startServer(() => ({ status: 500, body: 'boom' }));
    const deadLetters: AlertDeadLetter[] = [];
    const dispatcher = new AlertDispatcher({
      channels: [new PagerDutyChannel({ routingKey: 'k', url: `${server.url}/v2/enqueue` })],
      ...fastRetries,
      onDeadLetter: (d) => deadLetters.push(d),
    });
    try {
      const alert = sampleAlert('critical');
      dispatcher.dispatch(alert);
      await dispatcher.idle();
      assert.equal(server.requests.length, 4);
      assert.equal(deadLetters.length, 1);
      const [dl] = deadLetters;
      assert.equal(dl.code, 'delivery_failed');
      assert.equal(dl.channel, 'pagerduty');
      assert.equal(dl.alertId, alert.alertId);
      assert.equal(dl.attempts, 4);
      assert.match(dl.reason, /HTTP 500/);
      const record = alertDeadLetterRecord(dl, 'fraudstream.dlq');
      assert.equal(record.headers?.['dlq-code'], 'delivery_failed');
      assert.equal(JSON.parse(record.value!.toString()).alert.alertId, alert.alertId);
      assert.equal(dispatcher.stats().pagerduty.deadLettered, 1);
    } finally {
      await dispatcher.close(0);
      await server.close();
    }
  });

  test('a permanent error (HTTP 400) is not retried', async () => {
    const server = await startServer(() => ({ status: 400, body: 'invalid routing key' }));
    const deadLetters: AlertDeadLetter[] = [];
    const dispatcher = new AlertDispatcher({
      channels: [new PagerDutyChannel({ routingKey: 'bad', url: `${server.url}/v2/enqueue` })],
      ...fastRetries,
      onDeadLetter: (d) => deadLetters.push(d),
    });
    try {
      dispatcher.dispatch(sampleAlert('critical'));
      await dispatcher.idle();
      assert.equal(server.requests.length, 1);
      assert.equal(deadLetters[0].attempts, 1);
      assert.match(deadLetters[0].reason, /HTTP 400.*invalid routing key/);
    } finally {
      await dispatcher.close(0);
      await server.close();
    }
  });

  test('an unreachable endpoint ends in a dead letter, not an exception', async () => {
    const server = await startServer(() => ({ status: 200 }));
    const url = `${server.url}/gone`;
    await server.close(); // nothing listens on that port any more
    const deadLetters: AlertDeadLetter[] = [];
    const dispatcher = new AlertDispatcher({
      channels: [new WebhookChannel({ url, secret: 'k' })],
      ...fastRetries,
      onDeadLetter: (d) => deadLetters.push(d),
    });
    dispatcher.dispatch(sampleAlert('low'));
    await dispatcher.idle();
    assert.equal(deadLetters.length, 1);
    assert.equal(deadLetters[0].attempts, 4);
    assert.equal(deadLetters[0].code, 'delivery_failed');
    await dispatcher.close(0);
  });
});

describe('AlertDispatcher never stalls the stream', () => {
  test('a hanging webhook: dispatch returns at once, the bounded queue overflows into dead letters, other channels still deliver', async () => {
    const dead = await startServer(() => 'hang');
    const healthy = await startServer(() => ({ status: 200 }));
    const deadLetters: AlertDeadLetter[] = [];
    const dispatcher = new AlertDispatcher({
      channels: [
        new WebhookChannel({ url: `${dead.url}/hook`, secret: 'k' }),
        new SlackChannel({ webhookUrl: `${healthy.url}/slack` }),
      ],
      queueCapacity: 3,
      concurrency: 1,
      retries: 0,
      attemptTimeoutMs: 60_000,
      onDeadLetter: (d) => deadLetters.push(d),
    });
    try {
      // dispatch is synchronous: if it waited for the hanging server this loop could not finish.
      for (let i = 0; i < 10; i++) dispatcher.dispatch(sampleAlert('high', `txn-${i}`));
      const s = dispatcher.stats();
      // Per channel: 1 in flight + 3 queued; the other 6 overflowed into dead letters with the reason.
      assert.equal(s.webhook.inFlight, 1);
      assert.equal(s.webhook.queued, 3);
      assert.equal(s.webhook.overflowed, 6);
      const webhookLetters = deadLetters.filter((d) => d.channel === 'webhook');
      assert.equal(webhookLetters.length, 6);
      assert.ok(
        webhookLetters.every((d) => d.code === 'queue_full' && /queue of 3 alerts is full/.test(d.reason)),
      );
      // The healthy channel delivers its 4 while the webhook is still hanging.
      await healthy.waitFor(4);
      // Polls a condition (no timing assertion): the 4th response may still be in flight.
      while (dispatcher.stats().slack.delivered < 4) await new Promise((r) => setTimeout(r, 5));
      assert.equal(dispatcher.stats().webhook.inFlight, 1);
      await dead.waitFor(1);
      // Shutdown: what is still queued or in flight becomes a shutdown dead letter.
      await dispatcher.close(0);
      assert.equal(deadLetters.filter((d) => d.code === 'shutdown' && d.channel === 'webhook').length, 4);
      assert.equal(dispatcher.stats().slack.delivered, 4);
    } finally {
      await dispatcher.close(0);
      await dead.close();
      await healthy.close();
    }
  });

  test('an attempt that exceeds the timeout is retried and then dead-lettered', async () => {
    const server = await startServer(() => 'hang');
    const deadLetters: AlertDeadLetter[] = [];
    const dispatcher = new AlertDispatcher({
      channels: [new SlackChannel({ webhookUrl: `${server.url}/slack` })],
      retries: 1,
      initialBackoffMs: 1,
      attemptTimeoutMs: 50,
      onDeadLetter: (d) => deadLetters.push(d),
    });
    try {
      dispatcher.dispatch(sampleAlert('medium'));
      await dispatcher.idle();
      assert.equal(deadLetters.length, 1);
      assert.equal(deadLetters[0].attempts, 2);
      assert.match(deadLetters[0].reason, /timed out/);
    } finally {
      await dispatcher.close(0);
      await server.close();
    }
  });
});

describe('AlertDispatcher dedup', () => {
  test('the same alert id is sent once per channel, whether repeated at once or later', async () => {
    const server = await startServer(() => ({ status: 200 }));
    const dispatcher = new AlertDispatcher({
      channels: [new SlackChannel({ webhookUrl: `${server.url}/s` })],
    });
    try {
      const alert = sampleAlert('high');
      dispatcher.dispatch(alert);
      dispatcher.dispatch(alert); // while the first is queued
      await dispatcher.idle();
      dispatcher.dispatch(sampleAlert('high')); // same id rebuilt later
      await dispatcher.idle();
      dispatcher.dispatch(sampleAlert('critical')); // same transaction, new level -> new alert
      await dispatcher.idle();
      assert.equal(server.requests.length, 2);
      assert.equal(dispatcher.stats().slack.deduplicated, 2);
    } finally {
      await dispatcher.close(0);
      await server.close();
    }
  });

  test('after a restart the LMDB dedup store recognises alerts already delivered', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fs-alert-dedup-'));
    const server = await startServer(() => ({ status: 200 }));
    try {
      const run = async (transactionIds: string[]) => {
        const dedup = LmdbDedupStore.open(path.join(dir, 'dedup'));
        const dispatcher = new AlertDispatcher({
          channels: [
            new SlackChannel({ webhookUrl: `${server.url}/slack` }),
            new PagerDutyChannel({ routingKey: 'k', url: `${server.url}/v2/enqueue` }),
          ],
          dedup,
        });
        for (const id of transactionIds) dispatcher.dispatch(sampleAlert('critical', id));
        await dispatcher.idle();
        await dispatcher.close(0);
        await dedup.close();
        return dispatcher.stats();
      };
      const first = await run(['a', 'b']);
      assert.equal(first.slack.delivered, 2);
      assert.equal(server.requests.length, 4); // 2 alerts x (slack + pagerduty)
      const second = await run(['a', 'b', 'c']); // "restart" replays a and b
      assert.equal(second.slack.deduplicated, 2);
      assert.equal(second.pagerduty.deduplicated, 2);
      assert.equal(second.slack.delivered, 1);
      assert.equal(server.requests.length, 6);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
