/**
 * Crash test: a child appending transactional batches is SIGKILLed at random moments, 20 rounds.
 * After each round: every acknowledged transaction is readable exactly once and complete, no
 * record of an unfinished transaction is visible under read_committed, and appends continue.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLog, readAll, tempDir } from './embedded/helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const appender = path.join(here, 'fixtures', 'txn-appender.ts');
const ROUNDS = 20;

interface Ack {
  round: number;
  k: number;
  n: number;
}

function runAndKill(dir: string, round: number, fsync: string, killAfterMs: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [appender, dir, String(round), fsync], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Kill at a random moment after the first acknowledgement (the child is mid-stream).
      if (killTimer === undefined && out.includes('ack '))
        killTimer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child exited ${code} ${signal}: ${err}`));
      // Only complete lines count: a line cut by the kill was never acknowledged.
      const lines = out.split('\n').slice(0, -1);
      resolve(
        lines
          .filter((l) => l.startsWith('ack '))
          .map((l) => {
            const [, r, k, n] = l.split(' ').map(Number);
            return { round: r, k, n };
          }),
      );
    });
  });
}

test('SIGKILL at random moments: acknowledged transactions survive exactly once, nothing partial is visible', async () => {
  const dir = tempDir('fs-crash-');
  const acked: Ack[] = [];
  let seed = 12345;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let round = 0; round < ROUNDS; round++) {
    const fsync = round % 3 === 0 ? 'per_commit' : 'never';
    acked.push(...(await runAndKill(dir, round, fsync, Math.floor(random() * 120))));
    const roundAcks = acked.filter((a) => a.round === round).length;
    assert.ok(roundAcks > 0, `round ${round}: the child made progress after the previous crash`);

    const log = await openLog(dir);
    const events = await readAll(log, 'events');
    const mirror = await readAll(log, 'mirror');
    const seen = new Map<string, Set<number>>();
    const sizes = new Map<string, number>();
    for (const r of events) {
      const v = JSON.parse(String(r.value)) as { round: number; k: number; i: number; n: number };
      const id = `${v.round}-${v.k}`;
      const set = seen.get(id) ?? new Set<number>();
      assert.ok(!set.has(v.i), `round ${round}: record ${id}#${v.i} visible twice`);
      set.add(v.i);
      seen.set(id, set);
      sizes.set(id, v.n);
    }
    const mirrored = new Set(
      mirror.map((r) => {
        const v = JSON.parse(String(r.value)) as { round: number; k: number };
        return `${v.round}-${v.k}`;
      }),
    );
    assert.equal(mirrored.size, mirror.length, `round ${round}: mirror record visible twice`);
    for (const [id, set] of seen) {
      assert.equal(set.size, sizes.get(id), `round ${round}: transaction ${id} is partially visible`);
      assert.ok(mirrored.has(id), `round ${round}: transaction ${id} visible in events but not in mirror`);
    }
    for (const id of mirrored) assert.ok(seen.has(id), `round ${round}: transaction ${id} in mirror only`);
    for (const a of acked) {
      assert.equal(
        seen.get(`${a.round}-${a.k}`)?.size,
        a.n,
        `round ${round}: acknowledged ${a.round}-${a.k} lost`,
      );
    }
    // Offsets added to each transaction committed with it: the group offset matches the last visible txn.
    const lastOfRound = mirror.filter((r) => JSON.parse(String(r.value)).round === round).length;
    const [committed] = await log.admin().committedOffsets('crash-test');
    assert.equal(
      committed?.offset,
      lastOfRound,
      `round ${round}: committed offset follows the visible transactions`,
    );
    await log.close();
  }
});
