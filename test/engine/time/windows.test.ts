import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import {
  type EmitMode,
  Serdes,
  SessionWindows,
  SlidingWindows,
  TimeWindows,
  type Windowed,
} from '../../../src/engine/index.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';

const S = Serdes.string();
const N = Serdes.number();
const W = Serdes.windowed(S);

type Row = [string, number, number, number | null]; // key, start, end, value

function windowed(
  spec: TimeWindows | SlidingWindows | SessionWindows,
  emit: EmitMode,
  options: { allowedLatenessMs?: number } = {},
) {
  const b = new StreamBuilder();
  const grouped = b.stream('in', { key: S, value: N }).groupByKey();
  const table =
    spec instanceof SessionWindows
      ? grouped.windowedBy(spec).count({ as: 'counts', emit })
      : grouped.windowedBy(spec as TimeWindows).count({ as: 'counts', emit });
  table.toStream().to('out', { key: W, value: N });
  const d = new TestDriver(b.build(), { applicationId: 'w', ...options });
  const input = d.inputTopic('in', S, N);
  const out = d.outputTopic('out', W, N);
  const late = d.outputTopic('w-late-records', S, N);
  const read = (): Row[] =>
    out
      .readKeyValues()
      .map(([k, v]: [Windowed<string>, number | null]) => [k.key, k.window.start, k.window.end, v]);
  return { d, pipe: (key: string, ts: number) => input.pipe(key, 1, ts), read, late };
}

describe('tumbling windows', () => {
  test('start inclusive, end exclusive', () => {
    const { d, pipe, read } = windowed(TimeWindows.ofSize(10), 'update');
    pipe('a', 0);
    pipe('a', 9);
    pipe('a', 10);
    assert.deepEqual(read(), [
      ['a', 0, 10, 1],
      ['a', 0, 10, 2],
      ['a', 10, 20, 1],
    ]);
    d.close();
  });

  test('out-of-order within grace updates the window; beyond grace goes to the late-records topic with headers', () => {
    const { d, pipe, read, late } = windowed(TimeWindows.ofSize(10).grace(5), 'update');
    pipe('a', 12); // stream time 12
    pipe('a', 3); // window [0,10) closes at 10+5=15 > 12: accepted
    pipe('a', 25); // stream time 25
    pipe('a', 4); // window [0,10) closed (15 <= 25): late
    assert.deepEqual(read(), [
      ['a', 10, 20, 1],
      ['a', 0, 10, 1],
      ['a', 20, 30, 1],
    ]);
    const [l] = late.readAll();
    assert.equal(l.key, 'a');
    assert.equal(l.timestamp, 4);
    assert.equal(l.headers['fs-late-window-start'], '0');
    assert.equal(l.headers['fs-late-window-end'], '10');
    assert.equal(l.headers['fs-late-lateness-ms'], '21');
    assert.equal(d.metrics.snapshot().late, 1);
    d.close();
  });

  test('a window closes exactly when the watermark reaches end + grace', () => {
    const { d, pipe, late } = windowed(TimeWindows.ofSize(10).grace(5), 'update');
    pipe('a', 14);
    pipe('a', 9); // close time 15 > 14: on time
    pipe('b', 15);
    pipe('a', 9); // close time 15 <= 15: late
    assert.equal(late.readAll().length, 1);
    d.close();
  });

  test('emit final: one result per window, when the watermark passes end + grace', () => {
    const { d, pipe, read } = windowed(TimeWindows.ofSize(10).grace(2), 'final');
    pipe('a', 1);
    pipe('a', 5);
    pipe('b', 8);
    pipe('a', 11);
    assert.deepEqual(read(), [], 'nothing before close');
    pipe('a', 12); // watermark 12 = 10 + 2: [0,10) closes
    assert.deepEqual(read(), [
      ['a', 0, 10, 2],
      ['b', 0, 10, 1],
    ]);
    pipe('c', 100);
    assert.deepEqual(read(), [['a', 10, 20, 2]]);
    d.close();
  });

  test('allowed lateness lowers the watermark', () => {
    const { d, pipe, late } = windowed(TimeWindows.ofSize(10), 'update', { allowedLatenessMs: 20 });
    pipe('a', 25);
    pipe('a', 5); // watermark 5: window [0,10) still open
    assert.equal(late.readAll().length, 0);
    pipe('a', 40);
    pipe('a', 5); // watermark 20 >= 10
    assert.equal(late.readAll().length, 1);
    d.close();
  });
});

describe('hopping windows', () => {
  test('a record belongs to size/advance windows, aligned to the epoch', () => {
    const { d, pipe, read } = windowed(TimeWindows.ofSize(10).advanceBy(5), 'update');
    pipe('a', 7);
    assert.deepEqual(read(), [
      ['a', 0, 10, 1],
      ['a', 5, 15, 1],
    ]);
    pipe('a', 10);
    assert.deepEqual(read(), [
      ['a', 5, 15, 2],
      ['a', 10, 20, 1],
    ]);
    d.close();
  });

  test('windowsFor() lists only windows with start <= t < end', () => {
    assert.deepEqual(TimeWindows.ofSize(30).advanceBy(10).windowsFor(25), [
      { start: 0, end: 30 },
      { start: 10, end: 40 },
      { start: 20, end: 50 },
    ]);
    assert.deepEqual(TimeWindows.ofSize(30).advanceBy(10).windowsFor(5), [{ start: 0, end: 30 }]);
    assert.throws(() => TimeWindows.ofSize(10).advanceBy(20), { code: 'FS_TOPOLOGY_INVALID' });
    assert.throws(() => TimeWindows.ofSize(0), { code: 'FS_TOPOLOGY_INVALID' });
  });
});

describe('sliding windows', () => {
  test('each record makes a window ending at it and one starting after it (both ends inclusive)', () => {
    const { d, pipe, d: driver } = windowed(SlidingWindows.ofTimeDifference(10).grace(100), 'update');
    pipe('a', 100);
    pipe('a', 105);
    pipe('a', 120);
    const store = driver.windowStore<string, number>('counts');
    const all = [...store.all()].map((e) => [e.key.window.start, e.key.window.end, e.value]);
    // left windows [90,100], [95,105], [110,120]; right windows [101,111] (contains 105), [106,116] is empty → absent
    assert.deepEqual(all, [
      [90, 100, 1],
      [95, 105, 2],
      [101, 111, 1],
      [110, 120, 1],
    ]);
    d.close();
  });

  test('an out-of-order record creates its right window from later records', () => {
    const { d, pipe } = windowed(SlidingWindows.ofTimeDifference(10).grace(100), 'update');
    pipe('a', 110);
    pipe('a', 103);
    const all = [...d.windowStore<string, number>('counts').all()].map((e) => [
      e.key.window.start,
      e.key.window.end,
      e.value,
    ]);
    assert.deepEqual(all, [
      [93, 103, 1],
      [100, 110, 2],
      [104, 114, 1],
    ]);
    d.close();
  });

  test('late when even the window [t, t + D] is closed', () => {
    const { d, pipe, late } = windowed(SlidingWindows.ofTimeDifference(10).grace(5), 'update');
    pipe('a', 100);
    pipe('a', 85); // 85 + 10 + 1 + 5 = 101 > 100: accepted
    assert.equal(late.readAll().length, 0);
    pipe('a', 84); // 100 <= 100: late
    assert.equal(late.readAll().length, 1);
    d.close();
  });

  test('emit final forwards each window once', () => {
    const { d, pipe, read } = windowed(SlidingWindows.ofTimeDifference(10), 'final');
    pipe('a', 100);
    pipe('a', 105);
    pipe('z', 1000);
    const rows = read().filter((r) => r[0] === 'a');
    assert.deepEqual(rows, [
      ['a', 90, 100, 1],
      ['a', 95, 105, 2],
      ['a', 101, 111, 1],
    ]);
    d.close();
  });
});

describe('session windows', () => {
  test('records within the gap merge; update mode forwards tombstones for merged sessions', () => {
    const { d, pipe, read } = windowed(SessionWindows.withGap(10).grace(100), 'update');
    pipe('a', 0);
    pipe('a', 30);
    pipe('a', 15); // bridges [0,0] and [30,30]? 15-0 > 10: no; 30-15 > 10: no → own session
    pipe('a', 8); // merges [0,0] and [15,15] (8-0 <= 10, 15-8 <= 10)
    assert.deepEqual(read(), [
      ['a', 0, 0, 1],
      ['a', 30, 30, 1],
      ['a', 15, 15, 1],
      ['a', 0, 0, null],
      ['a', 15, 15, null],
      ['a', 0, 15, 3],
    ]);
    const sessions = [...d.sessionStore<string, number>('counts').fetch('a')].map((s) => [
      s.key.window.start,
      s.key.window.end,
      s.value,
    ]);
    assert.deepEqual(sessions, [
      [0, 15, 3],
      [30, 30, 1],
    ]);
    d.close();
  });

  test('exactly gap apart still merges; gap + 1 does not', () => {
    const { d, pipe } = windowed(SessionWindows.withGap(10).grace(100), 'update');
    pipe('a', 0);
    pipe('a', 10);
    pipe('a', 21);
    const sessions = [...d.sessionStore<string, number>('counts').fetch('a')].map((s) => [
      s.key.window.start,
      s.key.window.end,
      s.value,
    ]);
    assert.deepEqual(sessions, [
      [0, 10, 2],
      [21, 21, 1],
    ]);
    d.close();
  });

  test('emit final once no record can extend the session; late records go to the side output', () => {
    const { d, pipe, read, late } = windowed(SessionWindows.withGap(10).grace(5), 'final');
    pipe('a', 0);
    pipe('a', 5);
    pipe('b', 20); // close of [0,5] at 5 + 10 + 1 + 5 = 21
    assert.deepEqual(read(), []);
    pipe('b', 21);
    assert.deepEqual(read(), [['a', 0, 5, 2]]);
    pipe('a', 3); // merged end 5: 5 + 1 + 5 = 11 <= 21 → late
    assert.equal(late.readAll().length, 1);
    d.close();
  });
});

describe('timestamps', () => {
  test('a field extractor sets event time; invalid times are processing errors', async () => {
    const { fieldTimestamp } = await import('../../../src/engine/index.ts');
    const b = new StreamBuilder();
    b.stream('in', {
      key: S,
      value: Serdes.json<{ at: string }>(),
      timestampExtractor: fieldTimestamp('at'),
    }).to('out');
    const d = new TestDriver(b.build(), { processingErrorHandler: 'continue' });
    const input = d.inputTopic('in', S, Serdes.json<{ at: string }>());
    input.pipe('k', { at: '2026-01-01T00:00:00Z' }, 5);
    input.pipe('k', { at: 'not a date' }, 5);
    assert.deepEqual(
      d
        .outputTopic('out', S, Serdes.json())
        .readAll()
        .map((r) => r.timestamp),
      [Date.parse('2026-01-01T00:00:00Z')],
    );
    assert.equal(d.outputTopic('test-app-dlq', S, Serdes.json()).readAll().length, 1);
    d.close();
  });
});
