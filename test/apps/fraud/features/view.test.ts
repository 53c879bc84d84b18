import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromOrder, fromSparkovRow } from '../../../../src/apps/fraud/features/index.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';

describe('transaction views', () => {
  test('a Sparkov row maps onto the view (time as UTC, age from dob)', () => {
    const v = fromSparkovRow({
      trans_date_trans_time: '2019-01-01 00:03:08',
      cc_num: '4481377668791',
      merchant: 'fraud_Jones, Sawayn and Romaguera',
      category: 'misc_net',
      amt: '128.96',
      gender: 'M',
      lat: '42.2741',
      long: '-113.3927',
      city_pop: '1371',
      dob: '1999-01-01',
      trans_num: '9ee0',
      merch_lat: '42.488014',
      merch_long: '-113.776711',
    });
    assert.equal(v.time, 1546300988000);
    assert.equal(v.entityId, '4481377668791');
    assert.equal(v.amount, 128.96);
    assert.equal(v.cityPop, 1371);
    assert.ok(Math.abs((v.customerAgeYears ?? 0) - 20) < 0.01);
    assert.deepEqual(
      [v.lat, v.lon, v.merchantLat, v.merchantLon],
      [42.2741, -113.3927, 42.488014, -113.776711],
    );
  });

  test('a bad timestamp or amount names the value', () => {
    const row = {
      trans_date_trans_time: 'yesterday',
      cc_num: 1,
      merchant: 'm',
      category: 'c',
      amt: 1,
      lat: 0,
      long: 0,
      merch_lat: 0,
      merch_long: 0,
    };
    assert.throws(
      () => fromSparkovRow(row),
      (e) => isFraudstreamError(e, 'FS_CSV_INVALID') && /"yesterday"/.test(e.message),
    );
    assert.throws(
      () => fromSparkovRow({ ...row, trans_date_trans_time: '2020-01-01 00:00:00', amt: 'x' }),
      (e) => isFraudstreamError(e, 'FS_CSV_INVALID') && /"x"/.test(e.message),
    );
  });

  test('an order maps onto the view with the customer as entity', () => {
    const v = fromOrder({
      order_id: 'o1',
      customer_id: 'c9',
      merchant_id: 'r3',
      merchant_category: 'fast_food',
      amount: 42,
      payment_method: 'crypto',
      country: 'US',
      lat: 1,
      lon: 2,
      device_id: 'd7',
      timestamp: 1_700_000_000_000,
    });
    assert.deepEqual(
      [v.entityId, v.merchant, v.category, v.device, v.paymentMethod, v.time, v.lat, v.lon],
      ['c9', 'r3', 'fast_food', 'd7', 'crypto', 1_700_000_000_000, 1, 2],
    );
    assert.ok(Number.isNaN(v.merchantLat));
  });
});
