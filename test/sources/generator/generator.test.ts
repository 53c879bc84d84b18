import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import {
  CardTransaction,
  Customer,
  CustomerActivity,
  FRAUD_SCENARIOS,
  Merchant,
  Order,
  Payment,
  ProductView,
  validator,
} from '../../../src/events/index.ts';
import {
  distanceKm,
  type GeneratedRecord,
  SyntheticGenerator,
} from '../../../src/sources/generator/index.ts';

const ALL_KINDS = ['order', 'payment', 'card_transaction', 'customer', 'merchant'] as const;
const WITH_SESSIONS = [...ALL_KINDS, 'customer_activity', 'product_view'] as const;

function digest(records: Iterable<GeneratedRecord>): string {
  const hash = createHash('sha256');
  for (const r of records) hash.update(`${r.kind}|${r.key}|${r.timestamp}|${JSON.stringify(r.value)}\n`);
  return hash.digest('hex');
}

test('the same seed gives a byte-identical stream; another seed does not', () => {
  const options = { seed: 42, fraudRate: 0.05, count: 5000, kinds: ALL_KINDS };
  const first = digest(new SyntheticGenerator(options));
  assert.equal(digest(new SyntheticGenerator(options)), first);
  assert.equal(
    digest(new SyntheticGenerator({ ...options, seed: 'forty-two' })),
    digest(new SyntheticGenerator({ ...options, seed: 'forty-two' })),
  );
  assert.notEqual(digest(new SyntheticGenerator({ ...options, seed: 43 })), first);
});

test('choosing fewer record kinds does not change the purchases themselves', () => {
  const orders = [...new SyntheticGenerator({ seed: 9, count: 2000, fraudRate: 0.05 })];
  const withAll = [
    ...new SyntheticGenerator({ seed: 9, count: 2000, fraudRate: 0.05, kinds: WITH_SESSIONS }),
  ].filter((r) => r.kind === 'order');
  assert.deepEqual(withAll, orders);
});

for (const fraudRate of [0.02, 0.1]) {
  test(`fraud rate ${fraudRate} holds within ±10% over 50k purchases and labels are consistent`, () => {
    let orders = 0;
    let frauds = 0;
    for (const r of new SyntheticGenerator({ seed: 7, fraudRate, count: 50_000 })) {
      assert.equal(r.kind, 'order');
      if (r.kind !== 'order') continue;
      orders++;
      assert.equal(r.value.is_fraud, r.value.fraud_scenario !== null);
      if (r.value.is_fraud) frauds++;
    }
    assert.equal(orders, 50_000);
    const rate = frauds / orders;
    assert.ok(Math.abs(rate - fraudRate) <= fraudRate * 0.1, `rate ${rate} vs ${fraudRate}`);
  });
}

test('fraud rate 0 gives no fraud at all', () => {
  for (const r of new SyntheticGenerator({ seed: 1, fraudRate: 0, count: 5000 })) {
    if (r.kind === 'order') assert.equal(r.value.is_fraud, false);
  }
});

/** One 20k-purchase stream with every kind, shared by the signature tests. */
function sample() {
  const records = [...new SyntheticGenerator({ seed: 11, fraudRate: 0.1, count: 20_000, kinds: ALL_KINDS })];
  const orders = records.flatMap((r) => (r.kind === 'order' ? [r.value] : []));
  const customers = new Map(
    records.flatMap((r) => (r.kind === 'customer' ? [[r.value.customer_id, r.value] as const] : [])),
  );
  const merchants = new Map(
    records.flatMap((r) => (r.kind === 'merchant' ? [[r.value.merchant_id, r.value] as const] : [])),
  );
  const fraud = (scenario: string) => orders.filter((o) => o.fraud_scenario === scenario);
  const legit = orders.filter((o) => !o.is_fraud);
  const byDevice = <T extends { device_id: string }>(list: T[]) => {
    const groups = new Map<string, T[]>();
    for (const o of list) groups.set(o.device_id, [...(groups.get(o.device_id) ?? []), o]);
    return [...groups.values()];
  };
  return { records, orders, customers, merchants, fraud, legit, byDevice };
}
const world = sample();

test('every record matches its schema, timestamps never go back, every scenario is present', () => {
  const validators = {
    order: validator(Order),
    payment: validator(Payment),
    card_transaction: validator(CardTransaction),
    customer: validator(Customer),
    merchant: validator(Merchant),
    customer_activity: validator(CustomerActivity),
    product_view: validator(ProductView),
  };
  let last = 0;
  for (const r of world.records) {
    const v = validators[r.kind];
    assert.ok(v.check(r.value), `${r.kind}: ${v.errors(r.value).join('; ')}`);
    assert.ok(r.timestamp >= last, 'timestamps are non-decreasing');
    assert.equal(
      r.timestamp,
      'timestamp' in r.value ? r.value.timestamp : r.value.unix_time * 1000 + (r.timestamp % 1000),
    );
    last = r.timestamp;
  }
  for (const scenario of FRAUD_SCENARIOS) assert.ok(world.fraud(scenario).length > 0, `${scenario} present`);
  assert.ok(
    world.legit.every((o) => o.amount >= 3),
    'legitimate orders are never tiny',
  );
});

test('card testing: bursts of tiny amounts on one card, one merchant, one new device, within minutes', () => {
  const legitDevices = new Set(world.legit.map((o) => o.device_id));
  const end = world.orders.at(-1)!.timestamp;
  // A burst still running when the stream's count is reached is cut short: judge complete ones.
  for (const burst of world
    .byDevice(world.fraud('card_testing'))
    .filter((b) => b[0].timestamp < end - 10 * 60_000)) {
    assert.ok(burst.length >= 5 && burst.length <= 12, `burst of ${burst.length}`);
    assert.ok(
      burst.every((o) => o.amount < 2),
      'tiny amounts',
    );
    assert.equal(new Set(burst.map((o) => o.customer_id)).size, 1);
    assert.equal(new Set(burst.map((o) => o.merchant_id)).size, 1);
    assert.ok(!legitDevices.has(burst[0].device_id), 'a device the customer never used');
    assert.ok(burst.at(-1)!.timestamp - burst[0].timestamp <= 10 * 60_000, 'within 10 minutes');
  }
});

test('account takeover: new device, > 2000 km from home, high amount', () => {
  const usualDevices = new Set(world.legit.map((o) => `${o.customer_id}/${o.device_id}`));
  const orders = world.fraud('account_takeover');
  for (const o of orders) {
    const home = world.customers.get(o.customer_id)!;
    assert.ok(!usualDevices.has(`${o.customer_id}/${o.device_id}`), 'new device');
    assert.ok(distanceKm(home.home_lat, home.home_lon, o.lat, o.lon) > 2000, 'far from home');
    assert.ok(o.amount >= 300, `amount ${o.amount}`);
    assert.ok(o.timestamp - home.account_created_at > 180 * 86_400_000, 'an established account');
    const usual = world.legit.filter((l) => l.customer_id === o.customer_id).map((l) => l.amount);
    const mean = usual.reduce((a, b) => a + b, 0) / usual.length;
    if (usual.length >= 5) assert.ok(o.amount >= 3 * mean, `${o.amount} vs usual ${mean}`);
  }
});

test('velocity burst: more than 10 orders by one customer within 5 minutes', () => {
  const byCustomer = new Map<string, number[]>();
  const end = world.orders.at(-1)!.timestamp;
  for (const o of world.fraud('velocity_burst'))
    byCustomer.set(o.customer_id, [...(byCustomer.get(o.customer_id) ?? []), o.timestamp]);
  for (const times of byCustomer.values()) {
    // Each burst is a cluster of >= 11 orders; the first 11 of a cluster fit in 5 minutes.
    let start = 0;
    for (let i = 1; i <= times.length; i++) {
      if (i === times.length || times[i] - times[i - 1] > 60_000) {
        if (times[start] > end - 10 * 60_000) break; // cut short by the end of the stream
        assert.ok(i - start >= 11, `cluster of ${i - start}`);
        assert.ok(times[start + 10] - times[start] <= 5 * 60_000);
        start = i;
      }
    }
  }
});

test('high-amount crypto: crypto payments above 5000, which legitimate orders never are', () => {
  for (const o of world.fraud('high_amount_crypto')) {
    assert.equal(o.payment_method, 'crypto');
    assert.ok(o.amount >= 5000 && o.amount <= 15000);
  }
  assert.ok(!world.legit.some((o) => o.payment_method === 'crypto' && o.amount >= 5000));
});

test('new account with high spend: accounts under a day old spending 1000+', () => {
  for (const o of world.fraud('new_account_high_spend')) {
    const account = world.customers.get(o.customer_id);
    assert.ok(account, 'the new account was emitted as a customer record first');
    assert.ok(o.timestamp - account.account_created_at < 2 * 86_400_000);
    assert.ok(o.amount >= 1000 && o.amount <= 3000);
  }
});

test('merchant collusion: a ring sharing a device places round orders at a low-reputation merchant within an hour', () => {
  const end = world.orders.at(-1)!.timestamp;
  for (const ring of world
    .byDevice(world.fraud('merchant_collusion'))
    .filter((r) => r[0].timestamp < end - 3_600_000)) {
    assert.equal(new Set(ring.map((o) => o.merchant_id)).size, 1);
    assert.ok(new Set(ring.map((o) => o.customer_id)).size >= 3, 'several customers');
    assert.ok(ring.every((o) => o.amount % 50 === 0 && o.amount >= 200 && o.amount <= 800));
    assert.ok(world.merchants.get(ring[0].merchant_id)!.reputation < 0.4);
    assert.ok(ring.at(-1)!.timestamp - ring[0].timestamp <= 3_600_000);
  }
});

test('bad options get FS_CONFIG_INVALID naming the value', () => {
  const cases: Array<[object, RegExp]> = [
    [{ eventsPerSecond: 0 }, /eventsPerSecond .* got 0/],
    [{ eventsPerSecond: -5 }, /got -5/],
    [{ fraudRate: 2 }, /fraudRate .* got 2/],
    [{ count: 0 }, /count .* got 0/],
    [{ count: 1.5 }, /got 1.5/],
    [{ kinds: ['orders'] }, /"orders"/],
    [{ scenarios: ['phishing'] }, /"phishing"/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => new SyntheticGenerator(options),
      (err: unknown) => isFraudstreamError(err, 'FS_CONFIG_INVALID') && message.test(err.message),
    );
  }
});

test('the async iterator paces at a rate and stops on abort', async () => {
  const seen: GeneratedRecord[] = [];
  for await (const r of new SyntheticGenerator({ seed: 5, count: 30, eventsPerSecond: 5000 })) seen.push(r);
  assert.deepEqual(seen, [...new SyntheticGenerator({ seed: 5, count: 30, eventsPerSecond: 5000 })]);
  const controller = new AbortController();
  let n = 0;
  for await (const _ of new SyntheticGenerator({ seed: 5, eventsPerSecond: 1000 }).paced(controller.signal)) {
    if (++n === 10) controller.abort();
  }
  assert.equal(n, 10);
});

test('browsing sessions: activity and product views lead up to each purchase, checkout at the order time', () => {
  const records = [
    ...new SyntheticGenerator({
      seed: 3,
      count: 2000,
      fraudRate: 0.05,
      kinds: ['order', 'customer_activity', 'product_view'],
    }),
  ];
  const activity = validator(CustomerActivity);
  const views = validator(ProductView);
  const sessions = new Map<string, CustomerActivity[]>();
  for (const r of records) {
    if (r.kind === 'customer_activity') {
      assert.ok(activity.check(r.value), activity.errors(r.value).join('; '));
      sessions.set(r.value.session_id, [...(sessions.get(r.value.session_id) ?? []), r.value]);
    } else if (r.kind === 'product_view') {
      assert.ok(views.check(r.value), views.errors(r.value).join('; '));
      assert.ok(
        sessions
          .get(r.value.session_id)
          ?.some((a) => a.activity_type === 'view_product' && a.product_id === r.value.product_id),
      );
    }
  }
  const orders = records.flatMap((r) => (r.kind === 'order' ? [r.value] : []));
  const checkouts = [...sessions.values()].filter((s) => s.at(-1)!.activity_type === 'checkout');
  assert.equal(checkouts.length, orders.length, 'one converting session per order');
  for (const [i, order] of orders.entries()) {
    const s = checkouts[i];
    assert.equal(s[0].activity_type, 'login');
    assert.equal(s.at(-1)!.timestamp, order.timestamp);
    assert.equal(s[0].customer_id, order.customer_id);
    assert.equal(s[0].device_id, order.device_id);
    assert.ok(order.timestamp - s[0].timestamp <= 5 * 60_000);
    assert.ok(s.every((a, j) => j === 0 || a.timestamp >= s[j - 1].timestamp));
  }
  assert.ok(sessions.size > checkouts.length, 'browse-only sessions exist too');
});

test('profile-only streams end after the population', () => {
  const records = [...new SyntheticGenerator({ seed: 2, kinds: ['merchant'], merchants: 50 })];
  assert.equal(records.length, 50);
  assert.ok(records.every((r) => r.kind === 'merchant'));
});
