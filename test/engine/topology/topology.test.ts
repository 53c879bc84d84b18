import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { Serdes, TimeWindows } from '../../../src/engine/index.ts';

const S = Serdes.string();

test('a repartition splits the topology into sub-topologies; stores, internal topics and names are derived', () => {
  const b = new StreamBuilder();
  const s = b.stream('payments', { key: S, value: S });
  s.groupBy((_k, v) => v, { key: S, name: 'by-merchant' })
    .windowedBy(TimeWindows.ofSize(1000))
    .count({ as: 'merchant-1s' });
  s.to('copy');
  const t = b.build();
  assert.equal(t.subtopologies.length, 2);
  assert.deepEqual(
    t.subtopologies.map((x) => x.sourceTopics),
    [['payments'], ['by-merchant-repartition']],
  );
  assert.deepEqual(
    t.internalTopics.map((x) => x.name),
    ['by-merchant-repartition'],
  );
  assert.deepEqual(
    t
      .stores()
      .map((x) => x.name)
      .sort(),
    ['merchant-1s', 'merchant-1s-time'],
  );
  assert.equal(t.topicName('app', 'by-merchant-repartition'), 'app-by-merchant-repartition');
  assert.equal(t.topicName('app', 'payments'), 'payments');
  assert.deepEqual(t.externalSourceTopics(), ['payments']);
  assert.deepEqual(t.externalSinkTopics(), ['copy']);
  const text = t.describe();
  assert.match(text, /Sub-topology 0 \(sources: payments\)/);
  assert.match(text, /sink by-merchant-sink -> by-merchant-repartition/);
  assert.match(text, /stores: merchant-1s, merchant-1s-time/);
  const counts = t.resolvePartitions((topic) => (topic === 'payments' ? 6 : undefined));
  assert.equal(
    counts.get('by-merchant-repartition'),
    6,
    'internal topics default to the upstream partition count',
  );
});

test('topology mistakes fail with FS_TOPOLOGY_INVALID naming the offender', () => {
  const b = new StreamBuilder();
  b.stream('payments');
  assert.throws(
    () => b.stream('payments'),
    (e: Error & { code?: string }) => e.code === 'FS_TOPOLOGY_INVALID' && e.message.includes('"payments"'),
  );
  const c = new StreamBuilder();
  c.stream('a').filter(() => true, 'same');
  assert.throws(() => c.stream('b').filter(() => true, 'same'), { code: 'FS_TOPOLOGY_INVALID' });
  assert.throws(() => new StreamBuilder().build(), { code: 'FS_TOPOLOGY_INVALID' });
  const d = new StreamBuilder();
  const g = d
    .stream('x')
    .selectKey(() => 'k')
    .groupByKey({ name: 'dup' });
  g.count();
  assert.doesNotThrow(
    () => g.reduce((a) => a),
    'a grouping shares one repartition topic across aggregations',
  );
});
