import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { type Serde, Serdes, TimeWindows } from '../../../src/engine/index.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';

const S = Serdes.string();
const N = Serdes.number();
const W = Serdes.windowed(S);

interface Payment {
  amount: number;
}

/** A windowed count of `payments` (and, with `alsoRead`, a second branch that reads the values). */
function countTopology(value: Serde<Payment>, alsoRead = false) {
  const b = new StreamBuilder();
  const payments = b.stream('payments', { key: S, value });
  payments
    .groupByKey()
    .windowedBy(TimeWindows.ofSize(10).grace(0))
    .count({ as: 'per-card', lateRecordsTopic: 'late' })
    .toStream()
    .to('counts', { key: W, value: N });
  if (alsoRead) payments.mapValues((p) => p.amount).to('amounts', { key: S, value: N });
  return b.build();
}

test('a source read only by count() checks its values instead of decoding them (describe says so)', () => {
  assert.match(countTopology(Serdes.json()).describe(), /source \S+ <- payments \(values unread\)/);
  // Any other reader, a serde that must decode to check, or a timestamp extractor: values are decoded.
  assert.doesNotMatch(countTopology(Serdes.json(), true).describe(), /values unread/);
  const schema = Serdes.schemaJson(Type.Object({ amount: Type.Number() }));
  assert.doesNotMatch(countTopology(schema).describe(), /values unread/);
  const b = new StreamBuilder();
  b.stream('payments', { key: S, value: Serdes.json<Payment>(), timestampExtractor: (_k, v) => v.amount })
    .groupByKey()
    .count()
    .toStream()
    .to('counts', { key: S, value: N });
  assert.doesNotMatch(b.build().describe(), /values unread/);
  const kv = new StreamBuilder();
  kv.stream('payments', { key: S, value: Serdes.json() })
    .groupByKey()
    .count()
    .toStream()
    .to('c', { key: S, value: N });
  assert.match(kv.build().describe(), /values unread/);
});

test('unread values: null values are not counted, malformed ones fail by default or go to the dead-letter topic', () => {
  const d = new TestDriver(countTopology(Serdes.json()), { deserializationErrorHandler: 'continue' });
  const input = d.inputTopic('payments', S, Serdes.bytes());
  input.pipe('c1', Buffer.from('{"amount":1}'), 1);
  input.pipe('c1', Buffer.from('null'), 2);
  input.pipeRaw(Buffer.from('c1'), null, 3);
  input.pipe('c1', Buffer.from('{"amount":'), 4);
  input.pipe('c1', Buffer.from(' [1, {"a": "\\u00e9"}] '), 5);
  const counts = d.outputTopic('counts', W, N).readAll();
  assert.deepEqual(
    counts.map((r) => [r.key.key, r.key.window.start, r.value]),
    [
      ['c1', 0, 1],
      ['c1', 0, 2],
    ],
  );
  const dead = d.outputTopic('test-app-dlq', S, Serdes.bytes()).readAll();
  assert.equal(dead.length, 1);
  assert.equal(dead[0].value.toString(), '{"amount":');
  assert.equal(dead[0].headers['fs-error-kind'], 'deserialization');
  assert.equal(dead[0].headers['fs-error-code'], 'FS_SERDE');
  d.close();

  const failing = new TestDriver(countTopology(Serdes.json()));
  assert.throws(
    () => failing.inputTopic('payments', S, Serdes.bytes()).pipe('c1', Buffer.from('{oops'), 1),
    (e: Error & { code?: string }) => e.code === 'FS_SERDE' && e.message.includes('payments[0]@0'),
  );
  failing.close();
});

test('a late record of a count with unread values carries its value, decoded and serialized as before', () => {
  const d = new TestDriver(countTopology(Serdes.json()));
  const input = d.inputTopic('payments', S, Serdes.bytes());
  input.pipe('c1', Buffer.from('{"amount":1}'), 25);
  input.pipe('c1', Buffer.from('{ "amount" : 2 }'), 3); // window [0,10) closed at 25
  const [late] = d.outputTopic('late', S, Serdes.bytes()).readAll();
  assert.equal(late.key, 'c1');
  assert.equal(late.value.toString(), '{"amount":2}');
  d.close();
});

test('with another reader of the values, a malformed value follows the policy once, before any node sees it', () => {
  const d = new TestDriver(countTopology(Serdes.json(), true), { deserializationErrorHandler: 'continue' });
  const input = d.inputTopic('payments', S, Serdes.bytes());
  input.pipe('c1', Buffer.from('{"amount":7}'), 1);
  input.pipe('c1', Buffer.from('{"amount":'), 2);
  assert.deepEqual(d.outputTopic('amounts', S, N).readValues(), [7]);
  assert.equal(d.outputTopic('counts', W, N).readAll().length, 1);
  assert.equal(d.outputTopic('test-app-dlq', S, Serdes.bytes()).readAll().length, 1);
  d.close();
});
