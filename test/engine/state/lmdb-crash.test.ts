import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LmdbStoreBackend } from '../../../src/engine/state/internals/lmdb-backend.ts';
import { seededRandom } from '../fixtures/reference-windows.ts';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lmdb-crash-child.ts');
const root = mkdtempSync(path.join(os.tmpdir(), 'fs-lmdb-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ROWS = 300;
const ROUNDS = 12;

/** Runs the child until it has acknowledged at least one commit, then SIGKILLs it after a random delay. */
async function runAndKill(dir: string, delayMs: number): Promise<number> {
  const proc: ChildProcess = spawn(process.execPath, [child, dir, String(ROWS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let lastAcknowledged = 0;
  let buffered = '';
  let firstAck: () => void = () => {};
  const acknowledged = new Promise<void>((resolve) => {
    firstAck = resolve;
  });
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('committed ')) {
        lastAcknowledged = Number(line.slice('committed '.length));
        firstAck();
      }
    }
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  await acknowledged;
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  proc.kill('SIGKILL');
  await exited;
  return lastAcknowledged;
}

test('SIGKILL at random moments never leaves a half-applied commit or loses an acknowledged one', async () => {
  const dir = path.join(root, 'store');
  const random = seededRandom(11);
  let previousCheckpoint = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const acknowledged = await runAndKill(dir, Math.floor(random() * 150));
    const store = LmdbStoreBackend.open({ dir, storeName: 'crash', taskId: '0_0' });
    try {
      const checkpoint = store.readCheckpoint();
      assert.ok(checkpoint !== null, `round ${round}: a checkpoint exists`);
      // The last acknowledged commit survived; at most the one in flight at the kill is also there.
      assert.ok(
        checkpoint >= acknowledged && checkpoint <= acknowledged + 1,
        `round ${round}: checkpoint ${checkpoint}, acknowledged ${acknowledged}`,
      );
      assert.ok(checkpoint > previousCheckpoint, `round ${round}: progress after restart`);
      previousCheckpoint = checkpoint;
      const batches = new Set<number>();
      let markers = 0;
      for (const [key, value] of store.range()) {
        const name = key.toString();
        if (name.startsWith('row-')) batches.add(value.readUInt32BE(0));
        else if (name.startsWith('marker-')) {
          markers++;
          assert.equal(name, `marker-${checkpoint}`, `round ${round}: marker of the checkpointed batch`);
        } else assert.fail(`round ${round}: uncommitted key ${name} is visible`);
      }
      assert.deepEqual(
        [...batches],
        [checkpoint],
        `round ${round}: every row is from the checkpointed batch`,
      );
      assert.equal(markers, 1);
      assert.equal(store.approximateNumEntries(), ROWS + 1);
    } finally {
      store.close();
    }
  }
});
