import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { Serdes } from '../../../src/engine/index.ts';
import type { ErrorContext } from '../../../src/engine/runtime/error-handling.ts';
import type { Serde } from '../../../src/engine/serde/index.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';

const S = Serdes.string();
const Payment = Type.Object({ card: Type.String(), amount: Type.Number({ minimum: 0 }) });
const P = Serdes.schemaJson(Payment);

function topology(failOn?: number, badSink = false) {
  const b = new StreamBuilder();
  const s = b.stream('in', { key: S, value: P }).mapValues((p) => {
    if (p.amount === failOn) throw new Error(`cannot score amount ${p.amount}`);
    return p;
  });
  const exploding: Serde<unknown> = {
    serialize: () => {
      throw new Error('sink serializer broke');
    },
    deserialize: () => null,
  };
  s.to('out', { key: S, value: badSink ? (exploding as typeof P) : P });
  return b.build();
}

test('deserialization errors fail by default with FS_SERDE naming the position', () => {
  const d = new TestDriver(topology());
  const input = d.inputTopic('in', S, P);
  assert.throws(
    () => input.pipeRaw(Buffer.from('k'), Buffer.from('{not json')),
    (e: Error & { code?: string }) => e.code === 'FS_SERDE' && e.message.includes('in[0]@0'),
  );
  d.close();
});

test('deserialization errors with continue go to the dead-letter topic with error headers, and processing goes on', () => {
  const d = new TestDriver(topology(), { applicationId: 'eh', deserializationErrorHandler: 'continue' });
  const input = d.inputTopic('in', S, Serdes.json<unknown>());
  input.pipe('k1', { card: 'c', amount: -5 }, 10); // schema violation: minimum 0
  input.pipeRaw(Buffer.from('k2'), Buffer.from('{not json'), 11);
  input.pipe('k3', { card: 'c', amount: 5 }, 12);
  assert.deepEqual(d.outputTopic('out', S, P).readValues(), [{ card: 'c', amount: 5 }]);
  const dead = d.outputTopic('eh-dlq', S, Serdes.bytes()).readAll();
  assert.equal(dead.length, 2);
  assert.equal(dead[0].key, 'k1');
  assert.equal(dead[0].headers['fs-error-kind'], 'deserialization');
  assert.equal(dead[0].headers['fs-error-code'], 'FS_SCHEMA_INVALID');
  assert.equal(dead[0].headers['fs-source-topic'], 'in');
  assert.equal(dead[0].headers['fs-source-offset'], '0');
  assert.equal(dead[1].value.toString(), '{not json');
  assert.equal(dead[1].headers['fs-error-code'], 'FS_SERDE');
  assert.equal(dead[1].headers['fs-source-offset'], '1');
  assert.equal(d.metrics.snapshot().deadLetters, 2);
  d.close();
});

test('processing errors: fail throws FS_PROCESSING; continue dead-letters the source record', () => {
  const failing = new TestDriver(topology(13));
  assert.throws(() => failing.inputTopic('in', S, P).pipe('k', { card: 'c', amount: 13 }), {
    code: 'FS_PROCESSING',
  });
  failing.close();

  const decisions: string[] = [];
  const d = new TestDriver(topology(13), {
    processingErrorHandler: (ctx: ErrorContext) => {
      decisions.push(`${ctx.kind}:${(ctx.error as Error).message}`);
      return 'continue';
    },
  });
  const input = d.inputTopic('in', S, P);
  input.pipe('k', { card: 'c', amount: 13 });
  input.pipe('k', { card: 'c', amount: 14 });
  assert.deepEqual(decisions, ['processing:cannot score amount 13']);
  assert.deepEqual(d.outputTopic('out', S, P).readValues(), [{ card: 'c', amount: 14 }]);
  const [dead] = d.outputTopic('test-app-dlq', S, P).readAll();
  assert.deepEqual(dead.value, { card: 'c', amount: 13 });
  assert.equal(dead.headers['fs-error-kind'], 'processing');
  assert.match(dead.headers['fs-error-message'], /cannot score amount 13/);
  d.close();
});

test('production (serialization at a sink) errors go to the production handler', () => {
  const failing = new TestDriver(topology(undefined, true));
  assert.throws(() => failing.inputTopic('in', S, P).pipe('k', { card: 'c', amount: 1 }), {
    code: 'FS_SERDE',
  });
  failing.close();
  const d = new TestDriver(topology(undefined, true), { productionErrorHandler: 'continue' });
  d.inputTopic('in', S, P).pipe('k', { card: 'c', amount: 1 });
  const [dead] = d.outputTopic('test-app-dlq', S, P).readAll();
  assert.equal(dead.headers['fs-error-kind'], 'production');
  assert.equal(d.outputTopic('out', S, P).readAll().length, 0);
  d.close();
});
