/**
 * Issue 6 acceptance: `POST /predict/raw` returns the same risk level, score, decision and reasons as
 * the in-stream path for the same event and state. A real FraudApp on a real embedded log: state is
 * built by a few thousand generator records, then for each further order the what-if score is taken
 * first (state before the event) and compared with the record the stream writes to `fraud.scored`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FraudApp } from '../../../src/apps/fraud/app/fraud-app.ts';
import { FRAUD_TOPICS } from '../../../src/apps/fraud/topics.ts';
import { loadConfig } from '../../../src/config.ts';
import { EmbeddedLog } from '../../../src/log/embedded/index.ts';
import type { Consumer, Producer, ProducerRecord } from '../../../src/log/index.ts';
import { silentLogger } from '../../../src/logger.ts';
import { fraudServerDeps } from '../../../src/server/fraud-deps.ts';
import { buildServer } from '../../../src/server/index.ts';
import { SyntheticGenerator } from '../../../src/sources/generator/index.ts';
import { sparkovCsv } from '../../apps/fraud/model/sparkov-fixture.ts';
import { REPO, tempDirs, until } from './app-process.ts';

const TOPIC_OF: Record<string, string> = {
  order: FRAUD_TOPICS.orders,
  customer: FRAUD_TOPICS.customers,
  merchant: FRAUD_TOPICS.merchants,
};
const WARMUP_RECORDS = 2500;
const COMPARED_ORDERS = 25;

const dirs = tempDirs('parity');
let log: EmbeddedLog;
let app: FraudApp;
let producer: Producer;
let scoredReader: Consumer;
const scored = new Map<string, Record<string, unknown>>();
const tail: Array<Record<string, unknown> & { order_id: string }> = [];

function toRecord(r: { kind: string; key: string; value: unknown; timestamp: number }): ProducerRecord {
  return {
    topic: TOPIC_OF[r.kind] as string,
    key: Buffer.from(r.key),
    value: Buffer.from(JSON.stringify(r.value)),
    timestamp: r.timestamp,
  };
}

async function readScored(id: string): Promise<Record<string, unknown>> {
  return until(
    async () => {
      for (const r of await scoredReader.poll(100)) {
        const v = JSON.parse(r.value?.toString() ?? 'null') as Record<string, unknown>;
        scored.set(v.event_id as string, v);
      }
      return scored.get(id);
    },
    20_000,
    `fraud.scored record of ${id}`,
  );
}

before(async () => {
  log = await EmbeddedLog.open({ dir: dirs.log, fsync: 'never' });
  const config = loadConfig({
    env: {},
    overrides: {
      engine: { applicationId: 'parity', stateDir: dirs.state, stateBackend: 'memory' },
    },
  });
  app = await FraudApp.create({ config, log, logger: silentLogger, generate: false });
  await app.start();
  producer = await log.producer();
  // Fraud-heavy, few customers: velocity, amount and merchant-rate features all have history.
  const generator = new SyntheticGenerator({
    seed: 2026,
    fraudRate: 0.2,
    // A fixed start: the stream (and the hours/weekdays the rules see) is the same on every run.
    startTime: Date.UTC(2026, 9, 1, 12),
    meanGapMs: 60_000,
    kinds: ['customer', 'merchant', 'order'],
    customers: 60,
    merchants: 15,
    count: WARMUP_RECORDS + 2000,
  });
  const warmup: ProducerRecord[] = [];
  let warmupOrders = 0;
  for (const r of generator) {
    if (warmup.length < WARMUP_RECORDS) {
      warmup.push(toRecord(r));
      if (r.kind === 'order') warmupOrders++;
    } else if (r.kind === 'order' && tail.length < COMPARED_ORDERS) {
      tail.push(r.value as Record<string, unknown> & { order_id: string });
    }
  }
  await producer.send(warmup);
  await until(
    async () => (app.stats.snapshot().events >= warmupOrders ? true : undefined),
    60_000,
    'warm-up',
  );
  scoredReader = await log.consumer({
    groupId: 'parity-reader',
    topics: [FRAUD_TOPICS.scored],
    isolation: 'read_committed',
    startFrom: 'latest',
  });
  await scoredReader.poll(10);
});

after(async () => {
  await scoredReader?.close();
  await producer?.close();
  await app?.stop();
  await log?.close();
  dirs.cleanup();
});

test('predict() equals the in-stream score for the same event and state', { timeout: 120_000 }, async () => {
  assert.equal(tail.length, COMPARED_ORDERS);
  const levels = new Set<string>();
  for (const order of tail) {
    const predicted = await app.predict(order);
    await producer.send([
      toRecord({
        kind: 'order',
        key: order.customer_id as string,
        value: order,
        timestamp: order.timestamp as number,
      }),
    ]);
    const streamed = await readScored(order.order_id);
    const pick = (s: Record<string, unknown>) => ({
      event_id: s.event_id,
      risk_level: s.risk_level,
      risk_score: s.risk_score,
      severity: s.severity,
      decision: s.decision,
      reasons: s.reasons,
      model_score: s.model_score,
    });
    assert.deepEqual(pick(predicted), pick(streamed), `order ${order.order_id}`);
    levels.add(String(streamed.risk_level));
  }
  // The comparison is only meaningful if the orders exercised more than one outcome.
  assert.ok(levels.size >= 2, `levels seen: ${[...levels].join(',')}`);
});

test('POST /predict/raw through the server returns the same as predict()', { timeout: 30_000 }, async () => {
  const server = buildServer(fraudServerDeps(app, { token: '' }));
  try {
    const order = { ...tail[0], order_id: 'whatif-1' };
    const res = await server.inject({ method: 'POST', url: '/predict/raw', payload: order });
    assert.equal(res.statusCode, 200, res.body);
    const direct = await app.predict(order);
    const viaHttp = res.json() as Record<string, unknown>;
    assert.equal(viaHttp.risk_level, direct.risk_level);
    assert.equal(viaHttp.risk_score, direct.risk_score);
    assert.deepEqual(viaHttp.reasons, direct.reasons);
  } finally {
    await server.close();
  }
});

describe('with a GBDT model, on card transactions (model score parity)', () => {
  const d = tempDirs('parity-model');
  let mlog: EmbeddedLog;
  let mapp: FraudApp;
  let mproducer: Producer;
  let reader: Consumer;
  const seen = new Map<string, Record<string, unknown>>();
  let compared: Record<string, unknown>[] = [];

  before(async () => {
    // A small labelled Sparkov-format history: train a model on it with the CLI, serve it in-stream.
    const csvPath = path.join(d.root, 'history.csv');
    const csv = sparkovCsv(3000, 5);
    writeFileSync(csvPath, csv);
    const modelPath = path.join(d.root, 'model.json');
    const train = spawnSync(
      process.execPath,
      [path.join(REPO, 'bin', 'fraudstream.js'), 'train', '--csv', csvPath, '--out', modelPath],
      { encoding: 'utf8', cwd: REPO },
    );
    assert.equal(train.status, 0, train.stderr);
    mlog = await EmbeddedLog.open({ dir: d.log, fsync: 'never' });
    const config = loadConfig({
      env: {},
      overrides: {
        engine: { applicationId: 'parity-model', stateDir: d.state, stateBackend: 'memory' },
        fraud: { modelPath },
      },
    });
    mapp = await FraudApp.create({ config, log: mlog, logger: silentLogger, generate: false });
    await mapp.start();
    mproducer = await mlog.producer();
    const rows = parseCsv(csv);
    const warm = rows.slice(0, rows.length - COMPARED_ORDERS);
    compared = rows.slice(rows.length - COMPARED_ORDERS);
    await mproducer.send(warm.map(txRecord));
    await until(
      async () => (mapp.stats.snapshot().events >= warm.length ? true : undefined),
      60_000,
      'warm-up',
    );
    reader = await mlog.consumer({
      groupId: 'parity-model-reader',
      topics: [FRAUD_TOPICS.scored],
      isolation: 'read_committed',
      startFrom: 'latest',
    });
    await reader.poll(10);
  });

  after(async () => {
    await reader?.close();
    await mproducer?.close();
    await mapp?.stop();
    await mlog?.close();
    d.cleanup();
  });

  test('predict() model score, level and reasons equal the in-stream record', {
    timeout: 120_000,
  }, async () => {
    const scores = new Set<number>();
    for (const tx of compared) {
      const predicted = await mapp.predict(tx);
      await mproducer.send([txRecord(tx)]);
      const id = String(tx.trans_num);
      const streamed = await until(
        async () => {
          for (const r of await reader.poll(100)) {
            const v = JSON.parse(r.value?.toString() ?? 'null') as Record<string, unknown>;
            seen.set(String(v.event_id), v);
          }
          return seen.get(id);
        },
        20_000,
        `fraud.scored record of ${id}`,
      );
      assert.equal(typeof streamed.model_score, 'number', 'the stream scored with the model');
      assert.deepEqual(
        {
          model_score: predicted.model_score,
          model_version: predicted.model_version,
          risk_level: predicted.risk_level,
          risk_score: predicted.risk_score,
          decision: predicted.decision,
          reasons: predicted.reasons,
        },
        {
          model_score: streamed.model_score,
          model_version: streamed.model_version,
          risk_level: streamed.risk_level,
          risk_score: streamed.risk_score,
          decision: streamed.decision,
          reasons: streamed.reasons,
        },
        `transaction ${id}`,
      );
      scores.add(streamed.model_score as number);
    }
    assert.ok(scores.size >= 2, 'the compared transactions got different model scores');
  });
});

const NUMERIC = new Set([
  'amt',
  'zip',
  'lat',
  'long',
  'city_pop',
  'unix_time',
  'merch_lat',
  'merch_long',
  'is_fraud',
]);

/** Sparkov CSV → CardTransaction objects (the fixture quotes only fields with commas). */
function parseCsv(csv: string): Record<string, unknown>[] {
  const [head, ...lines] = csv.trim().split('\n');
  const names = (head ?? '').split(',');
  return lines.map((line) => {
    const cells = [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].map((m) => m[2] ?? m[1] ?? '');
    const row: Record<string, unknown> = {};
    names.forEach((n, i) => {
      const cell = cells[i] ?? '';
      row[n] = NUMERIC.has(n) ? Number(cell) : cell;
    });
    return row;
  });
}

function txRecord(tx: Record<string, unknown>): ProducerRecord {
  return {
    topic: FRAUD_TOPICS.transactions,
    key: Buffer.from(String(tx.cc_num)),
    value: Buffer.from(JSON.stringify(tx)),
    timestamp: Date.parse(`${String(tx.trans_date_trans_time).replace(' ', 'T')}Z`),
  };
}
