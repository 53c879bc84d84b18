import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  computeFeatures,
  createEntityState,
  createMerchantRiskState,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FeatureTracker,
  recordOutcome,
  type TransactionView,
  updateEntityState,
  WINDOWS,
} from '../../../../src/apps/fraud/features/index.ts';
import { DAY, HOUR, MIN, T0, tx } from './helpers.ts';

const at = (f: Float64Array, name: string): number => {
  const i = FEATURE_NAMES.indexOf(name);
  assert.ok(i >= 0, `unknown feature ${name}`);
  return f[i];
};

function stateOf(events: TransactionView[]) {
  const s = createEntityState();
  for (const e of events) updateEntityState(s, e);
  return s;
}

describe('feature names', () => {
  test('are unique and match the vector length', () => {
    assert.equal(new Set(FEATURE_NAMES).size, FEATURE_NAMES.length);
    assert.equal(computeFeatures(createEntityState(), tx()).length, FEATURE_COUNT);
  });
});

describe('window boundaries', () => {
  for (const w of WINDOWS) {
    test(`${w.name}: a previous event exactly ${w.name} old is outside, 1 ms younger inside`, () => {
      const now = T0 + 30 * DAY;
      const count = `count_${w.name}`;
      const sum = `amount_sum_${w.name}`;
      const exactly = computeFeatures(stateOf([tx({ time: now - w.ms, amount: 7 })]), tx({ time: now }));
      assert.equal(at(exactly, count), 0);
      assert.equal(at(exactly, sum), 0);
      const justInside = computeFeatures(
        stateOf([tx({ time: now - w.ms + 1, amount: 7 })]),
        tx({ time: now }),
      );
      assert.equal(at(justInside, count), 1);
      assert.equal(at(justInside, sum), 7);
      const justOutside = computeFeatures(
        stateOf([tx({ time: now - w.ms - 1, amount: 7 })]),
        tx({ time: now }),
      );
      assert.equal(at(justOutside, count), 0);
    });
  }

  test('counts and sums nest across windows', () => {
    const now = T0 + 30 * DAY;
    const ages = [1 * MIN, 10 * MIN, 45 * MIN, 5 * HOUR, 3 * DAY, 8 * DAY];
    const s = stateOf(ages.map((a, i) => tx({ time: now - a, amount: i + 1 })).reverse());
    const f = computeFeatures(s, tx({ time: now }));
    assert.deepEqual(
      WINDOWS.map((w) => at(f, `count_${w.name}`)),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      WINDOWS.map((w) => at(f, `amount_sum_${w.name}`)),
      [1, 3, 6, 10, 15],
    );
  });
});

describe('point in time', () => {
  test('an event never sees itself: replaying gives the features of the history before it', () => {
    const tracker = new FeatureTracker();
    const first = tracker.next(tx({ time: T0, amount: 100 }));
    assert.equal(at(first, 'count_7d'), 0);
    assert.equal(at(first, 'history_count'), 0);
    assert.ok(Number.isNaN(at(first, 'amount_mean')));
    assert.ok(Number.isNaN(at(first, 'seconds_since_prev')));
    const second = tracker.next(tx({ time: T0 + MIN, amount: 50 }));
    assert.equal(at(second, 'count_5m'), 1);
    assert.equal(at(second, 'amount_sum_5m'), 100);
    assert.equal(at(second, 'amount_mean'), 100);
    assert.equal(at(second, 'amount_over_mean'), 0.5);
    assert.equal(at(second, 'seconds_since_prev'), 60);
  });

  test('a later event that arrived earlier is not counted in any window', () => {
    const s = stateOf([tx({ time: T0 - MIN, amount: 3 }), tx({ time: T0 + MIN, amount: 1000 })]);
    const f = computeFeatures(s, tx({ time: T0 }));
    for (const w of WINDOWS) {
      assert.equal(at(f, `count_${w.name}`), 1, w.name);
      assert.equal(at(f, `amount_sum_${w.name}`), 3, w.name);
    }
    assert.equal(at(f, 'amount_max_24h'), 3);
  });

  test('peek (what /predict/raw uses) gives the features next() gives, without folding the event in', () => {
    const tracker = new FeatureTracker();
    for (let i = 0; i < 5; i++) tracker.next(tx({ time: T0 + i * MIN, amount: 10 * (i + 1) }), false);
    const probe = tx({ time: T0 + 10 * MIN, amount: 77 });
    const peeked = tracker.peek(probe);
    assert.deepEqual(Array.from(tracker.peek(probe)), Array.from(peeked));
    assert.deepEqual(Array.from(tracker.next(probe)), Array.from(peeked));
    assert.equal(at(tracker.peek(probe), 'history_count'), 6);
  });

  test('computing features does not change the state', () => {
    const s = stateOf([tx({ time: T0 - MIN })]);
    const before = JSON.stringify(s);
    computeFeatures(s, tx({ time: T0 }));
    assert.equal(JSON.stringify(s), before);
  });

  test('merchant fraud rate only uses labels known after the delay', () => {
    const tracker = new FeatureTracker({ labelDelayMs: 7 * DAY });
    const m = { merchant: 'shady', entityId: 'other-card' };
    tracker.next(tx({ ...m, time: T0 }), true);
    tracker.next(tx({ ...m, time: T0 + HOUR }), false);
    const tooEarly = tracker.next(tx({ ...m, time: T0 + 7 * DAY }), false);
    assert.ok(Number.isNaN(at(tooEarly, 'merchant_fraud_rate')));
    assert.equal(at(tooEarly, 'merchant_labelled_count'), 0);
    const known = tracker.peek(tx({ ...m, time: T0 + 9 * DAY }));
    assert.equal(at(known, 'merchant_labelled_count'), 2);
    assert.equal(at(known, 'merchant_fraud_rate'), 0.5);
  });

  test('merchant labels mature by whole days plus the delay, never early', () => {
    const mr = createMerchantRiskState();
    recordOutcome(mr, T0, true); // day of T0 ends at T0 + 12 h (T0 is noon UTC)
    const s = createEntityState();
    const opt = { labelDelayMs: DAY };
    const justBefore = computeFeatures(s, tx({ time: T0 + 12 * HOUR + DAY - 1 }), mr, opt);
    assert.equal(at(justBefore, 'merchant_labelled_count'), 0);
    const atMaturity = computeFeatures(s, tx({ time: T0 + 12 * HOUR + DAY }), mr, opt);
    assert.equal(at(atMaturity, 'merchant_labelled_count'), 1);
    assert.equal(at(atMaturity, 'merchant_fraud_rate'), 1);
  });
});

describe('per-entity features', () => {
  test('running mean, std and z-score of amount', () => {
    const s = stateOf([10, 20, 30].map((amount, i) => tx({ time: T0 - (3 - i) * HOUR, amount })));
    const f = computeFeatures(s, tx({ time: T0, amount: 40 }));
    assert.equal(at(f, 'amount_mean'), 20);
    assert.equal(at(f, 'amount_std'), 10);
    assert.equal(at(f, 'amount_zscore'), 2);
    assert.equal(at(f, 'amount_over_mean'), 2);
    assert.equal(at(f, 'amount_over_max_7d'), 40 / 30);
  });

  test('distinct merchants and devices, night count in 24 h', () => {
    const s = stateOf([
      tx({ time: T0 - 25 * HOUR, merchant: 'old', device: 'd0' }),
      tx({ time: T0 - 13 * HOUR, merchant: 'a', device: 'd1' }), // 23:00 UTC: night
      tx({ time: T0 - 8 * HOUR, merchant: 'b', device: 'd1' }), // 04:00: night
      tx({ time: T0 - 7 * HOUR, merchant: 'a' }), // 05:00: day, no device
    ]);
    const f = computeFeatures(s, tx({ time: T0 }));
    assert.equal(at(f, 'distinct_merchants_24h'), 2);
    assert.equal(at(f, 'distinct_devices_24h'), 1);
    assert.equal(at(f, 'night_count_24h'), 2);
  });

  test('category and merchant novelty', () => {
    const s = stateOf([tx({ time: T0 - HOUR, category: 'travel', merchant: 'x', amount: 100 })]);
    const seen = computeFeatures(s, tx({ time: T0, category: 'travel', merchant: 'x', amount: 300 }));
    assert.equal(at(seen, 'category_new'), 0);
    assert.equal(at(seen, 'merchant_new'), 0);
    assert.equal(at(seen, 'category_share'), 1);
    assert.equal(at(seen, 'amount_over_category_mean'), 3);
    const fresh = computeFeatures(s, tx({ time: T0, category: 'misc_net', merchant: 'y' }));
    assert.equal(at(fresh, 'category_new'), 1);
    assert.equal(at(fresh, 'merchant_new'), 1);
    assert.equal(at(fresh, 'category_share'), 0);
  });

  test('geo: distance and implied speed since the previous transaction', () => {
    const s = stateOf([tx({ time: T0 - HOUR, merchantLat: 0, merchantLon: 0 })]);
    const f = computeFeatures(s, tx({ time: T0, merchantLat: 0, merchantLon: 1 }));
    assert.ok(Math.abs(at(f, 'km_from_prev') - 111.195) < 0.01);
    assert.ok(Math.abs(at(f, 'speed_kmh_from_prev') - 111.195) < 0.01);
    const home = at(computeFeatures(s, tx({ time: T0 })), 'customer_merchant_km'); // (40,-74) → (40.1,-74.1)
    assert.ok(home > 13.5 && home < 14.5, `customer_merchant_km ${home}`);
  });

  test('time: hour, night 23:00–05:00, weekend', () => {
    const s = createEntityState();
    const sat23 = computeFeatures(s, tx({ time: Date.parse('2020-03-07T23:00:00Z') }));
    assert.deepEqual([at(sat23, 'hour'), at(sat23, 'is_night'), at(sat23, 'is_weekend')], [23, 1, 1]);
    const mon0459 = computeFeatures(s, tx({ time: Date.parse('2020-03-09T04:59:59Z') }));
    assert.deepEqual([at(mon0459, 'hour'), at(mon0459, 'is_night'), at(mon0459, 'is_weekend')], [4, 1, 0]);
    const mon0500 = computeFeatures(s, tx({ time: Date.parse('2020-03-09T05:00:00Z') }));
    assert.equal(at(mon0500, 'is_night'), 0);
    const fri2259 = computeFeatures(s, tx({ time: Date.parse('2020-03-06T22:59:59Z') }));
    assert.deepEqual([at(fri2259, 'is_night'), at(fri2259, 'is_weekend')], [0, 0]);
  });
});
