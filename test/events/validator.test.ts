import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../src/errors.ts';
import { CardTransaction, Customer, Order, validator } from '../../src/events/index.ts';
import { validCardTransaction, validOrder } from './fixtures.ts';

test('a valid order passes and a broken one explains each problem with its path', () => {
  const orders = validator(Order);
  assert.equal(orders.check(validOrder), true);
  assert.deepEqual(orders.errors(validOrder), []);
  const broken = { ...validOrder, amount: -1, payment_method: 'gold_bars', items: [] };
  assert.equal(orders.check(broken), false);
  const reasons = orders.errors(broken);
  assert.ok(
    reasons.some((r) => r.startsWith('/amount:')),
    reasons.join('\n'),
  );
  assert.ok(
    reasons.some((r) => r.startsWith('/payment_method:')),
    reasons.join('\n'),
  );
  assert.ok(
    reasons.some((r) => r.startsWith('/items:')),
    reasons.join('\n'),
  );
});

test('assert throws FS_SCHEMA_INVALID naming the schema and the field', () => {
  const customers = validator(Customer);
  assert.throws(
    () => customers.assert({ customer_id: 'C1' }),
    (err: unknown) =>
      isFraudstreamError(err, 'FS_SCHEMA_INVALID') &&
      /Customer/.test(err.message) &&
      /\/tier/.test(err.message),
  );
});

test('CardTransaction accepts a Sparkov row and rejects is_fraud outside 0/1', () => {
  const cards = validator(CardTransaction);
  const row = validCardTransaction;
  assert.equal(cards.check(row), true, cards.errors(row).join('; '));
  assert.equal(cards.check({ ...row, is_fraud: 2 }), false);
  assert.equal(cards.check({ ...row, trans_date_trans_time: '21/06/2020 12:14' }), false);
});
