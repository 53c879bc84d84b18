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
  hour: 14,
  amount_over_mean: 1,
  amount_sum_24h: 100,
  amount_max_24h: 60,
  night_count_24h: 0,
  category: 'travel',
  event_kind: 'card_transaction',
};
const reasons = (r: Record<string, unknown>) => pack.evaluate(r).hits.map((h) => h.reason);

describe('sparkov card-behaviour pack', () => {
  test('is shipped with the seed packs', () => {
    assert.equal(SHIPPED_RULE_PACK_FILES.length, 4);
    assert.equal(pack.evaluate(quiet).level, 'MINIMAL');
  });

  test('scores card transactions only: an order with the same figures gets MINIMAL and no hits', () => {
    const burst = { ...quiet, amount_sum_24h: 1800, amount: 900, amount_max_24h: 700, hour: 23 };
    assert.equal(pack.evaluate(burst).level, 'HIGH');
    const order = pack.evaluate({ ...burst, event_kind: 'order' });
    assert.equal(order.level, 'MINIMAL');
    assert.deepEqual(order.hits, []);
  });

  test('SPEND_BURST_24H: earlier 24 h spend > 1000', () => {
    assert.deepEqual(reasons({ ...quiet, amount_sum_24h: 1000 }), []);
    assert.deepEqual(reasons({ ...quiet, amount_sum_24h: 999.99 }), []);
    assert.deepEqual(reasons({ ...quiet, amount_sum_24h: 1000.01 }), ['SPEND_BURST_24H']);
  });

  test('LATE_NIGHT_REPEAT: 22:00-03:59 and >= 1 earlier night transaction in 24 h', () => {
    const at = (hour: number, night_count_24h: number) => reasons({ ...quiet, hour, night_count_24h });
    assert.deepEqual(at(22, 1), ['LATE_NIGHT_REPEAT']);
    assert.deepEqual(at(3, 1), ['LATE_NIGHT_REPEAT']);
    assert.deepEqual(at(0, 2), ['LATE_NIGHT_REPEAT']);
    assert.deepEqual(at(21, 1), [], 'just before 22:00');
    assert.deepEqual(at(4, 1), [], 'just after 03:59');
    assert.deepEqual(at(23, 0), [], 'no earlier night transaction');
  });

  test('GROCERY_HIGH_AMOUNT: grocery_pos over 200', () => {
    const at = (amount: number, category = 'grocery_pos') => reasons({ ...quiet, amount, category });
    assert.deepEqual(at(200), []);
    assert.deepEqual(at(199.99), []);
    assert.deepEqual(at(200.01), ['GROCERY_HIGH_AMOUNT']);
    assert.deepEqual(at(200.01, 'grocery_net'), []);
  });

  test('AMOUNT_OVER_300: amount > 300', () => {
    assert.deepEqual(reasons({ ...quiet, amount: 300 }), []);
    assert.deepEqual(reasons({ ...quiet, amount: 299.99 }), []);
    assert.deepEqual(reasons({ ...quiet, amount: 300.01 }), ['AMOUNT_OVER_300']);
  });

  test('AMOUNT_SPIKE: amount > 3 x the card mean; absent history (NaN) never fires', () => {
    assert.deepEqual(reasons({ ...quiet, amount_over_mean: 3 }), []);
    assert.deepEqual(reasons({ ...quiet, amount_over_mean: 2.99 }), []);
    assert.deepEqual(reasons({ ...quiet, amount_over_mean: 3.01 }), ['AMOUNT_SPIKE']);
    assert.deepEqual(reasons({ ...quiet, amount_over_mean: Number.NaN }), []);
  });

  test('LATE_HIGH_AMOUNT: 22:00-03:59 and amount > 200', () => {
    const at = (hour: number, amount: number) => reasons({ ...quiet, hour, amount });
    assert.deepEqual(at(22, 200), []);
    assert.deepEqual(at(22, 199.99), []);
    assert.deepEqual(at(22, 200.01), ['LATE_HIGH_AMOUNT']);
    assert.deepEqual(at(3, 250), ['LATE_HIGH_AMOUNT']);
    assert.deepEqual(at(21, 250), []);
    assert.deepEqual(at(4, 250), []);
  });

  test('BIG_DAY: an earlier transaction > 500 in 24 h and this one > 200', () => {
    const at = (amount_max_24h: number, amount: number) => reasons({ ...quiet, amount_max_24h, amount });
    assert.deepEqual(at(500, 250), []);
    assert.deepEqual(at(499.99, 250), []);
    assert.deepEqual(at(500.01, 250), ['BIG_DAY']);
    assert.deepEqual(at(900, 200), []);
    assert.deepEqual(at(900, 200.01), ['BIG_DAY']);
  });

  test('ONLINE_HIGH_AMOUNT: shopping_net / misc_net over 500', () => {
    const at = (category: string, amount: number) =>
      reasons({ ...quiet, category, amount }).filter((r) => r !== 'AMOUNT_OVER_300');
    assert.deepEqual(at('shopping_net', 500), []);
    assert.deepEqual(at('shopping_net', 499.99), []);
    assert.deepEqual(at('shopping_net', 500.01), ['ONLINE_HIGH_AMOUNT']);
    assert.deepEqual(at('misc_net', 500.01), ['ONLINE_HIGH_AMOUNT']);
    assert.deepEqual(at('shopping_pos', 500.01), []);
  });

  test('levels: a late-night burst with a spike = 90 CRITICAL; CRITICAL >= 90, HIGH >= 55, MEDIUM >= 45, LOW >= 35', () => {
    // burst 30 + late repeat 20 + over 300 10 + spike 10 + late amount 10 + big day 10
    const r = pack.evaluate({
      ...quiet,
      hour: 23,
      night_count_24h: 2,
      amount: 900,
      amount_over_mean: 9,
      amount_sum_24h: 1800,
      amount_max_24h: 700,
    });
    assert.equal(r.score, 90);
    assert.equal(r.level, 'CRITICAL');
    // late repeat 20 + over 300 10 + late amount 10 + big day 10 = 50: MEDIUM
    assert.equal(
      pack.evaluate({ ...quiet, hour: 23, night_count_24h: 1, amount: 350, amount_max_24h: 700 }).level,
      'MEDIUM',
    );
    const cases: Array<[number, string]> = [
      [90, 'CRITICAL'],
      [89, 'HIGH'],
      [55, 'HIGH'],
      [54, 'MEDIUM'],
      [45, 'MEDIUM'],
      [44, 'LOW'],
      [35, 'LOW'],
      [34, 'MINIMAL'],
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
        ...fields(doc.when, []),
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
