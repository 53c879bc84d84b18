import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { JoinWindows, Serdes } from '../../../src/engine/index.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';

const S = Serdes.string();
const J = Serdes.json<unknown>();

describe('stream–table joins', () => {
  function setup(kind: 'inner' | 'left') {
    const b = new StreamBuilder();
    const cards = b.table('cards', { key: S, value: S });
    const payments = b.stream('payments', { key: S, value: Serdes.number() });
    const joiner = (amount: number, owner: string | null) => `${amount}:${owner}`;
    (kind === 'inner' ? payments.join(cards, joiner) : payments.leftJoin(cards, joiner)).to('out', {
      key: S,
      value: S,
    });
    const d = new TestDriver(b.build());
    return {
      d,
      cards: d.inputTopic('cards', S, S),
      payments: d.inputTopic('payments', S, Serdes.number()),
      out: d.outputTopic('out', S, S),
    };
  }

  test('inner: only records whose key is in the table; table updates emit nothing', () => {
    const { d, cards, payments, out } = setup('inner');
    payments.pipe('c1', 5);
    cards.pipe('c1', 'alice');
    assert.deepEqual(out.readKeyValues(), []);
    payments.pipe('c1', 7);
    cards.pipe('c1', 'bob');
    payments.pipe('c1', 9);
    cards.pipe('c1', null as unknown as string);
    payments.pipe('c1', 11);
    assert.deepEqual(out.readKeyValues(), [
      ['c1', '7:alice'],
      ['c1', '9:bob'],
    ]);
    d.close();
  });

  test('left: a missing table value joins as null', () => {
    const { d, cards, payments, out } = setup('left');
    payments.pipe('c1', 5);
    cards.pipe('c1', 'alice');
    payments.pipe('c1', 7);
    assert.deepEqual(out.readKeyValues(), [
      ['c1', '5:null'],
      ['c1', '7:alice'],
    ]);
    d.close();
  });
});

describe('stream–stream windowed joins', () => {
  function setup(kind: 'inner' | 'left' | 'outer', windows = JoinWindows.of(10)) {
    const b = new StreamBuilder();
    const left = b.stream('left', { key: S, value: S });
    const right = b.stream('right', { key: S, value: S });
    const joiner = (l: string | null, r: string | null) => `${l}+${r}`;
    const joined =
      kind === 'inner'
        ? left.joinStream(right, joiner, windows)
        : kind === 'left'
          ? left.leftJoinStream(right, joiner, windows)
          : left.outerJoinStream(right, joiner, windows);
    joined.to('out', { key: S, value: S });
    const d = new TestDriver(b.build(), { applicationId: 'ssj' });
    const out = d.outputTopic('out', S, S);
    return {
      d,
      left: d.inputTopic('left', S, S),
      right: d.inputTopic('right', S, S),
      read: () => out.readAll().map((r) => [r.value, r.timestamp]),
    };
  }

  test('inner: records within ±window join in both directions, with the later timestamp', () => {
    const { d, left, right, read } = setup('inner');
    left.pipe('k', 'L1', 100);
    right.pipe('k', 'R1', 110); // |110-100| <= 10
    right.pipe('k', 'R2', 111); // 11 apart: no
    left.pipe('k', 'L2', 105); // joins R1 (5), R2 (6)
    right.pipe('x', 'R3', 105); // other key
    assert.deepEqual(read(), [
      ['L1+R1', 110],
      ['L2+R1', 110],
      ['L2+R2', 111],
    ]);
    d.close();
  });

  test('asymmetric windows: before/after are from the left record’s point of view', () => {
    const { d, left, right, read } = setup('inner', JoinWindows.of(0).before(5).after(0));
    left.pipe('k', 'L', 100);
    right.pipe('k', 'R-5', 95); // before 5: yes
    right.pipe('k', 'R+1', 101); // after 0: no
    assert.deepEqual(read(), [['L+R-5', 100]]);
    d.close();
  });

  test('left: unmatched left records emit (left, null) once the window expires; matched ones do not', () => {
    const { d, left, right, read } = setup('left');
    left.pipe('k', 'L1', 100);
    left.pipe('k', 'L1b', 120);
    assert.deepEqual(read(), [], 'L1 may still match until 100 + 10 + 10 + 1');
    left.pipe('k', 'L2', 200); // stream time 200: L1, L1b expired unmatched
    assert.deepEqual(read(), [
      ['L1+null', 100],
      ['L1b+null', 120],
    ]);
    right.pipe('k', 'R2', 205);
    assert.deepEqual(read(), [['L2+R2', 205]]);
    right.pipe('z', 'tick', 300); // L2 expires, but it matched: nothing
    assert.deepEqual(read(), []);
    d.close();
  });

  test('outer: unmatched records of both sides emit with a null partner', () => {
    const { d, left, right, read } = setup('outer');
    left.pipe('k', 'L1', 100);
    right.pipe('q', 'R1', 150);
    left.pipe('k', 'L2', 152);
    right.pipe('k', 'R2', 160); // joins L2
    left.pipe('z', 'tick', 400);
    assert.deepEqual(read(), [
      ['L1+null', 100],
      ['L2+R2', 160],
      ['null+R1', 150],
    ]);
    d.close();
  });

  test('records older than the watermark minus grace are late', () => {
    const { d, left, right, read } = setup('inner', JoinWindows.of(10).grace(5));
    left.pipe('k', 'L1', 100);
    right.pipe('k', 'R-ok', 90); // right's own window reaches 90 + 10 (before): 90 + 10 + 1 + 5 > 100
    right.pipe('k', 'R-late', 84); // 84 + 10 + 1 + 5 = 100 <= 100: late
    assert.deepEqual(read(), [['L1+R-ok', 100]]);
    assert.equal(d.outputTopic('ssj-late-records', S, S).readAll().length, 1);
    d.close();
  });
});

describe('table–table joins', () => {
  function setup(kind: 'inner' | 'left' | 'outer') {
    const b = new StreamBuilder();
    const a = b.table('a', { key: S, value: S });
    const c = b.table('c', { key: S, value: S });
    const joiner = (l: string | null, r: string | null) => `${l}|${r}`;
    const t =
      kind === 'inner'
        ? a.join(c, joiner, { as: 'joined' })
        : kind === 'left'
          ? a.leftJoin(c, joiner, { as: 'joined' })
          : a.outerJoin(c, joiner, { as: 'joined' });
    t.toStream().to('out', { key: S, value: S });
    const d = new TestDriver(b.build());
    return { d, a: d.inputTopic('a', S, S), c: d.inputTopic('c', S, S), out: d.outputTopic('out', S, S) };
  }

  test('inner: both sides present; a delete on either side deletes the result', () => {
    const { d, a, c, out } = setup('inner');
    a.pipe('k', 'a1');
    c.pipe('k', 'c1');
    a.pipe('k', 'a2');
    c.pipe('k', null as unknown as string);
    assert.deepEqual(out.readKeyValues(), [
      ['k', 'a1|c1'],
      ['k', 'a2|c1'],
      ['k', null],
    ]);
    assert.equal(d.keyValueStore('joined').get('k'), undefined);
    d.close();
  });

  test('left: the left side alone produces a result with null', () => {
    const { d, a, c, out } = setup('left');
    a.pipe('k', 'a1');
    c.pipe('k', 'c1');
    c.pipe('j', 'c-only');
    assert.deepEqual(out.readKeyValues(), [
      ['k', 'a1|null'],
      ['k', 'a1|c1'],
    ]);
    d.close();
  });

  test('outer: either side alone produces a result', () => {
    const { d, a, c, out } = setup('outer');
    c.pipe('j', 'c-only');
    a.pipe('k', 'a1');
    c.pipe('k', 'c1');
    assert.deepEqual(out.readKeyValues(), [
      ['j', 'null|c-only'],
      ['k', 'a1|null'],
      ['k', 'a1|c1'],
    ]);
    assert.equal(d.keyValueStore('joined').get('j'), 'null|c-only');
    d.close();
  });
});

describe('co-partitioning', () => {
  test('joined topics with different partition counts fail at build time naming both', () => {
    const b = new StreamBuilder();
    const cards = b.table('cards', { key: S, value: J });
    b.stream('payments', { key: S, value: J })
      .join(cards, (p, c) => ({ p, c }))
      .to('out');
    assert.throws(
      () => b.build({ partitions: { payments: 3, cards: 4 } }),
      (err: Error & { code?: string }) =>
        err.code === 'FS_COPARTITION' &&
        err.message.includes('"payments" (3 partitions)') &&
        err.message.includes('"cards" (4 partitions)'),
    );
    assert.doesNotThrow(() => b.build({ partitions: { payments: 4, cards: 4 } }));
  });

  test('the TestDriver checks co-partitioning too; a re-keyed join side gets a repartition topic of the right size', () => {
    const plain = new StreamBuilder();
    const plainCards = plain.table('cards', { key: S, value: J });
    plain
      .stream('payments', { key: S, value: J })
      .leftJoin(plainCards, (p, c) => ({ p, c }))
      .to('out');
    assert.throws(() => new TestDriver(plain.build(), { partitions: { payments: 2, cards: 5 } }).close(), {
      code: 'FS_COPARTITION',
    });
    const b = new StreamBuilder();
    const cards = b.table('cards', { key: S, value: J });
    b.stream('payments', { key: S, value: J })
      .selectKey((_k, v) => String((v as { card: string }).card))
      .join(cards, (p, c) => ({ p, c }))
      .to('out');
    const topology = b.build();
    new TestDriver(topology, { partitions: { payments: 2, cards: 5 } }).close();
    const counts = topology.resolvePartitions((t) => ({ payments: 2, cards: 5 })[t]);
    assert.deepEqual(
      [...counts].filter(([t]) => t.endsWith('-repartition')).map(([, n]) => n),
      [5],
    );
  });
});
