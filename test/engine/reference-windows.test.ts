/**
 * Reference test (issue 3 acceptance): 100k records with shuffled timestamps over 5,000 keys (mildly
 * skewed) go through hopping (5 min / 1 min), sliding (2 min) and session (3 min gap) windowed counts in
 * `final` emit mode, all in one topology; what the engine emits, and what its hopping store holds, must
 * equal a brute-force computation of the Kafka Streams definitions
 * (test/engine/fixtures/reference-windows.ts, which shares no code with the engine).
 *
 * The arrival order is event order perturbed by up to 30 s and every grace period is 60 s, so no
 * record is late: the late-records topic must stay empty and every window is emitted exactly once. A
 * last record of another key, far in the future, advances stream time past every window's close.
 *
 * A second case delays 1% of the records by up to 10 minutes: the counts must leave out exactly the
 * windows each late record was late for, and exactly the late records must reach the late-records
 * topics (matched by a per-record value).
 *
 * The 100k case takes about a minute on a loaded 2-core machine: the TestDriver's throughput on
 * window aggregates is the limit (see docs/state-backends.md, Benchmark).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  minutes,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamBuilder,
  seconds,
  TestDriver,
  TimeWindows,
  type Windowed,
} from '../../src/engine/index.ts';
import {
  describeDifferences,
  generateShuffledRecords,
  hoppingCounts,
  hoppingCountsWithLateness,
  maxLateness,
  type ReferenceRecord,
  sessionCounts,
  sessionCountsWithLateness,
  slidingCounts,
  type WindowCounts,
  windowId,
} from './fixtures/reference-windows.ts';

const RECORDS = 100_000;
const KEYS = 5_000;
/** mild skew: the hottest key gets ~0.35% of the records (~350 an hour) */
const KEY_SKEW = 1.5;
/** the late-records case is smaller: it only adds lateness accounting to the same code paths */
const LATE_CASE_RECORDS = 20_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const SPAN = minutes(60);
const DISORDER = seconds(30);
const GRACE = seconds(60);
const HOP_SIZE = minutes(5);
const HOP_ADVANCE = minutes(1);
const SLIDING_DIFFERENCE = minutes(2);
const SESSION_GAP = minutes(3);
const FLUSH_KEY = '~flush';
const LATE_TOPIC = 'reference-late-records';

const records = generateShuffledRecords({
  count: RECORDS,
  keys: KEYS,
  keySkew: KEY_SKEW,
  startTime: START,
  spanMs: SPAN,
  maxDisorderMs: DISORDER,
  seed: 20260101,
});

function buildTopology() {
  const builder = new StreamBuilder();
  const grouped = builder.stream('events', { key: Serdes.string(), value: Serdes.string() }).groupByKey();
  const windowedKey = { key: Serdes.windowed(Serdes.string()), value: Serdes.number() };
  grouped
    .windowedBy(TimeWindows.ofSize(HOP_SIZE).advanceBy(HOP_ADVANCE).grace(GRACE))
    .count({ as: 'hopping-counts', emit: 'final', lateRecordsTopic: LATE_TOPIC })
    .toStream()
    .to('hopping-out', windowedKey);
  grouped
    .windowedBy(SlidingWindows.ofTimeDifference(SLIDING_DIFFERENCE).grace(GRACE))
    .count({ as: 'sliding-counts', emit: 'final', lateRecordsTopic: LATE_TOPIC })
    .toStream()
    .to('sliding-out', windowedKey);
  grouped
    .windowedBy(SessionWindows.withGap(SESSION_GAP).grace(GRACE))
    .count({ as: 'session-counts', emit: 'final', lateRecordsTopic: LATE_TOPIC })
    .toStream()
    .to('session-out', windowedKey);
  return builder.build();
}

/** Emitted final results as window counts; fails on a window emitted twice (final means once). */
function collect(rows: Array<[Windowed<string>, number | null]>, what: string): WindowCounts {
  const counts: WindowCounts = new Map();
  for (const [windowed, count] of rows) {
    if (windowed.key === FLUSH_KEY) continue;
    const id = windowId(windowed.key, windowed.window.start, windowed.window.end);
    assert.ok(!counts.has(id), `${what}: window ${id} emitted more than once in final mode`);
    assert.ok(count !== null, `${what}: window ${id} emitted a tombstone in final mode`);
    counts.set(id, count);
  }
  return counts;
}

function assertSameCounts(expected: WindowCounts, actual: WindowCounts, what: string): void {
  const differences = describeDifferences(expected, actual);
  assert.equal(
    differences.length,
    0,
    `${what} differs from the brute force (${expected.size} windows expected, ${actual.size} emitted):\n${differences.join('\n')}`,
  );
}

describe('the brute force matches hand-worked Kafka Streams examples', () => {
  const at = (key: string, ...times: number[]): ReferenceRecord[] =>
    times.map((timestamp) => ({ key, timestamp }));
  test('hopping: every aligned window containing t, none starting before 0', () => {
    assert.deepEqual(
      [...hoppingCounts([...at('a', 12), ...at('b', 3)], 10, 5)],
      [
        ['a|10|20', 1],
        ['a|5|15', 1],
        ['b|0|10', 1],
      ],
    );
  });
  test('sliding: left window per record, right window only when not empty, both ends inclusive', () => {
    assert.deepEqual(
      new Map(slidingCounts(at('a', 110, 115), 10)),
      new Map([
        ['a|100|110', 1],
        ['a|105|115', 2],
        ['a|111|121', 1],
      ]),
    );
    // a record exactly at the right window's end makes the right window equal its left window
    assert.deepEqual(
      new Map(slidingCounts(at('a', 110, 121), 10)),
      new Map([
        ['a|100|110', 1],
        ['a|111|121', 1],
      ]),
    );
  });
  test('session: records at most the gap apart merge, end = last record time', () => {
    assert.deepEqual(
      new Map(sessionCounts(at('a', 121, 100, 110), 10)),
      new Map([
        ['a|100|110', 2],
        ['a|121|121', 1],
      ]),
    );
  });
  test('lateness: hopping windows drop per window, sessions stay open for gap + grace', () => {
    const hop = hoppingCountsWithLateness([...at('a', 100), ...at('a', 112)], 10, 5, 0);
    assert.deepEqual([...hop.late], []);
    const hopLate = hoppingCountsWithLateness([...at('a', 112), ...at('a', 104)], 10, 5, 0);
    // stream time 112: [95,105) is closed, [100,110) (end 110 <= 112) is closed too
    assert.deepEqual([...hopLate.late], [1]);
    assert.equal(hopLate.counts.get('a|100|110'), undefined);
    const session = sessionCountsWithLateness(
      [...at('a', 0, 50_000), ...at('b', 52_000), ...at('a', 100_000)],
      60_000,
      0,
    );
    assert.deepEqual([...session.late], []);
    assert.equal(session.counts.get('a|0|100000'), 3);
    const sessionLate = sessionCountsWithLateness([...at('b', 200_000), ...at('a', 100_000)], 60_000, 0);
    assert.deepEqual([...sessionLate.late], [1]);
    // Kafka's wart, reproduced on purpose: a closed (already emitted) session can still be extended by a
    // record that is behind by more than grace but less than gap + grace; both versions get emitted.
    const reopened = sessionCountsWithLateness(
      [...at('a', 0), ...at('b', 61_001), ...at('a', 60_000)],
      60_000,
      0,
    );
    assert.deepEqual([...reopened.late], []);
    assert.deepEqual(
      new Map(reopened.emitted),
      new Map([
        ['a|0|0', 1],
        ['a|0|60000', 2],
        ['b|61001|61001', 1],
      ]),
    );
  });
});

describe('windowed counts equal a brute-force computation of their definition (100k shuffled records)', () => {
  test('the input is shuffled, but never beyond the grace period', () => {
    const lateness = maxLateness(records);
    assert.ok(lateness > seconds(20) && lateness <= DISORDER && DISORDER < GRACE, `max lateness ${lateness}`);
    assert.ok(new Set(records.map((r) => r.key)).size > KEYS / 2);
  });

  test('hopping, sliding and session counts (final emit mode; emitted results and stores)', () => {
    const driver = new TestDriver(buildTopology(), { applicationId: 'reference' });
    try {
      const input = driver.inputTopic('events', Serdes.string(), Serdes.string());
      const chunk = 1000;
      for (let i = 0; i < records.length; i += chunk) {
        input.pipeAll(
          records
            .slice(i, i + chunk)
            .map((r: ReferenceRecord) => ({ key: r.key, value: 'x', timestamp: r.timestamp })),
        );
      }
      input.pipe(FLUSH_KEY, 'x', START + SPAN + DISORDER + minutes(30));

      const outputs = {
        hopping: driver
          .outputTopic('hopping-out', Serdes.windowed(Serdes.string()), Serdes.number())
          .readKeyValues(),
        sliding: driver
          .outputTopic('sliding-out', Serdes.windowed(Serdes.string()), Serdes.number())
          .readKeyValues(),
        session: driver
          .outputTopic('session-out', Serdes.windowed(Serdes.string()), Serdes.number())
          .readKeyValues(),
      };
      assert.equal(
        driver.outputTopic(LATE_TOPIC, Serdes.bytes(), Serdes.bytes()).readAll().length,
        0,
        'no record was beyond grace',
      );

      const hopping = hoppingCounts(records, HOP_SIZE, HOP_ADVANCE);
      assertSameCounts(hopping, collect(outputs.hopping, 'hopping'), 'hopping (emitted)');
      assertSameCounts(
        slidingCounts(records, SLIDING_DIFFERENCE),
        collect(outputs.sliding, 'sliding'),
        'sliding (emitted)',
      );
      assertSameCounts(
        sessionCounts(records, SESSION_GAP),
        collect(outputs.session, 'session'),
        'session (emitted)',
      );

      // The window store behind the hopping count holds the same windows (retention is >= 1 day).
      const stored: WindowCounts = new Map();
      for (const { key, value } of driver.windowStore<string, number>('hopping-counts').all()) {
        if (key.key !== FLUSH_KEY) stored.set(windowId(key.key, key.window.start, key.window.end), value);
      }
      assertSameCounts(hopping, stored, 'hopping (store)');
    } finally {
      driver.close();
    }
  });

  test('with 1% of records delayed up to 10 min: late windows are excluded exactly, every late record reaches its late-records topic', () => {
    const withLates = generateShuffledRecords({
      count: LATE_CASE_RECORDS,
      keys: KEYS / 2,
      keySkew: KEY_SKEW,
      startTime: START,
      spanMs: SPAN,
      maxDisorderMs: DISORDER,
      seed: 7,
      lateFraction: 0.01,
      lateDelayMs: minutes(10),
    });
    const builder = new StreamBuilder();
    const grouped = builder.stream('events', { key: Serdes.string(), value: Serdes.string() }).groupByKey();
    const windowedKey = { key: Serdes.windowed(Serdes.string()), value: Serdes.number() };
    grouped
      .windowedBy(TimeWindows.ofSize(HOP_SIZE).advanceBy(HOP_ADVANCE).grace(GRACE))
      .count({ as: 'hopping-counts', emit: 'final', lateRecordsTopic: 'late-hopping' })
      .toStream()
      .to('hopping-out', windowedKey);
    grouped
      .windowedBy(SessionWindows.withGap(SESSION_GAP).grace(GRACE))
      .count({ as: 'session-counts', emit: 'final', lateRecordsTopic: 'late-session' })
      .toStream()
      .to('session-out', windowedKey);
    const driver = new TestDriver(builder.build(), { applicationId: 'reference-late' });
    try {
      const input = driver.inputTopic('events', Serdes.string(), Serdes.string());
      // The value is the arrival index, so the late-records topics can be matched record by record.
      for (let i = 0; i < withLates.length; i += 1000) {
        input.pipeAll(
          withLates
            .slice(i, i + 1000)
            .map((r, j) => ({ key: r.key, value: String(i + j), timestamp: r.timestamp })),
        );
      }
      input.pipe(FLUSH_KEY, 'flush', START + SPAN + minutes(60));

      const hopping = hoppingCountsWithLateness(withLates, HOP_SIZE, HOP_ADVANCE, GRACE);
      const session = sessionCountsWithLateness(withLates, SESSION_GAP, GRACE);
      assert.ok(
        hopping.late.size > 50 && session.late.size > 50,
        'the input has late records for both window types',
      );
      const read = (topic: string) =>
        driver.outputTopic(topic, Serdes.windowed(Serdes.string()), Serdes.number()).readKeyValues();
      assertSameCounts(
        hopping.counts,
        collect(read('hopping-out'), 'hopping'),
        'hopping with late records (emitted)',
      );
      assertSameCounts(
        session.emitted,
        collect(read('session-out'), 'session'),
        'session with late records (emitted)',
      );
      const lateIndexes = (topic: string) =>
        new Set(
          driver
            .outputTopic(topic, Serdes.bytes(), Serdes.bytes())
            .readAll()
            .map((r) => Number(r.value.toString())),
        );
      assert.deepEqual(
        [...lateIndexes('late-hopping')].sort((a, b) => a - b),
        [...hopping.late].sort((a, b) => a - b),
        'hopping late records',
      );
      assert.deepEqual(
        [...lateIndexes('late-session')].sort((a, b) => a - b),
        [...session.late].sort((a, b) => a - b),
        'session late records',
      );
    } finally {
      driver.close();
    }
  });
});
