/**
 * Validation → streaming features → rule packs → decision → alerts, on real parts, with the
 * webhook dead: the stream keeps going, failures end up as dead letters.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { DecisionEngine } from '../../../../src/apps/fraud/decision/index.ts';
import { FEATURE_NAMES, FeatureTracker, fromSparkovRow } from '../../../../src/apps/fraud/features/index.ts';
import { RulesEngine, ruleRecord, SHIPPED_RULE_PACK_FILES } from '../../../../src/apps/fraud/rules/index.ts';
import { createValidators } from '../../../../src/apps/fraud/validation/index.ts';
import {
  type AlertDeadLetter,
  AlertDispatcher,
  alertTopicRecords,
  buildAlerts,
  SlackChannel,
  WebhookChannel,
} from '../../../../src/sinks/alerts/index.ts';
import { validCardTransaction } from '../../../events/fixtures.ts';

test('a card stream flows through validation, rules, decisions and alerts while the webhook is dead', async () => {
  let slackMessages = 0;
  const slack = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      slackMessages++;
      res.end('ok');
    });
  });
  const deadHook = createServer((req) => req.resume()); // accepts, never answers
  await Promise.all([
    new Promise<void>((r) => slack.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => deadHook.listen(0, '127.0.0.1', r)),
  ]);
  const port = (s: typeof slack) => (s.address() as AddressInfo).port;
  const deadLetters: AlertDeadLetter[] = [];
  const dispatcher = new AlertDispatcher({
    channels: [
      new SlackChannel({ webhookUrl: `http://127.0.0.1:${port(slack)}/slack` }),
      new WebhookChannel({ url: `http://127.0.0.1:${port(deadHook)}/hook`, secret: 'k' }),
    ],
    queueCapacity: 5,
    concurrency: 1,
    retries: 0,
    attemptTimeoutMs: 60_000,
    onDeadLetter: (d) => deadLetters.push(d),
  });
  const rules = await RulesEngine.fromFiles([...SHIPPED_RULE_PACK_FILES], {
    logger: { info() {}, warn() {} },
  });
  const decisions = new DecisionEngine();
  const validate = createValidators({ now: () => Date.UTC(2021, 0, 1) });
  const tracker = new FeatureTracker();

  const base = Date.UTC(2020, 5, 20, 10, 0, 0);
  const counts = { rejected: 0, allow: 0, review: 0, block: 0, topicRecords: 0 };
  try {
    for (let i = 0; i < 400; i++) {
      const t = new Date(base + i * 60_000 * 7);
      const night = i % 50 >= 45; // a burst of night-time, high-amount spend on one card
      const row = {
        ...validCardTransaction,
        trans_date_trans_time: t.toISOString().slice(0, 19).replace('T', ' '),
        cc_num: night ? '4000000000000002' : `40000000000${String(i % 20).padStart(5, '0')}`,
        merchant: i === 7 ? '<script>alert(1)</script>Shop' : 'fraud_Kirlin and Sons',
        category: night ? 'shopping_net' : 'grocery_pos',
        amt: i === 13 ? -1 : night ? 900 + i : 20 + (i % 30),
        job: 'Engineer',
        trans_num: `t-${i}`,
        unix_time: Math.floor(t.getTime() / 1000),
        merch_lat: 33.98,
        merch_long: -81.2,
      };
      const checked = validate.cardTransaction(row);
      if (!checked.ok) {
        counts.rejected++;
        continue;
      }
      const view = fromSparkovRow(checked.value);
      if (night) view.time = Date.UTC(2020, 5, 20, 23, 0, 0) + i * 60_000; // force the night clock
      const features = tracker.next(view);
      const record = ruleRecord(FEATURE_NAMES, features, 0, view, { event_kind: 'card_transaction' });
      const packs = rules.evaluate(record);
      const out = decisions.decide({
        eventId: row.trans_num,
        eventTime: view.time,
        receivedAt: Date.now(),
        event: checked.value,
        features: record,
        packs,
        sanitized: checked.sanitized,
      });
      counts[out.decision]++;
      const alerts = buildAlerts(
        {
          transactionId: row.trans_num,
          customerId: row.cc_num,
          merchant: checked.value.merchant,
          amount: row.amt,
          currency: 'USD',
          eventTime: view.time,
        },
        packs,
        Date.now(),
        out.decision,
      );
      for (const alert of alerts) {
        counts.topicRecords += alertTopicRecords(alert).length;
        dispatcher.dispatch(alert); // must never wait for the dead webhook
      }
      if (i === 7) assert.deepEqual(out.audit.sanitized, ['merchant:xss']);
    }
    assert.equal(counts.rejected, 1, 'the negative amount goes to the DLQ');
    assert.equal(counts.allow + counts.review + counts.block, 399, 'every valid record got a decision');
    assert.ok(counts.review + counts.block > 0, `some decisions flag fraud: ${JSON.stringify(counts)}`);
    assert.ok(counts.topicRecords > 0);
    const hook = dispatcher.stats().webhook;
    assert.ok(hook.overflowed > 0, 'the dead webhook overflowed its bounded queue');
    assert.ok(deadLetters.some((d) => d.channel === 'webhook' && d.code === 'queue_full'));
    await dispatcher.close(2_000);
    assert.ok(slackMessages > 0, 'Slack kept receiving alerts');
    assert.ok(!deadLetters.some((d) => d.channel === 'slack' && d.code === 'delivery_failed'));
  } finally {
    await dispatcher.close(0);
    rules.close();
    slack.closeAllConnections();
    deadHook.closeAllConnections();
    await Promise.all([new Promise((r) => slack.close(r)), new Promise((r) => deadHook.close(r))]);
  }
});
