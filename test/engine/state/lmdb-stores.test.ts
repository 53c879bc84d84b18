/**
 * The window, session and key-value stores of real DSL processors, on the LMDB backend: windowed
 * counts through the TestDriver must equal the brute-force references (the same ones the 100k-record
 * reference test uses with the default backend), and what the stores hold must survive closing and
 * reopening the LMDB files.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  lmdbBackend,
  minutes,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamBuilder,
  seconds,
  TestDriver,
  TimeWindows,
} from '../../../src/engine/index.ts';
import { LmdbStoreBackend } from '../../../src/engine/state/internals/lmdb-backend.ts';
import {
  describeDifferences,
  generateShuffledRecords,
  hoppingCounts,
  sessionCounts,
  slidingCounts,
  type WindowCounts,
  windowId,
} from '../fixtures/reference-windows.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'fs-lmdb-stores-'));
after(() => rmSync(root, { recursive: true, force: true }));

const START = Date.parse('2026-01-01T00:00:00Z');
const records = generateShuffledRecords({
  count: 5_000,
  keys: 300,
  keySkew: 1.5,
  startTime: START,
  spanMs: minutes(30),
  maxDisorderMs: seconds(20),
  seed: 99,
});

test('hopping, sliding and session counts on LMDB stores equal the brute force; store files reopen with the same data', () => {
  const builder = new StreamBuilder();
  const events = builder.stream('events', { key: Serdes.string(), value: Serdes.string() });
  const grouped = events.groupByKey();
  const windowedKey = { key: Serdes.windowed(Serdes.string()), value: Serdes.number() };
  grouped
    .windowedBy(TimeWindows.ofSize(minutes(5)).advanceBy(minutes(1)).grace(seconds(30)))
    .count({ as: 'hopping', emit: 'final' })
    .toStream()
    .to('hopping-out', windowedKey);
  grouped
    .windowedBy(SlidingWindows.ofTimeDifference(minutes(2)).grace(seconds(30)))
    .count({ as: 'sliding', emit: 'final' })
    .toStream()
    .to('sliding-out', windowedKey);
  grouped
    .windowedBy(SessionWindows.withGap(minutes(2)).grace(seconds(30)))
    .count({ as: 'sessions', emit: 'final' })
    .toStream()
    .to('session-out', windowedKey);
  grouped.count({ as: 'totals' });
  const stateDir = path.join(root, 'state');
  const driver = new TestDriver(builder.build(), {
    applicationId: 'lmdb-stores',
    stateBackend: lmdbBackend(),
    stateDir,
  });
  const storedHopping: WindowCounts = new Map();
  const totals = new Map<string, number>();
  try {
    const input = driver.inputTopic('events', Serdes.string(), Serdes.string());
    for (let i = 0; i < records.length; i += 500)
      input.pipeAll(
        records.slice(i, i + 500).map((r) => ({ key: r.key, value: 'x', timestamp: r.timestamp })),
      );
    input.pipe('~flush', 'x', START + minutes(60));

    const read = (topic: string): WindowCounts => {
      const counts: WindowCounts = new Map();
      for (const [w, n] of driver.outputTopic(topic, windowedKey.key, windowedKey.value).readKeyValues()) {
        if (w.key !== '~flush') counts.set(windowId(w.key, w.window.start, w.window.end), n);
      }
      return counts;
    };
    const hopping = hoppingCounts(records, minutes(5), minutes(1));
    assert.deepEqual(describeDifferences(hopping, read('hopping-out')), []);
    assert.deepEqual(describeDifferences(slidingCounts(records, minutes(2)), read('sliding-out')), []);
    assert.deepEqual(describeDifferences(sessionCounts(records, minutes(2)), read('session-out')), []);

    for (const { key, value } of driver.windowStore<string, number>('hopping').all()) {
      if (key.key !== '~flush') storedHopping.set(windowId(key.key, key.window.start, key.window.end), value);
    }
    assert.deepEqual(describeDifferences(hopping, storedHopping), []);
    for (const { key, value } of driver.keyValueStore<string, number>('totals').all()) totals.set(key, value);
    assert.equal(totals.get(records[0].key), records.filter((r) => r.key === records[0].key).length);
  } finally {
    driver.close();
  }

  // The committed LMDB files hold the same entries: reopen them directly, outside the engine.
  const appDir = path.join(stateDir, 'lmdb-stores');
  const entriesIn = (store: string): number => {
    let found = -1;
    for (const task of readdirSync(appDir)) {
      const dir = path.join(appDir, task, store);
      if (!existsSync(dir)) continue;
      const backend = LmdbStoreBackend.open({ dir, storeName: store, taskId: task });
      found = backend.approximateNumEntries();
      backend.close();
    }
    return found;
  };
  // the flush key has 5 hopping windows of its own
  assert.equal(entriesIn('hopping'), storedHopping.size + 5, 'every hopping window is in the LMDB file');
  assert.equal(entriesIn('totals'), totals.size, 'every key of the count is in the LMDB file');
});
