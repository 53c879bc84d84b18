import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileDecisionPolicy,
  DecisionEngine,
  type DecisionInput,
} from '../../../../src/apps/fraud/decision/index.ts';
import {
  RulesEngine,
  type RulesLogger,
  SEED_RULE_PACK_FILES,
} from '../../../../src/apps/fraud/rules/index.ts';

const silent: RulesLogger = { info: () => {}, warn: () => {} };
const rules = await RulesEngine.fromFiles([...SEED_RULE_PACK_FILES], { logger: silent });

/** Quiet in every pack: established customer, small card payment, weekday noon, no velocity. */
const quiet = {
  amount: 25,
  payment_method: 'credit_card',
  country: 'US',
  hour: 12,
  is_weekend: 0,
  count_30m: 0,
  count_5m: 0,
  amount_mean: 30,
  customer_fraud_score: 5,
  account_age_days: 400,
  customer_total_orders: 1,
  customer_total_amount: 1,
};

const clock = 1_000_000;
const now = () => clock;

function input(features: Record<string, unknown>, model?: number): DecisionInput {
  return {
    eventId: 'txn-7',
    customerId: 'cust-1',
    eventTime: 999_000,
    receivedAt: clock - 12,
    event: { order_id: 'txn-7', amount: features.amount },
    features,
    packs: rules.evaluate(features),
    model: model === undefined ? null : { version: 'gbdt-test', score: model },
    sanitized: [],
  };
}

describe('default decision policy', () => {
  const engine = new DecisionEngine({ now });

  test('a quiet transaction is allowed, with a complete audit record', () => {
    const out = engine.decide(input(quiet));
    assert.equal(out.decision, 'allow');
    assert.equal(out.matchedClause, null);
    assert.equal(out.review, null);
    const a = out.audit;
    assert.equal(a.eventId, 'txn-7');
    assert.equal(a.decision, 'allow');
    assert.equal(a.latencyMs, 12);
    assert.equal(a.decidedAt, clock);
    assert.equal(a.analystOutcome, null);
    assert.equal(a.model, null);
    assert.deepEqual(a.features, quiet);
    assert.deepEqual(
      a.rulePacks.map((p) => p.level),
      ['MINIMAL', 'LEGITIMATE', 'NONE'],
    );
    assert.match(a.policyVersion, /^1\.0\.0\+[0-9a-f]{16}$/);
    assert.match(a.auditId, /^txn-7@[0-9a-f]{16}$/);
  });

  test('any pack CRITICAL blocks: seed 001 known fraud + velocity = 75', () => {
    const out = engine.decide(input({ ...quiet, known_fraud: true, count_30m: 5 }));
    assert.equal(out.decision, 'block');
    assert.equal(out.matchedClause, 'any-pack-critical');
    assert.equal(out.review, null);
    assert.deepEqual(
      out.audit.rulePacks[0].hits.map((h) => h.reason),
      ['KNOWN_FRAUD_FLAG', 'HIGH_VELOCITY'],
    );
  });

  test('seed 001 at 74 points (HIGH) is reviewed, not blocked', () => {
    // known fraud 50 + crypto 20 = 70 -> HIGH (crypto also lifts seed 000 by 0.2 -> MEDIUM_RISK)
    const out = engine.decide(input({ ...quiet, known_fraud: true, payment_method: 'crypto' }));
    assert.equal(out.decision, 'review');
    assert.equal(out.matchedClause, 'any-pack-high');
    assert.equal(out.review?.priority, 'high');
    // distinct reason codes of every pack (the long-standing customer's tiny velocity risk included)
    assert.deepEqual(out.review?.reasons, [
      'KNOWN_FRAUD_FLAG',
      'CRYPTO_PAYMENT',
      'VELOCITY_RISK',
      'PAYMENT_RISK_HIGH',
    ]);
  });

  test('model score: 0.9 blocks, 0.89 reviews, 0.5 reviews, 0.49 allows', () => {
    assert.equal(engine.decide(input(quiet, 0.9)).decision, 'block');
    assert.equal(engine.decide(input(quiet, 0.9)).matchedClause, 'model-0.9');
    assert.equal(engine.decide(input(quiet, 0.89)).decision, 'review');
    const half = engine.decide(input(quiet, 0.5));
    assert.equal(half.decision, 'review');
    assert.equal(half.review?.priority, 'normal');
    assert.equal(half.review?.modelScore, 0.5);
    assert.equal(engine.decide(input(quiet, 0.49)).decision, 'allow');
    assert.deepEqual(engine.decide(input(quiet, 0.49)).audit.model, { version: 'gbdt-test', score: 0.49 });
  });

  test('seed 000: HIGH_RISK to the analyst (review, high), MEDIUM_RISK human review, LOW_RISK allowed', () => {
    const high = engine.decide(input({ ...quiet, account_age_days: 0.5, payment_method: 'paypal' })); // 0.3
    assert.equal(high.audit.rulePacks[1].level, 'HIGH_RISK');
    assert.equal(high.decision, 'review');
    assert.equal(high.review?.priority, 'high');
    const medium = engine.decide(input({ ...quiet, account_age_days: 0.5 })); // 0.2
    assert.equal(medium.audit.rulePacks[1].level, 'MEDIUM_RISK');
    assert.equal(medium.decision, 'review');
    assert.equal(medium.matchedClause, 'seed000-medium-risk');
    assert.equal(medium.review?.priority, 'normal');
    const low = engine.decide(input({ ...quiet, account_age_days: 10 })); // 0.08 -> LEGITIMATE
    assert.equal(low.decision, 'allow');
    const lowRisk = engine.decide(input({ ...quiet, payment_method: 'paypal' })); // 0.1 -> LOW_RISK
    assert.equal(lowRisk.audit.rulePacks[1].level, 'LOW_RISK');
    assert.equal(lowRisk.decision, 'allow');
  });

  test('seed 004 RAPID_PAYMENTS (HIGH) is reviewed; with a high-risk customer too it is CRITICAL and blocked', () => {
    assert.equal(engine.decide(input({ ...quiet, count_5m: 10 })).decision, 'review');
    assert.equal(
      engine.decide(input({ ...quiet, count_5m: 10, customer_fraud_score: 80 })).decision,
      'block',
    );
  });

  test('the audit id is deterministic for the same event, packs and policy', () => {
    assert.equal(engine.decide(input(quiet)).audit.auditId, engine.decide(input(quiet)).audit.auditId);
    const other = { ...input(quiet), eventId: 'txn-8' };
    assert.notEqual(engine.decide(other).audit.auditId, engine.decide(input(quiet)).audit.auditId);
  });
});

describe('custom policies', () => {
  test('clauses on a reason code, on a pack level, and pack + model together', () => {
    const engine = new DecisionEngine({
      now,
      policy: {
        version: '2.0.0',
        block: [{ name: 'crypto-and-model', reason: 'CRYPTO_PAYMENT', modelScoreAtLeast: 0.3 }],
        review: [{ name: 'seed001-low', pack: 'seed001-points', levels: ['LOW'] }],
      },
    });
    const crypto = { ...quiet, payment_method: 'crypto' };
    assert.equal(engine.decide(input(crypto, 0.3)).decision, 'block');
    // crypto alone is 20 points (seed 001 LOW): without the model condition only the review clause holds
    assert.equal(engine.decide(input(crypto, 0.29)).matchedClause, 'seed001-low');
    assert.equal(engine.decide(input(crypto)).decision, 'review'); // no model: the block clause fails
    assert.equal(engine.decide(input(quiet, 0.99)).decision, 'allow'); // model alone is no clause here
    assert.equal(engine.decide(input({ ...quiet, hour: 2 })).decision, 'review'); // night 10 -> LOW
    assert.match(engine.decide(input(quiet)).audit.policyVersion, /^2\.0\.0\+/);
  });

  test('invalid policies are rejected with the clause and key; replacePolicy keeps the old one', () => {
    const expect = (doc: unknown, re: RegExp) =>
      assert.throws(
        () => compileDecisionPolicy(doc),
        (err: Error & { code?: string }) => err.code === 'FS_CONFIG_INVALID' && re.test(err.message),
      );
    expect({ version: '1', block: [{}], review: [] }, /block\[0\]: states no condition/);
    expect(
      { version: '1', block: [], review: [{ modelScoreAtLeast: 1.5 }] },
      /review\[0\]\.modelScoreAtLeast.*1\.5/,
    );
    expect(
      { version: '1', block: [{ severityAtLeast: 'extreme' }], review: [] },
      /severityAtLeast.*"extreme"/,
    );
    expect({ version: '1', block: [{ pack: 'x', color: 'red' }], review: [] }, /block\[0\] key "color"/);
    expect({ block: [], review: [] }, /version/);
    const engine = new DecisionEngine({ now });
    const before = engine.policy.hash;
    assert.throws(() => engine.replacePolicy({ version: '9', block: 'all', review: [] }), {
      code: 'FS_CONFIG_INVALID',
    });
    assert.equal(engine.policy.hash, before);
    const v = engine.replacePolicy({ version: '3.0.0', block: [], review: [] });
    assert.equal(v.version, '3.0.0');
    assert.equal(engine.decide(input({ ...quiet, known_fraud: true, count_30m: 5 })).decision, 'allow');
  });
});
