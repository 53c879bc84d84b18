/**
 * Tests that start a PRIVATE Kafka broker (to restart it) take this machine-wide lock first, so
 * two of them never run at once: three JVMs plus workers on a 2-core CI machine starve each
 * other's transaction coordinators and turn a 20 s test into a time-out.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK = path.join(os.tmpdir(), 'fraudstream-private-broker.lock');

function ownerAlive(): boolean {
  try {
    const pid = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with a release function once this process holds the lock. */
export async function acquirePrivateBrokerLock(maxWaitMs = 20 * 60_000): Promise<() => void> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed test process is taken over (after a grace period for the pid file).
      await sleep(500);
      if (!ownerAlive()) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited ${maxWaitMs} ms for ${LOCK}`);
    }
  }
}
