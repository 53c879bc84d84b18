import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createValidators, neutralizeText } from '../../../../src/apps/fraud/validation/index.ts';
import { validCardTransaction } from '../../../events/fixtures.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const validate = createValidators({ now: () => NOW });

const order = () => ({
  order_id: 'o-1',
  customer_id: 'c-1',
  merchant_id: 'm-1',
  restaurant_name: "Luigi's Pizza & Pasta",
  merchant_category: 'pizza',
  amount: 32.5,
  currency: 'USD',
  payment_method: 'credit_card',
  country: 'US',
  city: 'San Francisco',
  lat: 37.77,
  lon: -122.42,
  device_id: 'd-1',
  ip_address: '203.0.113.7',
  items: [{ item_id: 'i-1', name: 'Margherita', quantity: 2, unit_price: 16.25 }],
  timestamp: NOW - 1000,
});

const card = () => ({ ...validCardTransaction, last: "O'Elliott" });

function rejected(
  r: ReturnType<typeof validate.order> | ReturnType<typeof validate.cardTransaction>,
): string[] {
  assert.equal(r.ok, false, `expected a rejection, got ${JSON.stringify(r)}`);
  return r.ok ? [] : r.reasons;
}

describe('order validation', () => {
  test('a clean order passes unchanged with no warnings', () => {
    const input = order();
    const r = validate.order(input);
    assert.ok(r.ok);
    assert.deepEqual(r.value, input);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.sanitized, []);
  });

  test('amount must be > 0: 0 and negative rejected, 0.01 accepted', () => {
    assert.match(rejected(validate.order({ ...order(), amount: 0 })).join(), /amount: must be > 0 \(got 0\)/);
    assert.ok(rejected(validate.order({ ...order(), amount: -5 })).length > 0);
    assert.ok(
      validate.order({
        ...order(),
        amount: 0.01,
        items: [{ item_id: 'i', name: 'x', quantity: 1, unit_price: 0.01 }],
      }).ok,
    );
    assert.match(
      rejected(validate.order({ ...order(), amount: 2_000_000 })).join(),
      /exceeds the plausible maximum/,
    );
  });

  test('currency must be ISO 4217', () => {
    assert.match(
      rejected(validate.order({ ...order(), currency: 'XYZ' })).join(),
      /"XYZ" is not an ISO 4217/,
    );
    assert.ok(rejected(validate.order({ ...order(), currency: 'usd' })).length > 0); // schema: upper case
    assert.ok(validate.order({ ...order(), currency: 'EUR' }).ok);
  });

  test('coordinates must be valid; (0, 0) is only a warning', () => {
    assert.ok(rejected(validate.order({ ...order(), lat: 91 })).length > 0);
    assert.ok(rejected(validate.order({ ...order(), lon: -180.5 })).length > 0);
    const nullIsland = validate.order({ ...order(), lat: 0, lon: 0 });
    assert.ok(nullIsland.ok);
    assert.match(nullIsland.warnings.join(), /\(0, 0\)/);
  });

  test('timestamps: up to the skew in the future passes, beyond is rejected, configurable', () => {
    assert.ok(validate.order({ ...order(), timestamp: NOW + 5 * 60_000 }).ok);
    assert.match(
      rejected(validate.order({ ...order(), timestamp: NOW + 5 * 60_000 + 1 })).join(),
      /timestamp: .* in the future/,
    );
    const lenient = createValidators({ now: () => NOW, maxFutureSkewMs: 3_600_000 });
    assert.ok(lenient.order({ ...order(), timestamp: NOW + 30 * 60_000 }).ok);
    assert.match(
      rejected(validate.order({ ...order(), timestamp: Date.UTC(1999, 0, 1) })).join(),
      /implausibly old/,
    );
  });

  test('schema violations are reported with their path', () => {
    const { amount: _drop, ...missing } = order();
    assert.match(rejected(validate.order(missing)).join(), /amount/);
    assert.match(rejected(validate.order({ ...order(), payment_method: 'barter' })).join(), /payment_method/);
  });

  test('script payloads in free text are stripped and flagged; the input is not mutated', () => {
    const input = {
      ...order(),
      restaurant_name: '<script>fetch("//evil")</script>Luigi<img src=x onerror=alert(1)>',
      items: [{ item_id: 'i-1', name: '<b>Margherita</b>', quantity: 2, unit_price: 16.25 }],
    };
    const r = validate.order(input);
    assert.ok(r.ok);
    assert.equal(r.value.restaurant_name, 'Luigi');
    assert.equal(r.value.items[0].name, 'Margherita');
    assert.deepEqual(r.sanitized, ['restaurant_name:xss', 'items[0].name:xss']);
    assert.match(r.warnings.join(), /restaurant_name: sanitized \(xss\)/);
    assert.equal(input.items[0].name, '<b>Margherita</b>');
  });

  test('SQL injection payloads are neutralised and flagged; ordinary apostrophes are kept', () => {
    const r = validate.order({ ...order(), city: "x'; DROP TABLE orders; --" });
    assert.ok(r.ok);
    assert.deepEqual(r.sanitized, ['city:sqli']);
    assert.ok(!r.value.city.includes(';') && !r.value.city.includes("'") && !r.value.city.includes('--'));
    const clean = validate.order(order());
    assert.ok(clean.ok);
    assert.equal(clean.value.restaurant_name, "Luigi's Pizza & Pasta");
  });
});

describe('card transaction validation', () => {
  test('a real Sparkov row passes unchanged', () => {
    const r = validate.cardTransaction(card());
    assert.ok(r.ok);
    assert.deepEqual(r.value, card());
    assert.deepEqual(r.sanitized, []);
  });

  test('amt > 0, coordinates, birth date before the transaction, time not in the future', () => {
    assert.match(rejected(validate.cardTransaction({ ...card(), amt: 0 })).join(), /amt: must be > 0/);
    assert.ok(rejected(validate.cardTransaction({ ...card(), merch_lat: -95 })).length > 0);
    assert.match(
      rejected(validate.cardTransaction({ ...card(), dob: '2021-01-01' })).join(),
      /dob: .* after the transaction/,
    );
    assert.match(
      rejected(validate.cardTransaction({ ...card(), trans_date_trans_time: '2026-11-22 12:06:00' })).join(),
      /trans_date_trans_time: .* in the future/,
    );
  });

  test('free-text columns are sanitised', () => {
    const r = validate.cardTransaction({
      ...card(),
      job: "Engineer' OR '1'='1",
      street: '1 Main <svg onload=alert(1)>St',
    });
    assert.ok(r.ok);
    assert.deepEqual(r.sanitized.sort(), ['job:sqli', 'street:xss']);
    assert.equal(r.value.street, '1 Main St');
  });
});

describe('payment validation (seed 004)', () => {
  test('amount, currency and time are checked', () => {
    const payment = {
      payment_id: 'p-1',
      order_id: 'o-1',
      customer_id: 'c-1',
      merchant_id: 'm-1',
      amount: 10,
      currency: 'USD',
      payment_method: 'crypto',
      status: 'approved',
      device_id: 'd-1',
      ip_address: '198.51.100.1',
      timestamp: NOW,
    };
    assert.ok(validate.payment(payment).ok);
    assert.equal(validate.payment({ ...payment, amount: 0 }).ok, false);
    assert.equal(validate.payment({ ...payment, currency: 'ABC' }).ok, false);
  });
});

describe('neutralizeText', () => {
  const cases: Array<[string, string, string[]]> = [
    ['Plain Merchant Name', 'Plain Merchant Name', []],
    ["O'Brien & Sons - Deli", "O'Brien & Sons - Deli", []],
    ['<script>alert(1)</script>', '', ['xss']],
    // stripping reassembles "<script>alert(1)</script>", which is stripped again
    ['<scr<script>x</script>ipt>alert(1)</script>', '', ['xss']],
    ['<a href="javascript:alert(1)">x</a>', 'x', ['xss']],
    ['javascript:alert(document.cookie)', 'alert(document.cookie)', ['xss']],
    ['5 > 3', '5 &gt; 3', ['xss']],
    ["admin'--", 'admin’', ['sqli']],
    ["1' OR '1'='1", '1’ OR ’1’=’1', ['sqli']],
    ['1 UNION SELECT password FROM users', '1 UNION SELECT password FROM users', ['sqli']],
    ["x'; waitfor delay '0:0:5'", 'x’ waitfor delay ’0:0:5’', ['sqli']],
    ['name\u0000with\u0007control', 'namewithcontrol', ['control']],
  ];
  for (const [input, text, findings] of cases) {
    test(`${JSON.stringify(input)} -> ${JSON.stringify(text)} ${findings.join(',')}`, () => {
      assert.deepEqual(neutralizeText(input), { text, findings });
    });
  }
});
