import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import { lmdbBackend, type ReadOnlyKeyValueStore, Serdes } from '../../../src/engine/index.ts';
import { StreamsApp } from '../../../src/engine/runtime/app.ts';
import { isFraudstreamError } from '../../../src/errors.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import type { LogRecord } from '../../../src/log/types.ts';
import { readUntil } from './fixtures/read-until.ts';

const S = Serdes.string();
const N = Serdes.number();
const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-app-'));
  dirs.push(d);
  return d;
}

/** Records i = 0..count-1 for the `payments` topic: value i, key `c<key(i)>`. */
function payments(count: number, key: (i: number) => number = (i) => i) {
  return Array.from({ length: count }, (_, i) => ({
    topic: 'payments',
    key: Buffer.from(`c${key(i)}`),
    value: N.serialize(i),
  }));
}

function countTopology() {
  const b = new StreamBuilder();
  b.stream('payments', { key: S, value: N })
    .groupBy((_card, amount) => (amount % 2 === 0 ? 'even' : 'odd'), { key: S, name: 'by-parity' })
    .count({ as: 'parity-counts' })
    .toStream()
    .to('parity-out', { key: S, value: N });
  return b.build();
}

test('StreamsApp runs a re-keying aggregation on the embedded log, exactly once, and restores its store on restart', async () => {
  const log = await EmbeddedLog.open({ dir: tmp() });
  try {
    await log.admin().createTopic({ name: 'payments', partitions: 2 });
    const producer = await log.producer();
    await producer.send(payments(50, (i) => i % 7));
    const registry = new Registry();
    const app = new StreamsApp(countTopology(), { applicationId: 'parity', log, registry, stateDir: tmp() });
    await app.start();
    const sum = (rs: LogRecord[], key: string) => rs.filter((r) => r.key?.toString() === key).length;
    let out = await readUntil(log, 'parity-out', (rs) => rs.length >= 50);
    assert.equal(sum(out, 'even'), 25);
    assert.equal(N.deserialize(out.filter((r) => r.key?.toString() === 'odd').at(-1)!.value), 25);
    assert.ok((await log.admin().listTopics()).includes('parity-by-parity-repartition'));
    assert.ok((await log.admin().listTopics()).includes('parity-parity-counts-changelog'));
    assert.ok(app.ready());
    assert.deepEqual(app.storeNames(), ['parity-counts']);
    assert.deepEqual(
      app
        .tasksMetadata()
        .map((t) => [t.id, t.partitions.map((p) => `${p.topic}[${p.partition}]`).join(), t.stores.join()]),
      [
        ['0_0', 'payments[0]', ''],
        ['0_1', 'payments[1]', ''],
        ['1_0', 'parity-by-parity-repartition[0]', 'parity-counts'],
        ['1_1', 'parity-by-parity-repartition[1]', 'parity-counts'],
      ],
    );
    const view = app.store<ReadOnlyKeyValueStore<string, number>>('parity-counts');
    assert.equal(view.get('even'), 25);
    const metrics = await registry.metrics();
    assert.match(metrics, /fraudstream_engine_records_in_total\{node="by-parity-source"\} 50/);
    assert.match(metrics, /fraudstream_engine_store_entries\{store="parity-counts"\} 2/);
    await app.close();
    assert.equal(app.state, 'closed');

    await producer.send(
      Array.from({ length: 10 }, (_, i) => ({
        topic: 'payments',
        key: Buffer.from(`c${i}`),
        value: N.serialize(100 + i),
      })),
    );
    const again = new StreamsApp(countTopology(), { applicationId: 'parity', log, stateDir: tmp() });
    await again.start();
    out = await readUntil(log, 'parity-out', (rs) => rs.length >= 60);
    assert.equal(out.length, 60, 'nothing processed twice');
    const last = (key: string) => N.deserialize(out.filter((r) => r.key?.toString() === key).at(-1)!.value);
    assert.equal(last('even'), 30, 'state restored from the changelog, then updated');
    assert.equal(last('odd'), 30);
    await again.close();
    await producer.close();
  } finally {
    await log.close();
  }
});

test('repartition topics are purged below their committed offsets (DeleteRecords); output is unaffected', async () => {
  const log = await EmbeddedLog.open({ dir: tmp() });
  try {
    await log.admin().createTopic({ name: 'payments', partitions: 1 });
    const producer = await log.producer();
    const send = (from: number, n: number) =>
      producer.send(
        Array.from({ length: n }, (_, i) => ({
          topic: 'payments',
          key: Buffer.from('c'),
          value: N.serialize(from + i),
        })),
      );
    const app = new StreamsApp(countTopology(), {
      applicationId: 'purged',
      log,
      stateDir: tmp(),
      repartitionPurgeIntervalMs: 20,
    });
    await app.start();
    await send(0, 40);
    await readUntil(log, 'parity-out', (rs) => rs.length >= 40);
    // A later commit (after the interval) purges below what the first ones committed.
    await new Promise((r) => setTimeout(r, 50));
    await send(40, 2);
    const repartition = 'purged-by-parity-repartition';
    const deadline = Date.now() + 10_000;
    let earliest = 0;
    while (earliest < 40 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      [{ earliest }] = await log.admin().listOffsets(repartition);
    }
    const [committed] = await log.admin().committedOffsets('purged', [repartition]);
    assert.ok(earliest >= 40, `log start of ${repartition} moved to ${earliest}`);
    assert.ok(earliest <= committed.offset, `never past the committed offset ${committed.offset}`);
    const out = await readUntil(log, 'parity-out', (rs) => rs.length >= 42);
    assert.equal(out.length, 42);
    await app.close();
    await producer.close();
  } finally {
    await log.close();
  }
});

test('start fails clearly when a source topic is missing or joined topics are not co-partitioned', async () => {
  const log = await EmbeddedLog.open({ dir: tmp() });
  try {
    const app = new StreamsApp(countTopology(), { applicationId: 'missing', log });
    await assert.rejects(
      app.start(),
      (e: Error & { code?: string }) => e.code === 'FS_UNKNOWN_TOPIC' && e.message.includes('"payments"'),
    );
    await log.admin().createTopic({ name: 'a', partitions: 2 });
    await log.admin().createTopic({ name: 'b', partitions: 3 });
    const b = new StreamBuilder();
    b.stream('a', { key: S, value: S })
      .join(b.table('b', { key: S, value: S }), (x, y) => x + y)
      .to('ab');
    const joined = new StreamsApp(b.build(), { applicationId: 'copart', log });
    await assert.rejects(
      joined.start(),
      (e: Error & { code?: string }) =>
        e.code === 'FS_COPARTITION' &&
        /"a" \(2 partitions\)/.test(e.message) &&
        /"b" \(3 partitions\)/.test(e.message),
    );
  } finally {
    await log.close();
  }
});

test('with the LMDB backend a restart restores only the changelog tail; cleanUp forces a full restore', {
  timeout: 60_000,
}, async () => {
  const log = await EmbeddedLog.open({ dir: tmp() });
  const stateDir = tmp();
  try {
    await log.admin().createTopic({ name: 'payments', partitions: 2 });
    const producer = await log.producer();
    await producer.send(payments(40));
    const run = async (expected: number) => {
      const registry = new Registry();
      const app = new StreamsApp(countTopology(), {
        applicationId: 'lmdb-app',
        log,
        registry,
        stateDir,
        stateBackend: lmdbBackend(),
      });
      await app.start();
      await readUntil(log, 'parity-out', (rs) => rs.length >= expected);
      const deadline = Date.now() + 10_000;
      const view = app.store<ReadOnlyKeyValueStore<string, number>>('parity-counts');
      while (view.get('even') === undefined && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const counts = [view.get('even'), view.get('odd')];
      const text = await registry.metrics();
      const restored = Number(
        /fraudstream_engine_restore_records_total\{store="parity-counts"\} (\d+)/.exec(text)?.[1] ?? 0,
      );
      await app.close();
      return { counts, restored, app };
    };
    const first = await run(40);
    assert.deepEqual(first.counts, [20, 20]);
    assert.equal(first.restored, 0);
    assert.ok(fs.existsSync(path.join(stateDir, 'lmdb-app')));
    const second = await run(40);
    assert.deepEqual(second.counts, [20, 20], 'state read back from the LMDB files');
    assert.equal(second.restored, 0, 'checkpoint = changelog end: nothing to replay');
    second.app.cleanUp();
    assert.ok(!fs.existsSync(path.join(stateDir, 'lmdb-app')));
    const third = await run(40);
    assert.deepEqual(third.counts, [20, 20]);
    assert.ok(third.restored > 0, 'after cleanUp the store is rebuilt from its changelog');
    await producer.close();
  } finally {
    await log.close();
  }
});

test('a bad hangingTransactionMs fails at construction naming the key', () => {
  const b = new StreamBuilder();
  b.stream('in', { key: Serdes.string(), value: Serdes.string() }).to('out');
  for (const bad of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () =>
        new StreamsApp(b.build(), { applicationId: 'hang-cfg', log: {} as never, hangingTransactionMs: bad }),
      (e) => isFraudstreamError(e, 'FS_CONFIG_INVALID') && /hangingTransactionMs/.test(e.message),
    );
  }
});

test('close() called again while it runs waits for the same close: both resolve, nothing commits twice', async () => {
  // The contract FraudApp.stop() broke (POST /api/v1/streams/stop, then the CLI, each stopped the
  // app): StreamsApp.close() already kept it; this holds it there.
  const log = await EmbeddedLog.open({ dir: tmp() });
  try {
    await log.admin().createTopic({ name: 'payments', partitions: 2 });
    const producer = await log.producer();
    await producer.send(payments(20));
    const app = new StreamsApp(countTopology(), { applicationId: 'twice', log, stateDir: tmp() });
    await app.start();
    await readUntil(log, 'parity-out', (rs) => rs.length >= 20);
    await producer.send([{ topic: 'payments', key: Buffer.from('late'), value: N.serialize(1) }]);
    // the second close comes at every stage of the first: as it starts, and a few turns later
    const first = app.close();
    const again: Promise<void>[] = [app.close()];
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      again.push(app.close());
    }
    await Promise.all([first, ...again]);
    assert.equal(app.state, 'closed');
    await app.close(); // and once more after it ended
    await producer.close();
  } finally {
    await log.close();
  }
});
