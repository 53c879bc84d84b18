import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  computeFeatures,
  createEntityState,
  deserializeEntityState,
  deviceKey,
  FEATURE_NAMES,
  merchantKey,
  NO_DEVICE,
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

  test('the history keeps merchants and devices by key; distinct counts as by name; text of version 2 is read', () => {
    const s = createEntityState();
    const names = ['alpha', 'beta', 'alpha', 'gamma', 'beta'];
    const devices = ['d1', undefined, 'd1', 'd2', ''];
    for (let i = 0; i < names.length; i++) {
      updateEntityState(s, tx({ time: T0 + i * MIN, merchant: names[i], device: devices[i] }));
    }
    assert.deepEqual(s.merchants, names.map(merchantKey));
    assert.deepEqual(s.devices, devices.map(deviceKey));
    assert.equal(deviceKey(undefined), NO_DEVICE);
    assert.equal(deviceKey(''), NO_DEVICE);
    const f = computeFeatures(s, tx({ time: T0 + 10 * MIN, merchant: 'alpha', device: 'd3' }));
    const at = (name: string) => FEATURE_NAMES.indexOf(name);
    assert.equal(f[at('distinct_merchants_24h')], 3);
    assert.equal(f[at('distinct_devices_24h')], 2, 'no device and "" are not counted');
    // version 2 text: the same state with names in the history
    const v2 = JSON.parse(serializeEntityState(s)) as Record<string, unknown>;
    v2.v = 2;
    v2.merchants = names;
    v2.devices = devices.map((d) => d ?? '');
    assert.equal(serializeEntityState(deserializeEntityState(JSON.stringify(v2))), serializeEntityState(s));
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
