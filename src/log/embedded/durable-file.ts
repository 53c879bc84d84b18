/**
 * Small files of the embedded log that must survive a power failure whole: written to a temporary
 * file, synced, renamed over the old one, and the directory synced, so that after a crash the file
 * holds either its old contents or its new ones, never an empty or torn one.
 *
 * @example
 *   writeFileDurably(path.join(dir, 'log-start'), String(offset));
 */
import fs from 'node:fs';
import path from 'node:path';

export function writeFileDurably(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

/** fsync of a directory: makes the files created, renamed or deleted in it durable. */
export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
