/**
 * A StreamsApp with LMDB state, SIGKILLed at random moments while it counts payments per card: after
 * each restart it resumes from its local LMDB checkpoint plus the changelog tail. In the end the store
 * holds the exact count per card, and the committed output has, per card, exactly the values 1..n in
 * order (every increment emitted once: nothing lost, nothing twice).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Serdes } from '../../../src/engine/index.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import { seededRandom } from '../fixtures/reference-windows.ts';

const APP_ID = 'lmdb-crash-app';
const INPUT = 'lmdb-crash-payments';
const OUTPUT = 'lmdb-crash-counts';
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lmdb-app-child.ts');
const ROUNDS = 8;
const PER_ROUND = 1_500;
const CARDS = 100;

/** Runs the child; kills it `killAfterMs` after it started (or lets it exit when undefined). */
async function runChild(args: string[], killAfterMs?: number): Promise<void> {
  const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  if (killAfterMs === undefined) {
    assert.equal(await exited, 0, 'child finished');
    return;
  }
  await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  proc.kill('SIGKILL');
  await exited;
}

test('StreamsApp on LMDB: SIGKILLs while counting leave exact counts and exactly-once output', {
  timeout: 300_000,
}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-lmdb-app-'));
  const logDir = path.join(dir, 'log');
  const stateDir = path.join(dir, 'state');
  const random = seededRandom(5);
  const expected = new Map<string, number>();
  let killedWhileBusy = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const log = await EmbeddedLog.open({ dir: logDir });
      if (round === 0) await log.admin().createTopic({ name: INPUT, partitions: 1 });
      const producer = await log.producer();
      const batch = Array.from({ length: PER_ROUND }, () => {
        const card = `card-${Math.floor(random() * CARDS)}`;
        expected.set(card, (expected.get(card) ?? 0) + 1);
        return { topic: INPUT, key: Buffer.from(card), value: Buffer.from('payment') };
      });
      await producer.send(batch);
      await producer.close();
      await log.close();
      await runChild([logDir, stateDir, 'run'], Math.floor(random() * 200));
      const check = await EmbeddedLog.open({ dir: logDir });
      const [committed] = await check.admin().committedOffsets(APP_ID, [INPUT]);
      if ((committed?.offset ?? 0) < (round + 1) * PER_ROUND) killedWhileBusy++;
      await check.close();
    }
    assert.ok(
      killedWhileBusy >= 3,
      `at least 3 of ${ROUNDS} kills interrupt unfinished work (got ${killedWhileBusy})`,
    );
    const dumpFile = path.join(dir, 'dump.json');
    await runChild([logDir, stateDir, 'finish', dumpFile]);

    const stored = new Map<string, number>(JSON.parse(fs.readFileSync(dumpFile, 'utf8')));
    assert.deepEqual(new Map([...stored].sort()), new Map([...expected].sort()), 'store counts');

    const log = await EmbeddedLog.open({ dir: logDir });
    try {
      const consumer = await log.consumer({
        groupId: 'check',
        topics: [OUTPUT],
        startFrom: 'earliest',
        isolation: 'read_committed',
      });
      const seen = new Map<string, number[]>();
      for (let empty = 0; empty < 5; ) {
        const records = await consumer.poll(100);
        if (records.length === 0) empty++;
        for (const r of records) {
          const card = Serdes.string().deserialize(r.key);
          const list = seen.get(card) ?? [];
          list.push(Serdes.number().deserialize(r.value));
          seen.set(card, list);
        }
      }
      await consumer.close();
      for (const [card, n] of expected) {
        assert.deepEqual(
          seen.get(card),
          Array.from({ length: n }, (_, i) => i + 1),
          `output of ${card}`,
        );
      }
    } finally {
      await log.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
