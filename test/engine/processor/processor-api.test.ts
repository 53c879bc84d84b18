import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import {
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  Serdes,
  type StreamRecord,
} from '../../../src/engine/index.ts';
import { Stores } from '../../../src/engine/state/stores.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';

const S = Serdes.string();
const N = Serdes.number();

/** Forwards a card's first payment only; purges remembered cards on stream time; reports on wall clock. */
class FirstPaymentPerCard implements Processor<string, number, string, number> {
  private ctx!: ProcessorContext<string, number>;
  private seen!: KeyValueStore<string, number>;
  readonly streamTicks: number[] = [];
  readonly wallTicks: number[] = [];

  init(ctx: ProcessorContext<string, number>): void {
    this.ctx = ctx;
    this.seen = ctx.getStore('seen-cards');
    ctx.schedule(100, 'stream-time', (t) => {
      this.streamTicks.push(t);
      for (const { key, value } of [...this.seen.all()]) if (value < t - 100) this.seen.delete(key);
    });
    ctx.schedule(1000, 'wall-clock-time', (t) => {
      this.wallTicks.push(t);
      this.ctx.forward(
        { key: 'report', value: this.seen.approximateNumEntries(), timestamp: t, headers: {} },
        undefined,
      );
    });
  }

  process(r: StreamRecord<string, number>): void {
    if (this.seen.get(r.key) !== undefined) return;
    this.seen.put(r.key, r.timestamp);
    this.ctx.forward({
      ...r,
      headers: { ...r.headers, partition: String(this.ctx.recordMetadata?.partition) },
    });
  }
}

test('a user processor with a store and punctuators mixes with DSL operators', () => {
  const b = new StreamBuilder();
  b.addStore(Stores.keyValue('seen-cards', S, N));
  let instance: FirstPaymentPerCard | undefined;
  b.stream('payments', { key: S, value: N })
    .filter((_k, v) => v > 0)
    .process(() => (instance = new FirstPaymentPerCard()), { stores: ['seen-cards'] })
    .mapValues((v) => v * 1)
    .to('first', { key: S, value: N });
  const d = new TestDriver(b.build(), { startTimeMs: 5000 });
  const input = d.inputTopic('payments', S, N);
  const first = d.outputTopic('first', S, N);
  input.pipe('c1', 1, 0);
  input.pipe('c1', 2, 50);
  input.pipe('c2', 3, 60);
  input.pipe('c2', -1, 70); // filtered before the processor
  assert.deepEqual(first.readKeyValues(), [
    ['c1', 1],
    ['c2', 3],
  ]);
  input.pipe('c3', 4, 250); // stream time 250: punctuator purges c1 (0 < 150) and c2 (60 < 150)
  assert.deepEqual(instance!.streamTicks, [0, 250]);
  assert.equal(d.keyValueStore('seen-cards').get('c1'), undefined);
  input.pipe('c1', 5, 260);
  assert.deepEqual(first.readKeyValues(), [
    ['c3', 4],
    ['c1', 5],
  ]);
  d.advanceWallClockTime(999);
  assert.deepEqual(instance!.wallTicks, []);
  d.advanceWallClockTime(1);
  assert.deepEqual(instance!.wallTicks, [6000]);
  d.advanceWallClockTime(2500); // 8500: one catch-up call, next at 9000
  assert.deepEqual(instance!.wallTicks, [6000, 8500]);
  const reports = first.readAll();
  assert.deepEqual(
    reports.map((r) => [r.key, r.value, r.timestamp]),
    [
      ['report', 2, 6000],
      ['report', 2, 8500],
    ],
  );
  d.close();
});

test('getStore of a store not connected to the processor fails with FS_STATE_STORE', () => {
  const b = new StreamBuilder();
  b.addStore(Stores.keyValue('other', S, N));
  b.stream('in', { key: S, value: N }).process(() => ({
    init(ctx) {
      ctx.getStore('other');
    },
    process() {},
  }));
  assert.throws(() => new TestDriver(b.build()), { code: 'FS_STATE_STORE' });
});

test('connecting an undeclared store is a topology error', () => {
  const b = new StreamBuilder();
  assert.throws(() => b.stream('in').process(() => ({ process() {} }), { stores: ['nope'] }), {
    code: 'FS_TOPOLOGY_INVALID',
  });
});
