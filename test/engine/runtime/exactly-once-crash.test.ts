/**
 * Exactly-once under SIGKILL (issue 3 acceptance): a child process runs a stateful topology (re-key,
 * windowed aggregate, stream–table join) on the embedded log and is killed at random points, 20
 * rounds; a last child finishes the input. The committed output (read_committed) must equal a
 * crash-free reference run exactly — nothing lost, nothing twice — and the state restored by the last
 * child must equal the reference stores.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Windowed } from '../../../src/engine/index.ts';
import { TestDriver } from '../../../src/engine/testing/test-driver.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import {
  APP_ID,
  buildTopology,
  ENRICHED,
  generatePayments,
  INPUT,
  N,
  P,
  PARTITIONS,
  S,
  TOTALS,
  WS,
} from './fixtures/eos-topology.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'eos-child.ts');
const RECORDS = 3000;
const ROUNDS = 20;

function runChild(args: string[], killAfterMs?: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    // Kill relative to the app having started, so that kills land in processing and commits.
    child.stdout.on('data', (d) => {
      if (killAfterMs !== undefined && timer === undefined && String(d).includes('started')) {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' || code === 0) resolve(code);
      else reject(new Error(`child exited with ${code} ${signal}: ${stderr}`));
    });
  });
}

/** Committed records in the enriched output (end offsets minus nothing: read_committed count). */
async function committedOutputs(log: EmbeddedLog): Promise<number> {
  if (!(await log.admin().listTopics()).includes(ENRICHED)) return 0;
  const consumer = await log.consumer({
    groupId: `count-${Math.random()}`,
    topics: [ENRICHED],
    startFrom: 'earliest',
    isolation: 'read_committed',
  });
  let n = 0;
  for (let empty = 0; empty < 2; ) {
    const batch = await consumer.poll(20);
    if (batch.length === 0) empty++;
    n += batch.length;
  }
  await consumer.close();
  return n;
}

function reference(payments: ReturnType<typeof generatePayments>) {
  const driver = new TestDriver(buildTopology(), {
    applicationId: APP_ID,
    partitions: { [INPUT]: PARTITIONS },
  });
  driver.inputTopic(INPUT, S, P).pipeAll(payments);
  const enriched = driver
    .outputTopic(ENRICHED, S, S)
    .readAll()
    .map((r) => `${r.key}|${r.value}`);
  const totals = driver
    .outputTopic(TOTALS, WS, N)
    .readAll()
    .map((r) => `${r.key.key}@${r.key.window.start}|${r.value}`);
  const counts: Array<[string, number]> = [];
  const sums: Array<[string, number]> = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (const e of driver.keyValueStore<string, number>('card-count', p).all())
      counts.push([e.key, e.value]);
    for (const e of driver.windowStore<string, number>('card-10s-sum', p).all())
      sums.push([`${e.key.key}@${e.key.window.start}`, e.value]);
  }
  driver.close();
  return { enriched: enriched.sort(), totals: totals.sort(), counts: counts.sort(), sums: sums.sort() };
}

test('committed output and restored state equal a crash-free run after 20 SIGKILLs', {
  timeout: 180_000,
}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-eos-'));
  const logDir = path.join(dir, 'log');
  const stateDir = path.join(dir, 'state');
  const payments = generatePayments(RECORDS);
  try {
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const chunk = Math.ceil(RECORDS / ROUNDS);
    let killedWhileBusy = 0;
    // Kills land at a random time within a window that follows the machine's speed: it halves
    // after a kill that came when the slice was already committed and widens after one that
    // interrupted work, so the kills keep hitting processing and commits on fast and slow machines.
    let killWindowMs = 400;
    for (let round = 0; round < ROUNDS; round++) {
      // Between rounds (no child owns the log) append the next slice of input, so every round has work.
      const log = await EmbeddedLog.open({ dir: logDir });
      if (round === 0) await log.admin().createTopic({ name: INPUT, partitions: PARTITIONS });
      const producer = await log.producer();
      const slice = payments.slice(round * chunk, (round + 1) * chunk);
      await producer.send(
        slice.map((p) => ({
          topic: INPUT,
          key: S.serialize(p.key),
          value: P.serialize(p.value),
          timestamp: p.value.ts,
        })),
      );
      await producer.close();
      const before = await committedOutputs(log);
      await log.close();
      await runChild([logDir, stateDir, 'run'], Math.floor(random() * killWindowMs));
      const check = await EmbeddedLog.open({ dir: logDir });
      const afterKill = await committedOutputs(check);
      await check.close();
      const busy = afterKill < before + slice.length;
      if (busy) killedWhileBusy++;
      killWindowMs = busy ? Math.min(800, killWindowMs * 1.5) : Math.max(10, killWindowMs / 2);
    }
    console.log(`kills that interrupted unfinished work: ${killedWhileBusy} of ${ROUNDS}`);
    assert.ok(
      killedWhileBusy >= 5,
      `at least 5 of ${ROUNDS} kills must interrupt unfinished work (got ${killedWhileBusy})`,
    );
    const dumpFile = path.join(dir, 'dump.json');
    await runChild([logDir, stateDir, 'finish', dumpFile, String(RECORDS)]);

    const expected = reference(payments);
    const check = await EmbeddedLog.open({ dir: logDir });
    try {
      const read = async (topic: string) => {
        const consumer = await check.consumer({
          groupId: `check-${topic}`,
          topics: [topic],
          startFrom: 'earliest',
          isolation: 'read_committed',
        });
        const records = [];
        for (let empty = 0; empty < 5; ) {
          const batch = await consumer.poll(100);
          if (batch.length === 0) empty++;
          records.push(...batch);
        }
        await consumer.close();
        return records;
      };
      const enriched = (await read(ENRICHED))
        .map((r) => `${S.deserialize(r.key)}|${S.deserialize(r.value)}`)
        .sort();
      const totals = (await read(TOTALS))
        .map((r) => {
          const k: Windowed<string> = WS.deserialize(r.key);
          return `${k.key}@${k.window.start}|${N.deserialize(r.value)}`;
        })
        .sort();
      assert.equal(enriched.length, RECORDS, 'one enriched record per payment, none lost or duplicated');
      assert.deepEqual(enriched, expected.enriched);
      assert.equal(totals.length, RECORDS);
      assert.deepEqual(totals, expected.totals);
      const dump = JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as {
        counts: Array<[string, number]>;
        sums: Array<[string, number]>;
      };
      assert.deepEqual(dump.counts.sort(), expected.counts);
      assert.deepEqual(dump.sums.sort(), expected.sums);
    } finally {
      await check.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
