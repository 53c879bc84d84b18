/**
 * The fraud pipeline's own serdes: the binary repartition record (pipeline/wire.ts) and the binary
 * customer state (pipeline/customer-state-serde.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import {
  computeFeatures,
  createEntityState,
  DEFAULT_LIMITS,
  updateEntityState,
} from '../../../../src/apps/fraud/features/index.ts';
import {
  type CustomerState,
  customerStateSerde,
} from '../../../../src/apps/fraud/pipeline/customer-state-serde.ts';
import { orderEvent } from '../../../../src/apps/fraud/pipeline/events.ts';
import {
  fromWire,
  inputBytesOf,
  inputJsonSerde,
  type MerchantFacts,
  toWire,
  type WireOrder,
  wireSerde,
} from '../../../../src/apps/fraud/pipeline/wire.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';
import type { Order } from '../../../../src/events/index.ts';
import { RecordColumns } from '../../../../src/log/index.ts';
import { DAY, HOUR, MIN, T0, tx } from '../features/helpers.ts';

function order(extra: Partial<Order> = {}): Order {
  return {
    order_id: 'o-1',
    customer_id: 'c-1',
    merchant_id: 'm-1',
    restaurant_name: 'Café “Zoë” 🍕',
    merchant_category: 'restaurant',
    amount: 12.34,
    currency: 'EUR',
    payment_method: 'paypal',
    country: 'FR',
    city: 'Paris',
    lat: 48.85,
    lon: 2.35,
    device_id: 'd-1',
    ip_address: '10.0.0.1',
    items: [{ item_id: 'i1', name: 'Pizza', quantity: 2, unit_price: 6.17 }],
    timestamp: T0,
    is_fraud: true,
    fraud_scenario: 'card_testing',
    ...extra,
  };
}

describe('repartition wire format', () => {
  const serde = wireSerde<WireOrder & Partial<MerchantFacts>>();

  test('round trip without and with the merchant stage facts; the source is parsed back exactly', () => {
    const source = order({ extra_field: { nested: [1, 'x'] } } as Partial<Order>);
    const w = toWire({
      event: orderEvent(source),
      sanitized: ['city:xss', 'naïve:sqli'],
      receivedAt: T0 + 5,
    });
    const back = serde.deserialize(serde.serialize(w));
    assert.deepEqual({ ...back, source: back.source.toString() }, { ...w, source: w.source.toString() });
    assert.equal(back.entityId, 'c-1');
    assert.equal(back.isFraud, true);

    const facts = {
      ...w,
      merchant: { name: 'Ünï', lat: 1.5, lon: -2.25 },
      merchantLabelled: 7,
      merchantFrauds: 2,
    };
    const back2 = serde.deserialize(serde.serialize(facts));
    assert.deepEqual(back2.merchant, facts.merchant);
    assert.equal(back2.merchantLabelled, 7);
    assert.equal(back2.merchantFrauds, 2);
    const v = fromWire(back2);
    assert.deepEqual(v.event.source, source);
    assert.deepEqual(v.sanitized, ['city:xss', 'naïve:sqli']);
    assert.equal(v.receivedAt, T0 + 5);
  });

  test('serializeInto writes the bytes serialize returns (the repartition sink writes into its arena)', () => {
    const arena = new RecordColumns(16, 8);
    const w = toWire({ event: orderEvent(order()), sanitized: ['city:xss'], receivedAt: 3 });
    const withFacts = {
      ...w,
      merchant: { name: 'Ünï', lat: 1.5, lon: -2.25 },
      merchantLabelled: 4,
      merchantFrauds: 1,
    };
    for (const v of [w, withFacts, w]) {
      const before = arena.used;
      const n = serde.serializeInto?.(v, arena) ?? -1;
      assert.deepEqual(arena.bytes.subarray(before, before + n), serde.serialize(v));
      assert.equal(arena.used, before + n);
    }
    assert.equal(serde.serializeInto?.(null as never, arena), -1);
  });

  test('no label, no merchant profile, a profile without a name', () => {
    const w = toWire({ event: orderEvent(order({ is_fraud: undefined })), sanitized: [], receivedAt: 1 });
    assert.equal(w.isFraud, null);
    const none = serde.deserialize(
      serde.serialize({ ...w, merchant: null, merchantLabelled: 0, merchantFrauds: 0 }),
    );
    assert.equal(none.isFraud, null);
    assert.equal(none.merchant, null);
    const unnamed = serde.deserialize(
      serde.serialize({
        ...w,
        merchant: { lat: 3, lon: 4 } as MerchantFacts['merchant'],
        merchantLabelled: 1,
        merchantFrauds: 0,
      }),
    );
    assert.deepEqual(unnamed.merchant, { name: undefined, lat: 3, lon: 4 });
  });

  test('records of the earlier JSON format are still read; garbage is FS_SERDE', () => {
    const source = order();
    const legacy = Buffer.from(
      JSON.stringify({
        kind: 'order',
        source,
        sanitized: [],
        receivedAt: 9,
        merchant: { merchant_id: 'm-1', name: 'M', lat: 1, lon: 2, city: 'X' },
        merchantLabelled: 3,
        merchantFrauds: 1,
      }),
    );
    const back = serde.deserialize(legacy);
    assert.equal(back.time, T0);
    assert.equal(back.entityId, 'c-1');
    assert.deepEqual(back.merchant, { name: 'M', lat: 1, lon: 2 });
    assert.equal(back.merchantLabelled, 3);
    assert.deepEqual(JSON.parse(back.source.toString()), source);
    assert.throws(
      () => serde.deserialize(Buffer.from([0x01, 0x02])),
      (e: unknown) => isFraudstreamError(e) && e.code === 'FS_SERDE',
    );
    const good = serde.serialize(
      toWire({ event: orderEvent(source), sanitized: ['a'], receivedAt: 1 }),
    ) as Buffer;
    assert.throws(
      () => serde.deserialize(good.subarray(0, 12)),
      (e: unknown) => isFraudstreamError(e) && e.code === 'FS_SERDE',
    );
  });
});

/** A customer-state value written by earlier code, and the features it gave (fixtures/*.json). */
function stateFixture(file: string): {
  old: Buffer;
  fixture: { hex: string; features: Array<Array<number | null>> };
} {
  const fixture = JSON.parse(fs.readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8'));
  return { old: Buffer.from(fixture.hex, 'hex'), fixture };
}

/** Features as the fixtures hold them (NaN as null). */
function featuresOf(entity: CustomerState['entity'], probes: ReturnType<typeof tx>[]) {
  return probes.map((p) => Array.from(computeFeatures(entity, p)).map((v) => (Number.isNaN(v) ? null : v)));
}

describe('input JSON serde', () => {
  test('a parsed record keeps the bytes it came as; a copy of it and its JSON do not carry them', () => {
    const bytes = Buffer.from(JSON.stringify(order()), 'utf8');
    const parsed = inputJsonSerde().deserialize(bytes, 'orders') as Order;
    assert.equal(inputBytesOf(parsed), bytes);
    assert.deepEqual(parsed, order());
    assert.equal(JSON.stringify(parsed), bytes.toString('utf8'));
    assert.equal(inputBytesOf({ ...parsed }), undefined);
    assert.equal(inputBytesOf(order()), undefined);
    assert.equal(inputBytesOf(null), undefined);
  });
});

describe('customer state serde', () => {
  function state(): CustomerState {
    const entity = createEntityState();
    for (let i = 0; i < 40; i++) {
      updateEntityState(
        entity,
        tx({
          time: T0 + i * 37 * MIN,
          amount: 3 + (i % 11) * 1.1,
          merchant: i % 4 === 0 ? 'mérchant-ü' : `m${i % 6}`,
          device: i % 5 === 0 ? undefined : `d${i % 3}`,
          category: i % 3 ? 'travel' : 'constructor',
        }),
      );
    }
    return { entity, fraudScore: 42.5, scoredAt: T0 + DAY };
  }

  test('round trip gives an equal state (dictionaries without a prototype)', () => {
    const s = state();
    const back = customerStateSerde.deserialize(customerStateSerde.serialize(s));
    assert.deepEqual(back, s);
    assert.equal(Object.getPrototypeOf(back.entity.categories), null);
    assert.ok(back.entity.merchantsSeen instanceof Map);
    const fresh = { entity: createEntityState(), fraudScore: 0, scoredAt: 0 };
    assert.deepEqual(customerStateSerde.deserialize(customerStateSerde.serialize(fresh)), fresh);
  });

  test('encoding the same state again as it grows gives the bytes of a fresh full encode', () => {
    // The history's entries are kept encoded between encodes (history-bytes.ts): drops at the front
    // (7 days, capacity) and appends must give exactly what encoding a never-encoded copy gives.
    const limits = { ...DEFAULT_LIMITS, capacity: 20 };
    const entity = createEntityState();
    const s: CustomerState = { entity, fraudScore: 1, scoredAt: T0 };
    let t = T0;
    for (let i = 0; i < 400; i++) {
      // bursts and gaps: some updates drop nothing, some a few, some (gap > 7 days) everything
      t += i % 97 === 0 ? 8 * DAY : i % 7 === 0 ? 3 * HOUR : 5 * MIN;
      updateEntityState(
        entity,
        tx({
          time: t,
          amount: i * 1.25,
          merchant: i % 9 === 0 ? 'mérchant-ü' : `m${i % 13}`,
          device: `d${i % 4}`,
        }),
        limits,
      );
      if (i % 3 === 0 || i % 11 === 0) {
        const bytes = customerStateSerde.serialize(s) as Buffer;
        const copy = customerStateSerde.deserialize(Buffer.from(bytes));
        assert.deepEqual(copy, s, `state after update ${i}`);
        // a decoded copy has never been encoded: a full encode of the same state
        assert.deepEqual(customerStateSerde.serialize(copy), bytes, `bytes after update ${i}`);
      }
    }
    // a state changed behind the encoder's back (not by updateEntityState) is encoded in full
    entity.times[entity.times.length - 1] += 1;
    entity.times[0] -= 1;
    const changed = customerStateSerde.serialize(s) as Buffer;
    assert.deepEqual(customerStateSerde.deserialize(changed).entity.times, entity.times);
  });

  test('a value of the previous binary format (0xE1, merchants by name) is read and gives the same features', () => {
    const { old, fixture } = stateFixture('customer-state-v1.json');
    assert.equal(old[0], 0xe1);
    const back = customerStateSerde.deserialize(old);
    assert.equal(back.fraudScore, 12.5);
    const probes = ['m1', 'm12', 'mérchant-ü', 'never-seen'].map((merchant) =>
      tx({ time: T0 + 61 * 41 * MIN, merchant, amount: 77 }),
    );
    assert.deepEqual(featuresOf(back.entity, probes), fixture.features);
    // written again in the current format, it reads back equal
    const again = customerStateSerde.serialize(back) as Buffer;
    assert.equal(again[0], 0xe3);
    assert.deepEqual(customerStateSerde.deserialize(again), back);
  });

  test('a value of format 0xE2 (names in the history) is read and gives the same features', () => {
    const { old, fixture } = stateFixture('customer-state-v2.json');
    assert.equal(old[0], 0xe2);
    const back = customerStateSerde.deserialize(old);
    assert.equal(back.fraudScore, 33.25);
    assert.equal(back.entity.times.length, 60);
    assert.ok(back.entity.merchants.every((k) => Number.isInteger(k) && k > 0));
    const probes = (
      [
        ['m1', 'device-1'],
        ['m12', 'new-device'],
        ['mérchant-ü', undefined],
        ['never-seen', 'device-3'],
      ] as const
    ).map(([merchant, device]) => tx({ time: T0 + 61 * 41 * MIN, merchant, device, amount: 77 }));
    assert.deepEqual(featuresOf(back.entity, probes), fixture.features);
    // the same state written again is smaller (keys, not names) and reads back equal
    const again = customerStateSerde.serialize(back) as Buffer;
    assert.equal(again[0], 0xe3);
    assert.ok(again.length < old.length, `${again.length} < ${old.length}`);
    assert.deepEqual(customerStateSerde.deserialize(again), back);
  });

  test('a history entry costs 25 bytes, whatever the length of its merchant and device names', () => {
    const entity = createEntityState();
    const step = (i: number) =>
      updateEntityState(
        entity,
        tx({
          time: T0 + i * MIN,
          merchant: `fraud_Kirlin, Schaefer and Sons ${i % 3}`,
          device: `a2f4c1d0-5b7e-4e0f-9c3a-${String(i % 5).padStart(12, '0')}`,
        }),
      );
    for (let i = 0; i < 10; i++) step(i);
    const before = (customerStateSerde.serialize({ entity, fraudScore: 0, scoredAt: 0 }) as Buffer).length;
    for (let i = 10; i < 110; i++) step(i);
    const after = (customerStateSerde.serialize({ entity, fraudScore: 0, scoredAt: 0 }) as Buffer).length;
    // 100 more entries; the count's varuint grows from 1 to 1 byte (110 < 128)
    assert.equal(after - before, 100 * 25);
  });

  test('merchants seen cost 12 bytes each, whatever the length of their names', () => {
    const entity = createEntityState();
    for (let i = 0; i < 300; i++) {
      updateEntityState(
        entity,
        tx({ time: T0 + i * 3 * HOUR, merchant: `fraud_Kirlin, Schaefer and Sons ${i}` }),
      );
    }
    assert.equal(entity.merchantsSeen.size, 300);
    const bytes = customerStateSerde.serialize({ entity, fraudScore: 0, scoredAt: 0 }) as Buffer;
    const without = customerStateSerde.serialize({
      entity: { ...entity, merchantsSeen: new Map() },
      fraudScore: 0,
      scoredAt: 0,
    }) as Buffer;
    // by name (format 0xE1) they took 300 × (1 + 34 + 8) bytes and a count
    assert.equal(bytes.length - without.length, 300 * 12 + 1, 'a varuint of 300 is 2 bytes, of 0 one');
    const back = customerStateSerde.deserialize(bytes);
    const probe = tx({ time: T0 + 1000 * HOUR, merchant: 'fraud_Kirlin, Schaefer and Sons 7' });
    assert.deepEqual(
      Array.from(computeFeatures(back.entity, probe)),
      Array.from(computeFeatures(entity, probe)),
    );
  });

  test('JSON values of earlier versions are read; another state version is refused', () => {
    const s = state();
    // what the JSON format wrote (entity state version 1): merchants seen by name, and their count
    const byName: Record<string, number> = {};
    for (let i = 0; i < 40; i++) byName[i % 4 === 0 ? 'mérchant-ü' : `m${i % 6}`] = T0 + i * 37 * MIN;
    // ... and names in the history ('' for no device)
    const merchants: string[] = [];
    const devices: string[] = [];
    for (let i = 0; i < 40; i++) {
      merchants.push(i % 4 === 0 ? 'mérchant-ü' : `m${i % 6}`);
      devices.push(i % 5 === 0 ? '' : `d${i % 3}`);
    }
    const v1 = {
      ...s,
      entity: {
        ...s.entity,
        v: 1,
        merchants,
        devices,
        merchantsSeen: byName,
        merchantsSeenSize: Object.keys(byName).length,
      },
    };
    assert.deepEqual(customerStateSerde.deserialize(Buffer.from(JSON.stringify(v1))), s);
    const bytes = customerStateSerde.serialize(s) as Buffer;
    const other = Buffer.from(bytes);
    other[17] = 99; // the entity state version byte
    assert.throws(
      () => customerStateSerde.deserialize(other),
      (e: unknown) => isFraudstreamError(e) && e.code === 'FS_SERDE',
    );
  });
});
