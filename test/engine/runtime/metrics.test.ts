import assert from 'node:assert/strict';
import { test } from 'node:test';
import { register } from 'prom-client';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { Serdes, TimeWindows } from '../../../src/engine/index.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';

const S = Serdes.string();
const N = Serdes.number();

test('engine metrics live in the app registry (not the global one), named fraudstream_engine_*', async () => {
  const b = new StreamBuilder();
  b.stream('in', { key: S, value: N })
    .filter((_k, v) => v >= 0, 'non-negative')
    .groupByKey()
    .windowedBy(TimeWindows.ofSize(10))
    .count({ as: 'counts' });
  const d = new TestDriver(b.build(), { deserializationErrorHandler: 'continue', startTimeMs: 1000 });
  const input = d.inputTopic('in', S, N);
  input.pipe('a', 1, 50);
  input.pipe('a', -1, 51);
  input.pipe('a', 1, 5); // late: window [0,10) closed at watermark 51
  input.pipeRaw(Buffer.from('a'), Buffer.from([1]), 52); // 1 byte is not a number: dead letter
  const text = await d.metrics.registry.metrics();
  assert.match(text, /fraudstream_engine_records_in_total\{node="non-negative"\} 3/);
  assert.match(text, /fraudstream_engine_records_out_total\{node="non-negative"\} 2/);
  assert.match(text, /fraudstream_engine_late_records_total\{node="KSTREAM-WINDOW-AGGREGATE-\d+"\} 1/);
  assert.match(text, /fraudstream_engine_dead_letters_total\{kind="deserialization"\} 1/);
  assert.match(text, /fraudstream_engine_store_entries\{store="counts"\} 1/);
  assert.match(text, /fraudstream_engine_stream_time_seconds\{task="0_0"\} 0\.051/);
  assert.match(text, /fraudstream_engine_watermark_lag_seconds\{task="0_0"\} 0\.949/);
  // counters report deltas: a second scrape keeps the same totals
  assert.match(
    await d.metrics.registry.metrics(),
    /fraudstream_engine_records_in_total\{node="non-negative"\} 3/,
  );
  assert.doesNotMatch(await register.metrics(), /fraudstream_engine_/);
  d.close();
});
