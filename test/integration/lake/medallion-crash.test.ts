/**
 * Exactly-once medallion under SIGKILL (issue 7 acceptance): a child process runs the medallion on
 * the embedded log and is killed at random points, 10 rounds, each round after a new slice of input
 * was appended (every third round also rewinds the lake writers' offsets, as a kill between a Delta
 * commit and its offset commit would); a last child catches up, appends the closing records and stops cleanly. Then:
 *  - bronze holds each (topic, partition, offset) of every input topic exactly once, with its bytes;
 *  - silver holds each valid transaction id exactly once; fraud_detection each scored event once;
 *  - gold holds each (window, merchant, payment method, country) once and equals a recomputation
 *    from the silver table (minus the records gold reported late).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GOLD_GRACE_MS, GOLD_WINDOW_MS } from '../../../src/apps/lake/gold.ts';
import { MEDALLION_TOPICS as T } from '../../../src/apps/lake/tables.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import type { ProducerRecord } from '../../../src/log/types.ts';
import { type InputRecord, medallionInput, T0 } from '../../apps/lake/fixtures.ts';
import { readLakeTable } from '../../apps/lake/lake-tables.ts';
import { goldCells, recomputeGold, sorted } from './gold-check.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'medallion-child.ts');
const ORDERS = 1500;
const ROUNDS = 10;

function runChild(args: string[], killAfterMs?: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (killAfterMs !== undefined && timer === undefined && stdout.includes('started')) {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' || code === 0) resolve({ code, stdout });
      else reject(new Error(`child exited with ${code} ${signal}: ${stderr}`));
    });
  });
}

/** CDC envelopes and scored events (what the CDC source and the fraud app would have written). */
function sideInputs(n: number): InputRecord[] {
  const out: InputRecord[] = [];
  for (let i = 0; i < n; i++) {
    const row = { id: i, amount: i * 1.25, status: i % 3 === 0 ? 'pending' : 'approved' };
    out.push({
      topic: T.cdcTransactions,
      key: JSON.stringify({ id: i }),
      value: {
        before: null,
        after: row,
        source: { lsn: `0/${(0x16b3748 + i).toString(16)}` },
        op: 'c',
        ts_ms: T0 + i,
      },
      timestamp: T0 + i,
    });
    out.push({
      topic: T.scored,
      key: `C${i % 7}`,
      value: {
        event_id: `O${i}`,
        risk_level: i % 4 === 0 ? 'HIGH' : 'LOW',
        risk_score: i % 100,
        reasons: [`r${i % 5}`],
        event_time: T0 + i * 1000,
      },
      timestamp: T0 + i * 1000,
    });
  }
  return out;
}

/**
 * The widest crash window of a lake writer is between its Delta commit and its offset commit; a kill
 * rarely lands exactly there, so some rounds force that case: every lake writer's committed offsets go
 * back to half, and the next child re-reads records its tables already hold.
 */
async function rewindLakeWriters(log: EmbeddedLog): Promise<void> {
  for (const table of ['bronze', 'silver', 'gold', 'fraud_detection']) {
    const group = `fraudstream-lake-lake-${table}`;
    const committed = await log.admin().committedOffsets(group);
    await log.admin().setCommittedOffsets(
      group,
      committed.map((o) => ({ ...o, offset: Math.floor(o.offset / 2) })),
    );
  }
}

function toProducerRecord(r: InputRecord): ProducerRecord {
  return {
    topic: r.topic,
    key: Buffer.from(r.key),
    value: Buffer.from(JSON.stringify(r.value)),
    timestamp: r.timestamp,
  };
}

test('medallion SIGKILLed 10 times: bronze has each position once, gold equals a recomputation from silver', {
  timeout: 240_000,
}, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-medallion-crash-'));
  const [logDir, stateDir, lakeDir] = ['log', 'state', 'lake'].map((d) => path.join(dir, d));
  const { records, closers } = medallionInput(ORDERS);
  const all = [...records, ...sideInputs(200)].sort((a, b) => a.timestamp - b.timestamp);
  try {
    let seed = 3;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const chunk = Math.ceil(all.length / ROUNDS);
    let killedBehind = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const log = await EmbeddedLog.open({ dir: logDir });
      if (round === 0) {
        for (const name of [T.orders, T.transactions, T.cdcTransactions, T.scored])
          await log.admin().createTopic({ name, partitions: 3 });
      }
      if (round % 3 === 2) await rewindLakeWriters(log);
      const producer = await log.producer();
      await producer.send(all.slice(round * chunk, (round + 1) * chunk).map(toProducerRecord));
      await producer.close();
      await log.close();
      await runChild([logDir, stateDir, lakeDir, 'run'], 150 + Math.floor(random() * 1200));
      const landed = (await readLakeTable(lakeDir, 'bronze')).rows.length;
      if (landed < Math.min(all.length, (round + 1) * chunk)) killedBehind++;
    }
    assert.ok(killedBehind >= 3, `at least 3 kills must interrupt unfinished work (got ${killedBehind})`);
    const closersFile = path.join(dir, 'closers.json');
    fs.writeFileSync(closersFile, JSON.stringify(closers));
    await runChild([logDir, stateDir, lakeDir, 'finish', closersFile]);

    // bronze: every position of every input topic exactly once, with the bytes that were sent
    const bronze = (await readLakeTable(lakeDir, 'bronze')).rows;
    const sent = [...all, ...closers].filter((r) => r.topic !== T.scored);
    assert.equal(bronze.length, sent.length, 'bronze row count');
    const positions = new Set(bronze.map((r) => `${r.topic}/${r.partition}/${r.offset}`));
    assert.equal(positions.size, bronze.length, 'no (topic, partition, offset) twice');
    const check = await EmbeddedLog.open({ dir: logDir });
    try {
      for (const topic of [T.orders, T.cdcTransactions]) {
        for (const p of await check.admin().listOffsets(topic))
          for (let o = p.earliest; o < p.latest; o++)
            assert.ok(
              positions.has(`${topic}/${p.partition}/${o}`),
              `bronze lacks ${topic}/${p.partition}/${o}`,
            );
      }
      const values = (rows: Array<{ topic: string; value: unknown }>) =>
        rows
          .map((r) => `${r.topic}|${typeof r.value === 'string' ? r.value : JSON.stringify(r.value)}`)
          .sort();
      assert.deepEqual(values(bronze as never), values(sent));
      assert.ok(bronze.filter((r) => r.cdc_op === 'c').length === 200, 'every CDC envelope flattened');

      // silver: each valid order id once; fraud_detection: each scored event once
      const silver = (await readLakeTable(lakeDir, 'silver')).rows;
      const ids = silver.map((r) => r.transaction_id as string);
      assert.equal(new Set(ids).size, ids.length, 'no transaction id twice in silver');
      assert.equal(ids.length, ORDERS + closers.length);
      const fraud = (await readLakeTable(lakeDir, 'fraudDetection')).rows;
      assert.equal(new Set(fraud.map((r) => r.event_id)).size, 200);
      assert.equal(fraud.length, 200);

      // gold: once per window and key, equal to a recomputation from silver
      const late = new Set<string>();
      const consumer = await check.consumer({
        groupId: 'check-late',
        topics: [T.goldLate],
        startFrom: 'earliest',
      });
      for (let empty = 0; empty < 3; ) {
        const batch = await consumer.poll(50);
        if (batch.length === 0) empty++;
        for (const r of batch) late.add(JSON.parse(String(r.value)).transaction_id);
      }
      await consumer.close();
      assert.ok(late.size <= silver.length * 0.05, `${late.size} silver rows were late for gold`);
      const closingFrom = closers[0].timestamp - (closers[0].timestamp % GOLD_WINDOW_MS);
      const expected = recomputeGold(silver, late, closingFrom);
      const gold = (await readLakeTable(lakeDir, 'gold')).rows;
      for (const g of gold) {
        const start = (g.window_start as Date).getTime();
        assert.equal((g.window_end as Date).getTime() - start, GOLD_WINDOW_MS);
        assert.ok(start + GOLD_WINDOW_MS + GOLD_GRACE_MS <= closers[closers.length - 1].timestamp);
        const count = g.tx_count as number;
        assert.ok(Math.abs((g.avg_amount as number) - (g.revenue as number) / count) < 1e-9);
        assert.equal(g.fraud_rate, (g.fraud_count as number) / count);
      }
      t.diagnostic(
        `kills behind: ${killedBehind}/${ROUNDS}, late for gold: ${late.size}, gold windows: ${expected.size}`,
      );
      assert.ok(expected.size > 50, `enough gold windows to mean something (${expected.size})`);
      // goldCells throws on a (window, key) written twice
      assert.deepEqual(sorted(goldCells(gold)), sorted(expected));
    } finally {
      await check.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
