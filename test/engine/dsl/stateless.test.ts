import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { Serdes } from '../../../src/engine/index.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';

const S = Serdes.string();
const N = Serdes.number();

function run(
  build: (b: StreamBuilder) => void,
  input: Array<[string, number]>,
  outputs: string[],
  partitions?: Record<string, number>,
) {
  const b = new StreamBuilder();
  build(b);
  const driver = new TestDriver(b.build(), { partitions });
  const topic = driver.inputTopic('in', S, N);
  for (const [k, v] of input) topic.pipe(k, v, 1000);
  const result = Object.fromEntries(outputs.map((o) => [o, driver.outputTopic(o, S, N).readKeyValues()]));
  driver.close();
  return result;
}

test('filter and filterNot keep and drop by predicate', () => {
  const out = run(
    (b) => {
      const s = b.stream('in', { key: S, value: N });
      s.filter((_k, v) => v > 10).to('big');
      s.filterNot((_k, v) => v > 10).to('small');
    },
    [
      ['a', 5],
      ['b', 50],
      ['c', 11],
    ],
    ['big', 'small'],
  );
  assert.deepEqual(out.big, [
    ['b', 50],
    ['c', 11],
  ]);
  assert.deepEqual(out.small, [['a', 5]]);
});

test('map, mapValues, selectKey transform keys and values', () => {
  const out = run(
    (b) => {
      const s = b.stream('in', { key: S, value: N });
      s.map((k, v) => [k.toUpperCase(), v * 2] as [string, number]).to('mapped', { key: S, value: N });
      s.mapValues((v, k) => v + k.length).to('values', { key: S, value: N });
      s.selectKey((_k, v) => `k${v}`).to('rekeyed', { key: S, value: N });
    },
    [
      ['ab', 1],
      ['c', 2],
    ],
    ['mapped', 'values', 'rekeyed'],
  );
  assert.deepEqual(out.mapped, [
    ['AB', 2],
    ['C', 4],
  ]);
  assert.deepEqual(out.values, [
    ['ab', 3],
    ['c', 3],
  ]);
  assert.deepEqual(out.rekeyed, [
    ['k1', 1],
    ['k2', 2],
  ]);
});

test('flatMap and flatMapValues emit zero or more records per input', () => {
  const out = run(
    (b) => {
      const s = b.stream('in', { key: S, value: N });
      s.flatMap((k, v) => Array.from({ length: v }, (_, i) => [`${k}${i}`, i] as [string, number])).to('fm', {
        key: S,
        value: N,
      });
      s.flatMapValues((v) => (v > 1 ? [v, -v] : [])).to('fmv', { key: S, value: N });
    },
    [
      ['x', 2],
      ['y', 0],
      ['z', 1],
    ],
    ['fm', 'fmv'],
  );
  assert.deepEqual(out.fm, [
    ['x0', 0],
    ['x1', 1],
    ['z0', 0],
  ]);
  assert.deepEqual(out.fmv, [
    ['x', 2],
    ['x', -2],
  ]);
});

test('peek sees every record and passes it on unchanged', () => {
  const seen: string[] = [];
  const out = run(
    (b) => {
      b.stream('in', { key: S, value: N })
        .peek((k, v) => seen.push(`${k}=${v}`))
        .to('out', { key: S, value: N });
    },
    [
      ['a', 1],
      ['b', 2],
    ],
    ['out'],
  );
  assert.deepEqual(seen, ['a=1', 'b=2']);
  assert.deepEqual(out.out, [
    ['a', 1],
    ['b', 2],
  ]);
});

test('split routes each record to the first matching branch only; branch is an alias', () => {
  const out = run(
    (b) => {
      const [neg, small, rest] = b
        .stream('in', { key: S, value: N })
        .split([(_k, v) => v < 0, (_k, v) => v < 10, () => true]);
      neg.to('neg');
      small.to('small');
      rest.to('rest');
      const [even] = b.stream('in2', { key: S, value: N }).branch((_k, v) => v % 2 === 0);
      even.to('even');
    },
    [
      ['a', -1],
      ['b', 5],
      ['c', 50],
      ['d', -7],
    ],
    ['neg', 'small', 'rest'],
  );
  assert.deepEqual(out.neg, [
    ['a', -1],
    ['d', -7],
  ]);
  assert.deepEqual(out.small, [['b', 5]]);
  assert.deepEqual(out.rest, [['c', 50]]);
});

test('merge combines two streams', () => {
  const b = new StreamBuilder();
  const a = b.stream('a', { key: S, value: N });
  const c = b.stream('c', { key: S, value: N });
  a.merge(c)
    .mapValues((v) => v * 10)
    .to('out', { key: S, value: N });
  const driver = new TestDriver(b.build());
  driver.inputTopic('a', S, N).pipe('x', 1);
  driver.inputTopic('c', S, N).pipe('y', 2);
  assert.deepEqual(driver.outputTopic('out', S, N).readKeyValues(), [
    ['x', 10],
    ['y', 20],
  ]);
  driver.close();
});

test('to() uses the default murmur2 partitioner or a custom one, and keeps timestamps and headers', () => {
  const b = new StreamBuilder();
  const s = b.stream('in', { key: S, value: N });
  s.to('out', { key: S, value: N });
  s.to('custom', { key: S, value: N, partitioner: (_k, v, n) => v % n });
  const driver = new TestDriver(b.build(), { partitions: { in: 1, out: 4, custom: 3 } });
  driver.inputTopic('in', S, N).pipe('card-1', 7, 1234, { source: 'test' });
  const [rec] = driver.outputTopic('out', S, N).readAll();
  assert.equal(rec.timestamp, 1234);
  assert.equal(rec.headers.source, 'test');
  assert.ok(rec.partition >= 0 && rec.partition < 4);
  const again = new TestDriver(b.build(), { partitions: { in: 1, out: 4, custom: 3 } });
  again.inputTopic('in', S, N).pipe('card-1', 7, 1234);
  assert.equal(
    again.outputTopic('out', S, N).readAll()[0].partition,
    rec.partition,
    'same key, same partition',
  );
  assert.equal(driver.outputTopic('custom', S, N).readAll()[0].partition, 1);
  driver.close();
  again.close();
});

test('repartition writes to an internal topic named after the application and reads it back', () => {
  const b = new StreamBuilder();
  b.stream('in', { key: S, value: N })
    .selectKey((_k, v) => `k${v % 2}`)
    .repartition({ name: 'by-parity', key: S, value: N })
    .to('out', { key: S, value: N });
  const driver = new TestDriver(b.build(), { applicationId: 'app1', partitions: { in: 2 } });
  const input = driver.inputTopic('in', S, N);
  for (let i = 0; i < 4; i++) input.pipe(`r${i}`, i);
  assert.ok(driver.topicNames().includes('app1-by-parity-repartition'));
  const out = driver.outputTopic('out', S, N).readKeyValues();
  assert.deepEqual(out.map(([k]) => k).sort(), ['k0', 'k0', 'k1', 'k1']);
  driver.close();
});
