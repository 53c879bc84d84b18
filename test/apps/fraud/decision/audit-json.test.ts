/**
 * The audit record's JSON writer: the fields JSON.stringify would write, in its order, with the
 * inputs spliced in as the event's own JSON bytes when the caller gives them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  auditJson,
  auditJsonInto,
  auditJsonSerde,
  DecisionEngine,
  type DecisionInput,
} from '../../../../src/apps/fraud/decision/index.ts';
import { RulesEngine, SEED_RULE_PACK_FILES } from '../../../../src/apps/fraud/rules/index.ts';
import { RecordColumns } from '../../../../src/log/index.ts';

const rules = await RulesEngine.fromFiles([...SEED_RULE_PACK_FILES], {
  logger: { info: () => {}, warn: () => {} },
});
const engine = new DecisionEngine({ now: () => 1_000_000 });

/** A crypto night-time order that hits rules in several packs (scores and contributions are doubles). */
const record = {
  amount: 6000.37,
  payment_method: 'crypto',
  country: 'US',
  hour: 23,
  is_weekend: 1,
  count_30m: 7,
  count_5m: 3,
  amount_mean: 41.123456789,
  customer_fraud_score: 80,
  account_age_days: 0.25,
};
const event = { order_id: 'ord-ü1', city: 'Zürich <b>', amount: 6000.37, items: [{ n: '寿司', q: 2 }] };

function input(extra: Partial<DecisionInput> = {}): DecisionInput {
  return {
    eventId: 'ord-ü1',
    customerId: 'cus-ß',
    eventTime: 999_000,
    receivedAt: 999_990,
    event,
    features: record,
    packs: rules.evaluate(record),
    model: { version: 'gbdt-1', score: 0.123456789 },
    sanitized: ['city:xss'],
    ...extra,
  };
}

describe('audit record JSON', () => {
  test('without the event bytes it is exactly JSON.stringify of the record (non-ASCII text too)', () => {
    const a = engine.decide(input()).audit;
    a.analyst = 'queued';
    assert.ok(
      a.rulePacks.some((p) => p.hits.length > 0),
      'rules hit',
    );
    assert.equal(auditJson(a).toString('utf8'), JSON.stringify(a));
  });

  test('the event bytes are spliced in as they came and parse to the same record', () => {
    const spaced = JSON.stringify(event, null, 2);
    const a = engine.decide(input({ eventJson: Buffer.from(spaced) })).audit;
    const text = auditJson(a).toString('utf8');
    assert.ok(text.includes(`"inputs":${spaced},"featureSet":`), 'the bytes, verbatim');
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(a)));
    assert.deepEqual(auditJsonSerde().deserialize(auditJson(a), 'audit'), JSON.parse(JSON.stringify(a)));
  });

  test('a feature vector is written as an array under its feature set, unknown (NaN) as null', () => {
    const a = engine.decide(
      input({ features: [1.5, Number.NaN, 3], featureSet: 'fraud-features/1', eventJson: Buffer.from('{}') }),
    ).audit;
    const parsed = JSON.parse(auditJson(a).toString('utf8'));
    assert.equal(parsed.featureSet, 'fraud-features/1');
    assert.deepEqual(parsed.features, [1.5, null, 3]);
    assert.equal(engine.decide(input()).audit.featureSet, null, 'features by name need no set');
  });

  test('auditJsonInto writes the bytes auditJson returns into an arena that grows while written', () => {
    const arena = new RecordColumns(16, 64);
    const big = { order_id: 'x', note: 'é'.repeat(50_000) };
    const records = [
      engine.decide(input()).audit,
      engine.decide(input({ eventJson: Buffer.from(JSON.stringify(event, null, 2)) })).audit,
      engine.decide(input({ event: big, eventJson: Buffer.from(JSON.stringify(big)) })).audit,
    ];
    for (const a of records) {
      const before = arena.used;
      const n = auditJsonInto(a, arena);
      assert.deepEqual(arena.bytes.subarray(before, before + n), auditJson(a));
      assert.equal(arena.used, before + n);
      assert.equal(auditJsonSerde().serializeInto?.(a, arena), auditJson(a).length);
    }
    assert.equal(auditJsonSerde().serializeInto?.(null as never, arena), -1);
  });

  test('a record larger than the scratch buffer is written whole', () => {
    const big = { order_id: 'x', note: 'é'.repeat(50_000) };
    const a = engine.decide(input({ event: big, eventJson: Buffer.from(JSON.stringify(big)) })).audit;
    assert.deepEqual(JSON.parse(auditJson(a).toString('utf8')), JSON.parse(JSON.stringify(a)));
    const b = engine.decide(input({ event: big })).audit;
    assert.equal(auditJson(b).toString('utf8'), JSON.stringify(b));
  });
});
