import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { type KeyValueStore, Serdes } from '../../../src/engine/index.ts';
import { Stores } from '../../../src/engine/state/stores.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';

const S = Serdes.string();
const N = Serdes.number();

interface Payment {
  card: string;
  merchant: string;
  amount: number;
}
const P = Serdes.json<Payment>();

test('groupByKey().count() counts per key and keeps the count in a queryable store', () => {
  const b = new StreamBuilder();
  b.stream('payments', { key: S, value: P })
    .groupByKey()
    .count({ as: 'per-card' })
    .toStream()
    .to('counts', { key: S, value: N });
  const d = new TestDriver(b.build());
  const input = d.inputTopic('payments', S, P);
  input.pipe('c1', { card: 'c1', merchant: 'm1', amount: 1 });
  input.pipe('c2', { card: 'c2', merchant: 'm1', amount: 2 });
  input.pipe('c1', { card: 'c1', merchant: 'm2', amount: 3 });
  assert.deepEqual(d.outputTopic('counts', S, N).readKeyValues(), [
    ['c1', 1],
    ['c2', 1],
    ['c1', 2],
  ]);
  assert.equal(d.keyValueStore<string, number>('per-card').get('c1'), 2);
  assert.deepEqual(
    [...d.keyValueStore<string, number>('per-card').all()].map((e) => [e.key, e.value]),
    [
      ['c1', 2],
      ['c2', 1],
    ],
  );
  d.close();
});

test('groupBy re-keys through an automatic repartition topic; reduce and aggregate', () => {
  const b = new StreamBuilder();
  const payments = b.stream('payments', { key: S, value: P });
  const byMerchant = payments.groupBy((_k, p) => p.merchant, { key: S, name: 'by-merchant' });
  byMerchant
    .aggregate(
      () => 0,
      (_m, p, total) => total + p.amount,
      { as: 'merchant-totals', value: N },
    )
    .toStream()
    .to('totals', { key: S, value: N });
  payments
    .mapValues((p) => p.amount)
    .groupByKey({ value: N })
    .reduce((a, v) => Math.max(a, v), { as: 'max-per-card' })
    .toStream()
    .to('max', { key: S, value: N });
  const d = new TestDriver(b.build(), { applicationId: 'agg', partitions: { payments: 3 } });
  const input = d.inputTopic('payments', S, P);
  input.pipe('c1', { card: 'c1', merchant: 'm1', amount: 10 });
  input.pipe('c2', { card: 'c2', merchant: 'm1', amount: 5 });
  input.pipe('c1', { card: 'c1', merchant: 'm2', amount: 7 });
  input.pipe('c1', { card: 'c1', merchant: 'm1', amount: 1 });
  assert.ok(d.topicNames().includes('agg-by-merchant-repartition'));
  const totals = d.outputTopic('totals', S, N).readKeyValues();
  assert.deepEqual(
    totals.filter(([m]) => m === 'm1').map(([, v]) => v),
    [10, 15, 16],
  );
  assert.deepEqual(
    totals.filter(([m]) => m === 'm2').map(([, v]) => v),
    [7],
  );
  const max = d.outputTopic('max', S, N).readKeyValues();
  assert.deepEqual(
    max.filter(([c]) => c === 'c1').map(([, v]) => v),
    [10, 10, 10],
  );
  d.close();
});

test('store writes go to a changelog topic named <app>-<store>-changelog: latest value per key per commit', () => {
  const b = new StreamBuilder();
  b.stream('in', { key: S, value: N }).groupByKey().count({ as: 'counts' });
  const d = new TestDriver(b.build(), { applicationId: 'cl' });
  const input = d.inputTopic('in', S, N);
  // One commit for the three records: the record cache merges the two writes of "a".
  input.pipeAll([
    { key: 'a', value: 1 },
    { key: 'a', value: 1 },
    { key: 'b', value: 1 },
  ]);
  const changelog = d.outputTopic('cl-counts-changelog', S, N);
  assert.deepEqual(changelog.readKeyValues(), [
    ['a', 2],
    ['b', 1],
  ]);
  // One commit per record: every write is its own changelog record.
  input.pipe('a', 1);
  input.pipe('a', 1);
  assert.deepEqual(changelog.readKeyValues(), [
    ['a', 3],
    ['a', 4],
  ]);
  d.close();
});

test('without the record cache every store write is a changelog record', () => {
  const b = new StreamBuilder();
  b.addStore(Stores.keyValue('seen', S, N, { cacheMaxEntries: 0 }));
  b.stream('in', { key: S, value: N }).process(
    () => {
      let store: KeyValueStore<string, number>;
      return {
        init: (ctx) => {
          store = ctx.getStore('seen');
        },
        process: (r) => store.put(r.key, (store.get(r.key) ?? 0) + r.value),
      };
    },
    { stores: ['seen'] },
  );
  const d = new TestDriver(b.build(), { applicationId: 'nc' });
  d.inputTopic('in', S, N).pipeAll([
    { key: 'a', value: 1 },
    { key: 'a', value: 1 },
  ]);
  assert.deepEqual(d.outputTopic('nc-seen-changelog', S, N).readKeyValues(), [
    ['a', 1],
    ['a', 2],
  ]);
  d.close();
});

test('table(): latest value per key, tombstones delete; filter, mapValues and toStream on tables', () => {
  const b = new StreamBuilder();
  const limits = b.table('limits', { key: S, value: N, as: 'limits-store' });
  limits.toStream().to('limit-changes', { key: S, value: N });
  limits
    .filter((_k, v) => v >= 100)
    .mapValues((v) => v * 2)
    .toStream()
    .to('doubled-big', { key: S, value: N });
  const d = new TestDriver(b.build());
  const input = d.inputTopic('limits', S, N);
  input.pipe('c1', 50);
  input.pipe('c2', 200);
  input.pipe('c1', 150);
  input.pipeRaw(Buffer.from('c2'), null);
  assert.equal(d.keyValueStore('limits-store').get('c1'), 150);
  assert.equal(d.keyValueStore('limits-store').get('c2'), undefined);
  assert.deepEqual(d.outputTopic('limit-changes', S, N).readKeyValues(), [
    ['c1', 50],
    ['c2', 200],
    ['c1', 150],
    ['c2', null],
  ]);
  // c1=50 filtered out (no output), c2=200 → 400, c1=150 → 300, c2 deleted → tombstone
  assert.deepEqual(d.outputTopic('doubled-big', S, N).readKeyValues(), [
    ['c2', 400],
    ['c1', 300],
    ['c2', null],
  ]);
  d.close();
});

test('toTable() materializes a stream; table groupBy aggregates with adder and subtractor', () => {
  const b = new StreamBuilder();
  // card -> merchant it is currently assigned to; count cards per merchant
  const assignment = b.stream('assign', { key: S, value: S }).toTable({ as: 'assignment' });
  assignment
    .groupBy((card, merchant) => [merchant, card] as [string, string], { key: S, value: S })
    .count({ as: 'cards-per-merchant' })
    .toStream()
    .to('per-merchant', { key: S, value: N });
  const d = new TestDriver(b.build());
  const input = d.inputTopic('assign', S, S);
  input.pipe('c1', 'm1');
  input.pipe('c2', 'm1');
  input.pipe('c1', 'm2');
  const store = d.keyValueStore<string, number>('cards-per-merchant');
  assert.equal(store.get('m1'), 1);
  assert.equal(store.get('m2'), 1);
  assert.equal(d.keyValueStore<string, string>('assignment').get('c1'), 'm2');
  d.close();
});

test('records with null keys are skipped by aggregations', () => {
  const b = new StreamBuilder();
  b.stream('in', { key: S, value: N }).groupByKey().count({ as: 'c' });
  const d = new TestDriver(b.build());
  d.inputTopic('in', S, N).pipeRaw(null, N.serialize(1));
  assert.equal(d.keyValueStore('c').approximateNumEntries(), 0);
  d.close();
});
