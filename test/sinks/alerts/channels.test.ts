import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AlertDispatcher,
  alertIdFor,
  alertTopicRecords,
  buildAlert,
  buildAlerts,
  createAlertChannels,
  mostSevereAlert,
  PagerDutyChannel,
  SIGNATURE_HEADER,
  SlackChannel,
  signWebhookBody,
  verifyWebhookSignature,
  WebhookChannel,
} from '../../../src/sinks/alerts/index.ts';
import { sampleAlert } from './fixtures.ts';
import { startServer } from './http-server.ts';

describe('alert records', () => {
  test('alert ids are deterministic in transaction, pack version and level', () => {
    assert.equal(sampleAlert('high').alertId, sampleAlert('high').alertId);
    assert.notEqual(sampleAlert('high').alertId, sampleAlert('critical').alertId);
    assert.notEqual(sampleAlert('high').alertId, sampleAlert('high', 'txn-2').alertId);
    assert.equal(
      sampleAlert('high').alertId,
      alertIdFor('txn-1', 'seed001-points@1.0.0+ef3488c699136d24', 'HIGH'),
    );
    assert.notEqual(alertIdFor('t', 'p@1.0.0+a', 'HIGH'), alertIdFor('t', 'p@1.0.1+a', 'HIGH'));
    // sha256 of "txn\0packVersion\0level", first 32 hex digits: ids stay the same across versions (dedup)
    assert.equal(
      alertIdFor('txn-1', 'seed001-points@1.0.0+ef3488c699136d24', 'HIGH'),
      'ad193566fd71e1563918f27cadbf7f2b',
    );
  });

  test('buildAlerts keeps every alerting pack; mostSevereAlert picks one per transaction', () => {
    const subject = { transactionId: 't-5', eventTime: 0 };
    const pack = (name: string, severity: string, level: string) => ({
      pack: name,
      version: '1',
      hash: 'h',
      score: 1,
      level,
      severity,
      hits: [],
    });
    const alerts = buildAlerts(
      subject,
      [
        pack('a', 'medium', 'MEDIUM'),
        pack('b', 'none', 'MINIMAL'),
        pack('c', 'high', 'HIGH_RISK'),
        pack('d', 'high', 'HIGH'),
      ],
      0,
    );
    assert.deepEqual(
      alerts.map((a) => a.pack),
      ['a', 'c', 'd'],
    );
    assert.equal(mostSevereAlert(alerts)?.pack, 'c');
    assert.equal(mostSevereAlert([]), null);
  });

  test('no alert for severity none (MINIMAL / LEGITIMATE)', () => {
    const none = buildAlert(
      { transactionId: 't', eventTime: 0 },
      { pack: 'p', version: '1', hash: 'h', score: 3, level: 'MINIMAL', severity: 'none', hits: [] },
      0,
    );
    assert.equal(none, null);
  });

  test('alerts topic records: bss.fraud.alerts plus the pack routes, keyed by customer', () => {
    const records = alertTopicRecords(
      sampleAlert('high', 'txn-9', ['bss.fraud.alerts', 'bss.fraud.high-risk']),
    );
    assert.deepEqual(
      records.map((r) => r.topic),
      ['bss.fraud.alerts', 'bss.fraud.high-risk'],
    );
    assert.equal(records[0].key?.toString(), 'cust-42');
    const value = JSON.parse(records[0].value!.toString());
    assert.equal(value.alertId, records[0].headers?.['alert-id']);
    assert.equal(value.level, 'HIGH');
  });
});

describe('Slack incoming webhook', () => {
  test('posts a Block Kit message with level, reasons, amount, customer, merchant and alert id', async () => {
    const server = await startServer(() => ({ status: 200, body: 'ok' }));
    const dispatcher = new AlertDispatcher({
      channels: [new SlackChannel({ webhookUrl: `${server.url}/services/T/B/X` })],
    });
    try {
      for (const s of ['low', 'medium', 'high', 'critical'] as const) dispatcher.dispatch(sampleAlert(s));
      await dispatcher.idle();
      assert.equal(server.requests.length, 4, 'every LOW/MEDIUM/HIGH/CRITICAL fraud is sent (seed 002)');
      const critical = server.requests
        .map((r) => JSON.parse(r.body))
        .find((b) => b.text.includes('CRITICAL'));
      assert.ok(critical);
      assert.equal(server.requests[0].path, '/services/T/B/X');
      assert.equal(server.requests[0].headers['content-type'], 'application/json');
      const all = JSON.stringify(critical.blocks);
      for (const part of [
        'CRITICAL',
        '$6,200.50',
        'cust-42',
        'fraud_Kirlin and Sons',
        'HIGH_AMOUNT',
        'CRYPTO_PAYMENT',
        sampleAlert('critical').alertId,
      ]) {
        assert.ok(all.includes(part), `blocks mention ${part}`);
      }
      assert.equal(critical.blocks[0].type, 'header');
      assert.ok(critical.text.includes(sampleAlert('critical').alertId));
    } finally {
      await dispatcher.close(0);
      await server.close();
    }
  });

  test('an empty URL disables Slack (seed 002)', () => {
    assert.equal(new SlackChannel({ webhookUrl: '' }).accepts(sampleAlert('critical')), false);
    assert.deepEqual(createAlertChannels({ slackWebhookUrl: '' }), []);
    assert.deepEqual(
      createAlertChannels({ slackWebhookUrl: 'http://x', pagerdutyRoutingKey: 'k' }).map((c) => c.name),
      ['slack', 'pagerduty'],
    );
  });
});

describe('generic webhook with HMAC-SHA256', () => {
  test('the receiver verifies the signature over timestamp + raw body; tampering fails', async () => {
    const secret = 's3cr3t-hmac-key';
    const server = await startServer(() => ({ status: 204 }));
    const dispatcher = new AlertDispatcher({
      channels: [new WebhookChannel({ url: `${server.url}/hooks/fraud`, secret })],
    });
    try {
      const alert = sampleAlert('medium');
      dispatcher.dispatch(alert);
      await dispatcher.idle();
      assert.equal(server.requests.length, 1);
      const req = server.requests[0];
      const header = req.headers[SIGNATURE_HEADER] as string;
      assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.ok(verifyWebhookSignature(secret, header, req.body));
      assert.ok(!verifyWebhookSignature('wrong-secret', header, req.body));
      assert.ok(!verifyWebhookSignature(secret, header, req.body.replace('6200.5', '1')));
      assert.equal(req.headers['idempotency-key'], alert.alertId);
      assert.deepEqual(JSON.parse(req.body), alert);
      assert.equal(dispatcher.stats().webhook.delivered, 1);
    } finally {
      await dispatcher.close(0);
      await server.close();
    }
  });

  test('signatures outside the tolerance are refused (replay protection)', () => {
    const header = signWebhookBody('k', '{}', 1_000_000);
    assert.ok(verifyWebhookSignature('k', header, '{}', { nowSeconds: 1_000_100 }));
    assert.ok(!verifyWebhookSignature('k', header, '{}', { nowSeconds: 1_000_301 }));
    assert.ok(!verifyWebhookSignature('k', undefined, '{}'));
    assert.ok(!verifyWebhookSignature('k', 't=1,v1=zz', '{}'));
  });

  test('a webhook without a secret is a configuration error', () => {
    assert.throws(() => new WebhookChannel({ url: 'http://127.0.0.1:1/x', secret: '' }), {
      code: 'FS_CONFIG_INVALID',
    });
  });
});

describe('PagerDuty Events v2', () => {
  test('CRITICAL alerts trigger /v2/enqueue with routing key, dedup key and payload; others are not paged', async () => {
    const server = await startServer(() => ({
      status: 202,
      body: '{"status":"success","message":"Event processed","dedup_key":"x"}',
    }));
    const pd = new PagerDutyChannel({ routingKey: 'R0UT1NGKEY', url: `${server.url}/v2/enqueue` });
    const dispatcher = new AlertDispatcher({ channels: [pd] });
    try {
      for (const s of ['low', 'medium', 'high'] as const) dispatcher.dispatch(sampleAlert(s));
      const alert = sampleAlert('critical');
      dispatcher.dispatch(alert);
      await dispatcher.idle();
      assert.equal(server.requests.length, 1);
      const { path, method, body } = server.requests[0];
      assert.equal(method, 'POST');
      assert.equal(path, '/v2/enqueue');
      const event = JSON.parse(body);
      assert.equal(event.routing_key, 'R0UT1NGKEY');
      assert.equal(event.event_action, 'trigger');
      assert.equal(event.dedup_key, alert.alertId);
      assert.equal(event.payload.severity, 'critical');
      assert.equal(event.payload.source, 'fraudstream');
      assert.match(event.payload.summary, /CRITICAL.*\$6,200\.50.*cust-42/);
      assert.equal(event.payload.timestamp, '2020-06-21T23:30:00.000Z');
      assert.deepEqual(event.payload.custom_details.reasons, ['HIGH_AMOUNT', 'CRYPTO_PAYMENT']);
      assert.equal(dispatcher.stats().pagerduty.delivered, 1);
    } finally {
      await dispatcher.close(0);
      await server.close();
    }
  });
});
