import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FEATURE_NAMES, fromSparkovRow } from '../../../../src/apps/fraud/features/index.ts';
import {
  CARD_BEHAVIOUR_RULE_PACK_FILE,
  loadRulePackFile,
  ruleRecord,
  SHIPPED_RULE_PACK_FILES,
} from '../../../../src/apps/fraud/rules/index.ts';

const pack = await loadRulePackFile(CARD_BEHAVIOUR_RULE_PACK_FILE);
const quiet = {
  amount: 40,
  is_night: 0,
  amount_over_mean: 1,
  amount_sum_24h: 100,
  night_count_24h: 0,
  category: 'grocery_pos',
};
const reasons = (r: Record<string, unknown>) => pack.evaluate(r).hits.map((h) => h.reason);

describe('sparkov card-behaviour pack', () => {
  test('is shipped with the seed packs', () => {
    assert.equal(SHIPPED_RULE_PACK_FILES.length, 4);
    assert.equal(pack.evaluate(quiet).level, 'MINIMAL');
  });

  test('NIGHT_HIGH_AMOUNT: night and amount > 200', () => {
    assert.deepEqual(reasons({ ...quiet, is_night: 1, amount: 200 }), []);
    assert.deepEqual(reasons({ ...quiet, is_night: 1, amount: 199.99 }), []);
    assert.deepEqual(reasons({ ...quiet, is_night: 1, amount: 200.01 }), [
      'NIGHT_HIGH_AMOUNT',
      'RISKY_CATEGORY_AMOUNT',
    ]);
    assert.deepEqual(reasons({ ...quiet, is_night: 0, amount: 200.01, category: 'travel' }), []);
  });

  test('HIGH_AMOUNT_500: amount > 500', () => {
    const at = (amount: number) => reasons({ ...quiet, amount, category: 'travel' });
    assert.deepEqual(at(500), []);
    assert.deepEqual(at(499.99), []);
    assert.deepEqual(at(500.01), ['HIGH_AMOUNT_500']);
  });

  test('AMOUNT_SPIKE: amount > 5 x the card mean; absent history (NaN) never fires', () => {
    assert.deepEqual(reasons({ ...quiet, amount_over_mean: 5 }), []);
    assert.deepEqual(reasons({ ...quiet, amount_over_mean: 4.99 }), []);
    assert.deepEqual(reasons({ ...quiet, amount_over_mean: 5.01 }), ['AMOUNT_SPIKE']);
    assert.deepEqual(reasons({ ...quiet, amount_over_mean: Number.NaN }), []);
  });

  test('SPEND_BURST_24H: earlier 24 h spend > 1000', () => {
    assert.deepEqual(reasons({ ...quiet, amount_sum_24h: 1000 }), []);
    assert.deepEqual(reasons({ ...quiet, amount_sum_24h: 999 }), []);
    assert.deepEqual(reasons({ ...quiet, amount_sum_24h: 1000.5 }), ['SPEND_BURST_24H']);
  });

  test('RISKY_CATEGORY_AMOUNT: shopping_net / misc_net / grocery_pos over 200', () => {
    assert.deepEqual(reasons({ ...quiet, category: 'shopping_net', amount: 200 }), []);
    assert.deepEqual(reasons({ ...quiet, category: 'misc_net', amount: 200.01 }), ['RISKY_CATEGORY_AMOUNT']);
    assert.deepEqual(reasons({ ...quiet, category: 'gas_transport', amount: 200.01 }), []);
  });

  test('NIGHT_BURST: >= 2 earlier night transactions in 24 h and amount > 100', () => {
    assert.deepEqual(reasons({ ...quiet, night_count_24h: 1, amount: 150 }), []);
    assert.deepEqual(reasons({ ...quiet, night_count_24h: 2, amount: 100 }), []);
    assert.deepEqual(reasons({ ...quiet, night_count_24h: 2, amount: 100.01 }), ['NIGHT_BURST']);
  });

  test('levels: night + high amount + risky category = 75 HIGH; + spike = 95 CRITICAL', () => {
    const r = pack.evaluate({ ...quiet, is_night: 1, amount: 900, category: 'shopping_net' });
    assert.equal(r.score, 75);
    assert.equal(r.level, 'HIGH');
    assert.equal(
      pack.evaluate({ ...quiet, is_night: 1, amount: 900, category: 'shopping_net', amount_over_mean: 9 })
        .level,
      'CRITICAL',
    );
    const cases: Array<[number, string]> = [
      [80, 'CRITICAL'],
      [79, 'HIGH'],
      [50, 'HIGH'],
      [49, 'MEDIUM'],
      [35, 'MEDIUM'],
      [34, 'LOW'],
      [20, 'LOW'],
      [19, 'MINIMAL'],
    ];
    for (const [score, level] of cases) assert.equal(pack.levelOf(score).name, level, `score ${score}`);
  });
});

describe('ruleRecord', () => {
  test('maps a feature vector and its view onto the names the packs read', () => {
    const view = fromSparkovRow({
      trans_date_trans_time: '2020-06-21 23:14:25',
      cc_num: '2291163933867244',
      merchant: 'fraud_Kirlin and Sons',
      category: 'shopping_net',
      amt: 812.5,
      lat: 33.9659,
      long: -80.9355,
      merch_lat: 33.986391,
      merch_long: -81.200714,
    });
    const x = new Float64Array(FEATURE_NAMES.length).map((_, j) => j + 0.5);
    const hist = FEATURE_NAMES.indexOf('history_count');
    const mean = FEATURE_NAMES.indexOf('amount_mean');
    x[hist] = 4;
    x[mean] = 50;
    const rec = ruleRecord(FEATURE_NAMES, x, 0, view, { account_age_days: 3 });
    assert.equal(rec.count_30m, FEATURE_NAMES.indexOf('count_30m') + 0.5);
    assert.equal(rec.amount, 812.5);
    assert.equal(rec.category, 'shopping_net');
    assert.equal(rec.customer_total_orders, 5);
    assert.equal(rec.customer_total_amount, 4 * 50 + 812.5);
    assert.equal(rec.account_age_days, 3);
    assert.equal(rec.event_time, Date.UTC(2020, 5, 21, 23, 14, 25));
  });
});

describe('input names', () => {
  test('every input a shipped pack reads is a feature name or a field ruleRecord fills', async () => {
    const view = fromSparkovRow({
      trans_date_trans_time: '2020-06-21 12:00:00',
      cc_num: '1',
      merchant: 'm',
      category: 'c',
      amt: 1,
      lat: 0,
      long: 0,
      merch_lat: 0,
      merch_long: 0,
    });
    const provided = new Set(
      Object.keys(ruleRecord(FEATURE_NAMES, new Float64Array(FEATURE_NAMES.length), 0, view)),
    );
    const fields = (c: unknown, out: string[]): string[] => {
      if (Array.isArray(c)) for (const x of c) fields(x, out);
      else if (c && typeof c === 'object') {
        const o = c as Record<string, unknown>;
        if (typeof o.field === 'string') out.push(o.field);
        for (const v of Object.values(o)) if (typeof v === 'object') fields(v, out);
      }
      return out;
    };
    for (const file of SHIPPED_RULE_PACK_FILES) {
      const { doc } = await loadRulePackFile(file);
      const derived = new Set(Object.keys(doc.derived ?? {}));
      const used = [
        ...doc.rules.flatMap((r) => [...fields(r.when, []), ...(r.input ? [r.input] : [])]),
        ...Object.values(doc.derived ?? {}).flatMap((d) =>
          d.args.filter((a): a is string => typeof a === 'string'),
        ),
      ];
      for (const name of used) {
        if (!derived.has(name))
          assert.ok(provided.has(name), `${doc.pack} reads "${name}", which ruleRecord does not provide`);
      }
    }
  });
});
