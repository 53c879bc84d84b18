/**
 * The fraud topology end to end in the TestDriver (same task code as the runtime, no log):
 * validation → DLQ, merchant and customer stages, rules, decision, outputs.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DecisionEngine } from '../../../src/apps/fraud/decision/index.ts';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../../../src/apps/fraud/features/index.ts';
import { FraudScorer } from '../../../src/apps/fraud/pipeline/scorer.ts';
import { type WireOrder, wireSerde } from '../../../src/apps/fraud/pipeline/wire.ts';
import { RulesEngine, SEED_RULE_PACK_FILES } from '../../../src/apps/fraud/rules/index.ts';
import { FRAUD_TOPICS } from '../../../src/apps/fraud/topics.ts';
import { buildFraudTopology } from '../../../src/apps/fraud/topology.ts';
import { createValidators } from '../../../src/apps/fraud/validation/index.ts';
import { Serdes, StreamBuilder, TestDriver } from '../../../src/engine/index.ts';
import type { Customer, Merchant, Order } from '../../../src/events/index.ts';

const T0 = Date.parse('2026-11-21T23:30:00Z'); // a Saturday, 23:30 UTC: night and weekend
const MIN = 60_000;

function customer(id: string, createdDaysAgo: number): Customer {
  return {
    customer_id: id,
    name: `Customer ${id}`,
    email: `${id}@example.com`,
    tier: 'silver',
    account_created_at: T0 - createdDaysAgo * 86_400_000,
    home_country: 'US',
    home_city: 'Austin',
    home_lat: 30.27,
    home_lon: -97.74,
    region: 'us-south',
    preferred_payment_method: 'credit_card',
    timestamp: T0 - 10 * MIN,
  };
}

function merchant(id: string): Merchant {
  return {
    merchant_id: id,
    name: `Merchant ${id}`,
    category: 'restaurant',
    country: 'US',
    city: 'Austin',
    lat: 30.28,
    lon: -97.73,
    reputation: 0.8,
    onboarded_at: T0 - 400 * 86_400_000,
    timestamp: T0 - 10 * MIN,
  };
}

let n = 0;
function order(customerId: string, amount: number, at: number, extra: Partial<Order> = {}): Order {
  n++;
  return {
    order_id: `o-${n}`,
    customer_id: customerId,
    merchant_id: 'm1',
    restaurant_name: 'Tacos',
    merchant_category: 'restaurant',
    amount,
    currency: 'USD',
    payment_method: 'credit_card',
    country: 'US',
    city: 'Austin',
    lat: 30.27,
    lon: -97.74,
    device_id: 'd1',
    ip_address: '10.0.0.1',
    items: [{ item_id: 'i1', name: 'Taco', quantity: 1, unit_price: amount }],
    timestamp: at,
    is_fraud: false,
    fraud_scenario: null,
    ...extra,
  };
}

type Scored = { event_id: string; risk_level: string; decision: string; reasons: string[] };

describe('fraud topology (TestDriver)', () => {
  let rules: RulesEngine;
  before(async () => {
    rules = await RulesEngine.fromFiles([...SEED_RULE_PACK_FILES]);
  });

  function setup() {
    const builder = new StreamBuilder();
    const scorer = new FraudScorer({
      rules,
      decisions: new DecisionEngine(),
      headlinePack: 'seed001-points',
    });
    buildFraudTopology(builder, { scorer, validators: createValidators({ now: () => T0 + 60 * MIN }) });
    const driver = new TestDriver(builder.build(), { applicationId: 'fraud-test', startTimeMs: T0 });
    const json = <T>() => Serdes.json<T>();
    return {
      driver,
      customers: driver.inputTopic(FRAUD_TOPICS.customers, Serdes.string(), json<Customer>()),
      merchants: driver.inputTopic(FRAUD_TOPICS.merchants, Serdes.string(), json<Merchant>()),
      orders: driver.inputTopic(FRAUD_TOPICS.orders, Serdes.string(), json<unknown>()),
      scored: driver.outputTopic(FRAUD_TOPICS.scored, Serdes.string(), json<Scored>()),
      audit: driver.outputTopic(
        FRAUD_TOPICS.audit,
        Serdes.string(),
        json<{ eventId: string; decision: string; featureSet: string; features: Array<number | null> }>(),
      ),
      alerts: driver.outputTopic(
        FRAUD_TOPICS.alerts,
        Serdes.string(),
        json<{ level: string; alertId: string }>(),
      ),
      review: driver.outputTopic(FRAUD_TOPICS.reviewQueue, Serdes.string(), json<{ eventId: string }>()),
      dlq: driver.outputTopic(FRAUD_TOPICS.deadLetters, Serdes.string(), json<unknown>()),
      highRisk: driver.outputTopic(
        FRAUD_TOPICS.bssHighRisk,
        Serdes.string(),
        json<{ transactionId: string }>(),
      ),
    };
  }

  it('rejects invalid orders to the DLQ with the reason and the source position', () => {
    const t = setup();
    t.orders.pipe('c1', { ...order('c1', 10, T0), amount: -5 }, T0);
    t.orders.pipe('c1', { not: 'an order' }, T0);
    const dead = t.dlq.readAll();
    assert.equal(dead.length, 2);
    assert.match(dead[0].headers['fs.dlq.reason'], /amount/);
    assert.equal(dead[0].headers['fs.dlq.source.topic'], FRAUD_TOPICS.orders);
    assert.equal(dead[0].headers['fs.dlq.source.offset'], '0');
    assert.equal((dead[0].value as Order).amount, -5, 'the rejected record is kept as it came');
    assert.ok(t.scored.isEmpty());
    t.driver.close();
  });

  it('scores a crypto $6000 weekend-night order at 65 points (HIGH), audits it and alerts once', () => {
    const t = setup();
    t.customers.pipe('c1', customer('c1', 400), T0 - 10 * MIN);
    t.merchants.pipe('m1', merchant('m1'), T0 - 10 * MIN);
    t.orders.pipe('c1', order('c1', 6000, T0, { payment_method: 'crypto' }), T0);
    const [s] = t.scored.readValues();
    // seed 001: amount > 5000 (+30), crypto (+20), 23:00–05:00 (+10), weekend (+5) = 65 → HIGH
    assert.equal(s.risk_level, 'HIGH');
    for (const r of ['CRYPTO_PAYMENT', 'HIGH_AMOUNT', 'LATE_NIGHT', 'WEEKEND'])
      assert.ok(s.reasons.includes(r), r);
    assert.ok(!s.reasons.includes('HIGH_VELOCITY'));
    assert.notEqual(s.decision, 'allow', 'HIGH is at least reviewed by the default policy');
    const audit = t.audit.readValues();
    assert.equal(audit.length, 1, 'an audit record for every decision');
    assert.equal(audit[0].eventId, s.event_id);
    // the features as a vector in FEATURE_NAMES order, named by the feature-set version
    assert.equal(audit[0].featureSet, FEATURE_SET_VERSION);
    assert.equal(audit[0].features.length, FEATURE_NAMES.length);
    assert.equal(audit[0].features[FEATURE_NAMES.indexOf('amount')], 6000);
    assert.equal(audit[0].features[FEATURE_NAMES.indexOf('amount_mean')], null, 'unknown: no history');
    assert.equal(t.alerts.readValues().length, 1);
    t.driver.close();
  });

  it('velocity is point-in-time: the 7th order in 30 minutes sees 6 earlier ones', () => {
    const t = setup();
    t.customers.pipe('c2', customer('c2', 400), T0 - 10 * MIN);
    t.merchants.pipe('m1', merchant('m1'), T0 - 10 * MIN);
    const start = T0 - 3 * 60 * MIN; // 20:30, not night
    for (let i = 0; i < 7; i++)
      t.orders.pipe('c2', order('c2', 20, start + i * 4 * MIN), start + i * 4 * MIN);
    const scored = t.scored.readValues();
    assert.equal(scored.length, 7);
    const velocityHits = scored.map((s) => s.reasons.includes('HIGH_VELOCITY'));
    // seed 001: > 5 transactions in 30 min. Counting this one: the 6th order is the first with 6.
    assert.deepEqual(velocityHits, [false, false, false, false, false, true, true]);
    const state = t.driver.keyValueStore<string, { features: string }>('fraud-customer-state').get('c2');
    assert.ok(state, 'customer state is kept in the store');
    t.driver.close();
  });

  it('unknown customers and merchants still score (left joins) and a new account is risky (seed 000)', () => {
    const t = setup();
    t.customers.pipe('c3', customer('c3', 0.5), T0 - 10 * MIN); // account created 12 h ago
    t.orders.pipe('c3', order('c3', 1500, T0 - 6 * 60 * MIN), T0 - 6 * 60 * MIN);
    t.orders.pipe('c4', order('c4', 20, T0 - 6 * 60 * MIN), T0 - 6 * 60 * MIN);
    const [risky, unknown] = t.scored.readValues();
    assert.notEqual(risky.decision, 'allow');
    assert.equal(unknown.decision, 'allow');
    assert.ok(t.review.readValues().some((r) => r.eventId === risky.event_id) || risky.decision === 'block');
    t.driver.close();
  });
  it('an unsanitised order crosses the repartitions as its input bytes, a sanitised one as the clean record', () => {
    const t = setup();
    const raw = t.driver.inputTopic(FRAUD_TOPICS.orders, Serdes.string(), Serdes.bytes());
    t.merchants.pipe('m1', merchant('m1'), T0 - 10 * MIN);
    const plain = order('c5', 20, T0 - 6 * 60 * MIN);
    // a producer's spacing and number spelling (2.0e1 = 20): the same JSON value
    const text = JSON.stringify(plain, null, 1).replace('"amount": 20', '"amount": 2.0e1');
    raw.pipe('c5', Buffer.from(text), T0 - 6 * 60 * MIN);
    t.orders.pipe(
      'c5',
      order('c5', 30, T0 - 5 * 60 * MIN, { city: '<script>x</script>Austin' }),
      T0 - 5 * 60 * MIN,
    );
    const wire = t.driver
      .outputTopic('fraud-test-fraud-by-customer-repartition', Serdes.string(), wireSerde<WireOrder>())
      .readValues()
      .map((w) => w.source.toString('utf8'));
    assert.equal(wire.length, 2);
    assert.equal(wire[0], text, 'the input bytes, as they came');
    assert.equal(JSON.parse(wire[1]).city, 'Austin');
    assert.equal(wire[1], JSON.stringify(JSON.parse(wire[1])), 'the sanitised record, stringified');
    const audit = t.audit.readValues() as unknown as Array<{ inputs: Order; sanitized: string[] }>;
    assert.deepEqual(audit[0].inputs, plain);
    assert.equal(audit[1].inputs.city, 'Austin');
    assert.deepEqual(audit[1].sanitized, ['city:xss']);
    t.driver.close();
  });
});
