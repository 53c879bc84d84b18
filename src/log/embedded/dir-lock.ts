/**
 * Exclusive ownership of a log directory: `<dir>/LOCK` holds the owner's pid. A lock whose
 * process is gone (e.g. SIGKILLed) is stale and taken over; a live owner yields FS_LOG_LOCKED.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FraudstreamError } from '../../errors.ts';

/** Directories held by this process (a second open in-process is refused the same way). */
const heldHere = new Set<string>();

export class DirLock {
  readonly file: string;
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
    this.file = path.join(dir, 'LOCK');
  }

  static acquire(dir: string): DirLock {
    const resolved = path.resolve(dir);
    const lock = new DirLock(resolved);
    if (heldHere.has(resolved)) throw lockedError(resolved, process.pid);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(lock.file, `${process.pid}\n`, { flag: 'wx' });
        heldHere.add(resolved);
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = Number.parseInt(readOrEmpty(lock.file), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner))
        throw lockedError(resolved, owner);
      // Stale: the owner died without unlocking. Remove it and race for a fresh create.
      fs.rmSync(lock.file, { force: true });
    }
    throw lockedError(resolved, Number.NaN);
  }

  release(): void {
    if (readOrEmpty(this.file).trim() === String(process.pid)) fs.rmSync(this.file, { force: true });
    heldHere.delete(this.#dir);
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(dir: string, pid: number): FraudstreamError {
  return new FraudstreamError(
    'FS_LOG_LOCKED',
    `log directory ${dir} is in use by process ${Number.isNaN(pid) ? '(unknown)' : pid}; ` +
      'stop that process or use another directory',
    { details: { dir, pid } },
  );
}
