import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  computeFeatures,
  createEntityState,
  deserializeEntityState,
  serializeEntityState,
  updateEntityState,
} from '../../../../src/apps/fraud/features/index.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';
import { DAY, MIN, T0, tx } from './helpers.ts';

describe('entity state', () => {
  test('serialisation round trip keeps every feature identical', () => {
    const s = createEntityState();
    for (let i = 0; i < 50; i++) {
      updateEntityState(
        s,
        tx({
          time: T0 + i * 7 * MIN,
          amount: 5 + (i % 7),
          merchant: `m${i % 5}`,
          device: `d${i % 3}`,
          category: i % 2 ? 'travel' : 'home',
        }),
      );
    }
    const restored = deserializeEntityState(serializeEntityState(s));
    const probe = tx({ time: T0 + 400 * MIN, merchant: 'm2', category: 'travel', amount: 99 });
    assert.deepEqual(Array.from(computeFeatures(restored, probe)), Array.from(computeFeatures(s, probe)));
    updateEntityState(restored, probe);
    updateEntityState(s, probe);
    assert.equal(serializeEntityState(restored), serializeEntityState(s));
  });

  test('a state with unknown location survives JSON (no NaN in JSON)', () => {
    const s = createEntityState();
    updateEntityState(
      s,
      tx({ lat: Number.NaN, lon: Number.NaN, merchantLat: Number.NaN, merchantLon: Number.NaN }),
    );
    const restored = deserializeEntityState(serializeEntityState(s));
    assert.equal(restored.lastLat, null);
  });

  test('a state of another version is refused', () => {
    assert.throws(
      () => deserializeEntityState(JSON.stringify({ v: 99, times: [] })),
      (err) => isFraudstreamError(err, 'FS_SERDE'),
    );
  });

  test('the recent buffer is bounded by capacity and by 7 days', () => {
    const limits = { capacity: 4, maxMerchants: 2, maxCategories: 64, utcOffsetMinutes: 0 };
    const s = createEntityState();
    for (let i = 0; i < 10; i++) updateEntityState(s, tx({ time: T0 + i * MIN, merchant: `m${i}` }), limits);
    assert.equal(s.times.length, 4);
    assert.equal(s.times[0], T0 + 6 * MIN);
    assert.equal(s.merchantsSeen.size, 2);
    assert.equal(s.count, 10);
    updateEntityState(s, tx({ time: T0 + 9 * MIN + 7 * DAY }), limits);
    assert.equal(s.times.length, 1);
  });
});
