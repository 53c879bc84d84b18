import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { StreamBuilder } from '../../../src/engine/dsl/stream-builder.ts';
import {
  type ReadOnlyKeyValueStore,
  type ReadOnlyWindowStore,
  Serdes,
  TimeWindows,
} from '../../../src/engine/index.ts';
import { StreamsApp } from '../../../src/engine/runtime/app.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import type { LogRecord } from '../../../src/log/types.ts';
import { readUntil } from './fixtures/read-until.ts';

const S = Serdes.string();
const N = Serdes.number();

function topology() {
  const b = new StreamBuilder();
  const byMerchant = b
    .stream('orders', { key: S, value: S })
    .groupBy((_customer, merchant) => merchant, { key: S, name: 'by-merchant' });
  byMerchant.count({ as: 'orders-per-merchant' }).toStream().to('merchant-counts', { key: S, value: N });
  byMerchant.windowedBy(TimeWindows.ofSize(1000)).count({ as: 'orders-per-merchant-1s' });
  return b.build();
}

test('a second instance takes over partitions: revoked tasks commit and close, assigned tasks restore; counts stay exact', {
  timeout: 120_000,
}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-rebalance-'));
  const log = await EmbeddedLog.open({ dir: path.join(dir, 'log') });
  try {
    await log.admin().createTopic({ name: 'orders', partitions: 4 });
    const producer = await log.producer();
    const send = (from: number, n: number) =>
      producer.send(
        Array.from({ length: n }, (_, i) => ({
          topic: 'orders',
          key: S.serialize(`cust${(from + i) % 13}`),
          value: S.serialize(`m${(from + i) % 8}`),
          timestamp: 5000 + from + i,
        })),
      );
    await send(0, 200);
    const a = new StreamsApp(topology(), {
      applicationId: 'orders-app',
      log,
      instanceId: 'a',
      stateDir: path.join(dir, 'a'),
    });
    await a.start();
    await readUntil(log, 'merchant-counts', (rs) => rs.length >= 200);
    assert.ok(a.taskIds().length >= 2, `instance a runs every task alone: ${a.taskIds()}`);

    const b = new StreamsApp(topology(), {
      applicationId: 'orders-app',
      log,
      instanceId: 'b',
      stateDir: path.join(dir, 'b'),
    });
    await b.start();
    await send(200, 200);
    const out: LogRecord[] = await readUntil(log, 'merchant-counts', (rs) => rs.length >= 400);
    const deadline = Date.now() + 20_000;
    while ((a.taskIds().length === 0 || b.taskIds().length === 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      b.taskIds().length > 0 && a.taskIds().length > 0,
      `tasks split: a=${a.taskIds()} b=${b.taskIds()}`,
    );
    assert.equal(out.length, 400, 'every order counted once across the rebalance');
    const last = new Map<string, number>();
    for (const r of out) last.set(S.deserialize(r.key), N.deserialize(r.value));
    for (let m = 0; m < 8; m++) assert.equal(last.get(`m${m}`), 50, `merchant m${m}`);

    // Interactive queries: each instance answers for its own partitions; together they cover every key.
    const views = [a, b].map((app) =>
      app.store<ReadOnlyKeyValueStore<string, number>>('orders-per-merchant'),
    );
    for (let m = 0; m < 8; m++) {
      const found = views.map((v) => v.get(`m${m}`)).filter((v) => v !== undefined);
      assert.deepEqual(found, [50], `m${m} answered by exactly one instance`);
    }
    const windows = [a, b].flatMap((app) => [
      ...app.store<ReadOnlyWindowStore<string, number>>('orders-per-merchant-1s').fetchRange('m0', 0, 10_000),
    ]);
    assert.equal(
      windows.reduce((n, w) => n + w.value, 0),
      50,
    );
    await b.close();
    await a.close();
    await producer.close();
  } finally {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
