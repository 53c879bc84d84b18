import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CompiledRulePack,
  type FeatureRecord,
  loadRulePackFile,
  SEED_RULE_PACK_FILES,
  velocityScore,
} from '../../../../src/apps/fraud/rules/index.ts';

const [seed001File, seed000File, seed004File] = SEED_RULE_PACK_FILES;

function reasons(pack: CompiledRulePack, record: FeatureRecord): string[] {
  return pack.evaluate(record).hits.map((h) => h.reason);
}

/** A record that triggers nothing in seed 001: weekday noon, small card payment, quiet card. */
const quiet001 = {
  amount: 20,
  payment_method: 'credit_card',
  country: 'US',
  hour: 12,
  is_weekend: 0,
  count_30m: 0,
};

describe('seed 001 points pack', async () => {
  const pack = await loadRulePackFile(seed001File);

  test('a quiet record scores 0 and is MINIMAL', () => {
    const r = pack.evaluate(quiet001);
    assert.equal(r.score, 0);
    assert.equal(r.level, 'MINIMAL');
    assert.equal(r.severity, 'none');
  });

  test('known fraud flag +50 (true or 1), absent or false does not fire', () => {
    assert.deepEqual(pack.evaluate({ ...quiet001, known_fraud: true }).hits, [
      { rule: 'known_fraud', reason: 'KNOWN_FRAUD_FLAG', contribution: 50 },
    ]);
    assert.deepEqual(reasons(pack, { ...quiet001, known_fraud: 1 }), ['KNOWN_FRAUD_FLAG']);
    assert.deepEqual(reasons(pack, { ...quiet001, known_fraud: false }), []);
    assert.deepEqual(reasons(pack, { ...quiet001, known_fraud: 0 }), []);
  });

  test('amount > $5000 +30: at 5000 no, just below no, just above yes', () => {
    assert.deepEqual(reasons(pack, { ...quiet001, amount: 5000 }), []);
    assert.deepEqual(reasons(pack, { ...quiet001, amount: 4999.99 }), []);
    assert.deepEqual(reasons(pack, { ...quiet001, amount: 5000.01 }), ['HIGH_AMOUNT']);
    assert.equal(pack.evaluate({ ...quiet001, amount: 5000.01 }).score, 30);
  });

  test('crypto payment +20, other methods nothing', () => {
    assert.equal(pack.evaluate({ ...quiet001, payment_method: 'crypto' }).score, 20);
    assert.deepEqual(reasons(pack, { ...quiet001, payment_method: 'paypal' }), []);
  });

  test('high-risk country +15', () => {
    assert.deepEqual(reasons(pack, { ...quiet001, country: 'NG' }), ['HIGH_RISK_COUNTRY']);
    assert.equal(pack.evaluate({ ...quiet001, country: 'NG' }).score, 15);
    assert.deepEqual(reasons(pack, { ...quiet001, country: 'DE' }), []);
  });

  test('late night 23:00-05:00 +10: hours 23, 0 and 4 yes; 22 and 5 no', () => {
    for (const hour of [23, 0, 4])
      assert.equal(pack.evaluate({ ...quiet001, hour }).score, 10, `hour ${hour}`);
    for (const hour of [22, 5]) assert.equal(pack.evaluate({ ...quiet001, hour }).score, 0, `hour ${hour}`);
  });

  test('weekend +5', () => {
    assert.equal(pack.evaluate({ ...quiet001, is_weekend: 1 }).score, 5);
    assert.equal(pack.evaluate({ ...quiet001, is_weekend: true }).score, 5);
    assert.equal(pack.evaluate({ ...quiet001, is_weekend: 0 }).score, 0);
  });

  test('> 5 transactions in 30 min +25: the current one counts, so 5 earlier = 6 in window fires', () => {
    assert.deepEqual(reasons(pack, { ...quiet001, count_30m: 4 }), []); // 5 in window: at threshold
    assert.deepEqual(reasons(pack, { ...quiet001, count_30m: 3 }), []); // 4: below
    assert.deepEqual(reasons(pack, { ...quiet001, count_30m: 5 }), ['HIGH_VELOCITY']); // 6: above
    assert.equal(pack.evaluate({ ...quiet001, count_30m: 5 }).score, 25);
  });

  test('level boundaries: 75 CRITICAL, 74 HIGH, 50 HIGH, 49 MEDIUM, 25 MEDIUM, 24 LOW, 10 LOW, 9 MINIMAL', () => {
    const cases: Array<[number, string]> = [
      [75, 'CRITICAL'],
      [74, 'HIGH'],
      [50, 'HIGH'],
      [49, 'MEDIUM'],
      [25, 'MEDIUM'],
      [24, 'LOW'],
      [10, 'LOW'],
      [9, 'MINIMAL'],
      [0, 'MINIMAL'],
    ];
    for (const [score, level] of cases) assert.equal(pack.levelOf(score).name, level, `score ${score}`);
  });

  test('scores add up through the levels with real combinations', () => {
    // known fraud 50 + velocity 25 = 75 -> CRITICAL
    assert.equal(pack.evaluate({ ...quiet001, known_fraud: true, count_30m: 5 }).level, 'CRITICAL');
    // amount 30 + crypto 20 = 50 -> HIGH
    assert.equal(pack.evaluate({ ...quiet001, amount: 6000, payment_method: 'crypto' }).level, 'HIGH');
    // crypto 20 + weekend 5 = 25 -> MEDIUM
    assert.equal(pack.evaluate({ ...quiet001, payment_method: 'crypto', is_weekend: 1 }).level, 'MEDIUM');
    // night 10 -> LOW ; weekend 5 -> MINIMAL
    assert.equal(pack.evaluate({ ...quiet001, hour: 2 }).level, 'LOW');
    assert.equal(pack.evaluate({ ...quiet001, is_weekend: 1 }).level, 'MINIMAL');
  });
});

describe('seed 000 risk-dimensions pack', async () => {
  const pack = await loadRulePackFile(seed000File);
  // An established customer: velocity tiny, small card order.
  const quiet000 = {
    amount: 30,
    payment_method: 'credit_card',
    account_age_days: 400,
    customer_total_orders: 1,
    customer_total_amount: 1,
  };

  test('the velocity formula is the seed formula verbatim', () => {
    // order_frequency = 10 / 5 = 2; amount_per_day = 200 * 2 = 400; 0.2 + 0.4 = 0.6
    assert.equal(velocityScore(200, 5, 10), 0.6000000000000001);
    assert.equal(velocityScore(10_000, 1, 50), 1.0); // capped
    assert.equal(velocityScore(100, 0, 1), 0.1 + 0.1); // age 0 divides by max(0, 1) = 1
  });

  test('velocity risk contributes 0.35 x the velocity score', () => {
    const r = pack.evaluate({
      ...quiet000,
      customer_total_amount: 200,
      account_age_days: 50,
      customer_total_orders: 10,
    });
    // frequency 0.2, per day 40 -> 0.02 + 0.04 = 0.06 -> 0.021
    assert.deepEqual(
      r.hits.map((h) => h.reason),
      ['VELOCITY_RISK'],
    );
    assert.equal(r.score, Math.round(0.35 * velocityScore(200, 50, 10) * 1e9) / 1e9);
  });

  test('velocity alone reaches HIGH_RISK when the score is maxed (0.35 >= 0.3)', () => {
    const r = pack.evaluate({
      ...quiet000,
      customer_total_amount: 5000,
      account_age_days: 45,
      customer_total_orders: 60,
    });
    assert.equal(r.level, 'HIGH_RISK');
  });

  test('amount tiers: > 1000 high, > 500 elevated, > 200 moderate, boundaries excluded', () => {
    const at = (amount: number) =>
      reasons(pack, { ...quiet000, amount }).filter((x) => x !== 'VELOCITY_RISK');
    assert.deepEqual(at(1000.01), ['AMOUNT_RISK_HIGH']);
    assert.deepEqual(at(1000), ['AMOUNT_RISK_ELEVATED']);
    assert.deepEqual(at(500.01), ['AMOUNT_RISK_ELEVATED']);
    assert.deepEqual(at(500), ['AMOUNT_RISK_MODERATE']);
    assert.deepEqual(at(200.01), ['AMOUNT_RISK_MODERATE']);
    assert.deepEqual(at(200), []);
    assert.deepEqual(at(199.99), []);
  });

  test('account-age tiers: < 1 day, < 7 days, < 30 days', () => {
    const at = (account_age_days: number) =>
      reasons(pack, { ...quiet000, account_age_days }).filter((x) => x !== 'VELOCITY_RISK');
    assert.deepEqual(at(0.99), ['ACCOUNT_NEW']);
    assert.deepEqual(at(1), ['ACCOUNT_YOUNG']);
    assert.deepEqual(at(6.99), ['ACCOUNT_YOUNG']);
    assert.deepEqual(at(7), ['ACCOUNT_RECENT']);
    assert.deepEqual(at(29.99), ['ACCOUNT_RECENT']);
    assert.deepEqual(at(30), []);
  });

  test('payment-method risk: crypto high, wallets and transfers medium, cards none', () => {
    assert.deepEqual(reasons(pack, { ...quiet000, payment_method: 'crypto' }).slice(-1), [
      'PAYMENT_RISK_HIGH',
    ]);
    assert.deepEqual(reasons(pack, { ...quiet000, payment_method: 'paypal' }).slice(-1), [
      'PAYMENT_RISK_MEDIUM',
    ]);
    assert.ok(
      !reasons(pack, { ...quiet000, payment_method: 'debit_card' }).some((x) => x.startsWith('PAYMENT')),
    );
  });

  test('level boundaries: 0.3 HIGH_RISK, just below MEDIUM_RISK, 0.2 MEDIUM, 0.1 LOW, below LEGITIMATE', () => {
    const cases: Array<[number, string]> = [
      [0.3, 'HIGH_RISK'],
      [0.299999, 'MEDIUM_RISK'],
      [0.2, 'MEDIUM_RISK'],
      [0.199999, 'LOW_RISK'],
      [0.1, 'LOW_RISK'],
      [0.099999, 'LEGITIMATE'],
      [0, 'LEGITIMATE'],
    ];
    for (const [score, level] of cases) assert.equal(pack.levelOf(score).name, level, `score ${score}`);
  });

  test('combined scores hit the exact boundaries despite float sums', () => {
    // payment medium 0.1 + account new 0.2 = 0.3 exactly -> HIGH_RISK (0.1 + 0.2 is 0.30000000000000004 in floats)
    const high = pack.evaluate({
      ...quiet000,
      customer_total_amount: 0,
      payment_method: 'paypal',
      account_age_days: 0.5,
    });
    assert.equal(high.level, 'HIGH_RISK');
    // account new alone: 0.2 -> MEDIUM_RISK ; payment medium alone 0.1 -> LOW_RISK
    assert.equal(
      pack.evaluate({ ...quiet000, customer_total_amount: 0, account_age_days: 0.5 }).level,
      'MEDIUM_RISK',
    );
    assert.equal(
      pack.evaluate({ ...quiet000, customer_total_amount: 0, payment_method: 'paypal' }).level,
      'LOW_RISK',
    );
    assert.equal(pack.evaluate({ ...quiet000, customer_total_amount: 0 }).level, 'LEGITIMATE');
  });
});

describe('seed 004 payments pack', async () => {
  const pack = await loadRulePackFile(seed004File);
  const quiet004 = { amount: 50, amount_mean: 40, count_5m: 0, customer_fraud_score: 10 };

  test('RAPID_PAYMENTS: > 10 payments in 5 min (current included): 10 earlier fires, 9 does not', () => {
    assert.deepEqual(reasons(pack, { ...quiet004, count_5m: 9 }), []); // 10 payments: at threshold
    assert.deepEqual(reasons(pack, { ...quiet004, count_5m: 8 }), []); // 9: below
    const r = pack.evaluate({ ...quiet004, count_5m: 10 }); // 11: above
    assert.deepEqual(
      r.hits.map((h) => h.reason),
      ['RAPID_PAYMENTS'],
    );
    assert.equal(r.level, 'HIGH');
    assert.deepEqual(r.routes, ['bss.fraud.alerts']);
  });

  test('UNUSUAL_AMOUNT: amount > 5 x average; at 5x no, just above yes; no average no alert', () => {
    assert.deepEqual(reasons(pack, { ...quiet004, amount: 200 }), []); // exactly 5 x 40
    assert.deepEqual(reasons(pack, { ...quiet004, amount: 199.99 }), []);
    const r = pack.evaluate({ ...quiet004, amount: 200.01 });
    assert.deepEqual(
      r.hits.map((h) => h.reason),
      ['UNUSUAL_AMOUNT'],
    );
    assert.equal(r.level, 'MEDIUM');
    assert.deepEqual(r.routes, ['bss.fraud.alerts']);
    assert.deepEqual(reasons(pack, { ...quiet004, amount: 1000, amount_mean: 0 }), []);
    assert.deepEqual(reasons(pack, { ...quiet004, amount: 1000, amount_mean: undefined }), []);
  });

  test('HIGH_RISK_CUSTOMER: fraud score > 75 routes to bss.fraud.high-risk', () => {
    assert.deepEqual(reasons(pack, { ...quiet004, customer_fraud_score: 75 }), []);
    assert.deepEqual(reasons(pack, { ...quiet004, customer_fraud_score: 74.9 }), []);
    const r = pack.evaluate({ ...quiet004, customer_fraud_score: 75.1 });
    assert.deepEqual(
      r.hits.map((h) => h.reason),
      ['HIGH_RISK_CUSTOMER'],
    );
    assert.deepEqual(r.routes, ['bss.fraud.high-risk']);
  });

  test('levels: two rules together are CRITICAL, routes are the union', () => {
    const r = pack.evaluate({ ...quiet004, count_5m: 14, customer_fraud_score: 90 });
    assert.equal(r.level, 'CRITICAL');
    assert.deepEqual(r.routes, ['bss.fraud.alerts', 'bss.fraud.high-risk']);
    const cases: Array<[number, string]> = [
      [80, 'CRITICAL'],
      [79, 'HIGH'],
      [50, 'HIGH'],
      [49, 'MEDIUM'],
      [30, 'MEDIUM'],
      [29, 'NONE'],
    ];
    for (const [score, level] of cases) assert.equal(pack.levelOf(score).name, level, `score ${score}`);
  });
});
