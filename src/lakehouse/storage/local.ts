import { randomUUID } from 'node:crypto';
import {
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { FraudstreamError } from '../../errors.ts';
import type { ObjectInfo, ObjectStore } from './types.ts';

/**
 * Object store on local disk. `putIfAbsent` writes a temp file and hard-links it to the target:
 * `link` fails with EEXIST when the target exists, which is atomic on POSIX file systems, so at
 * most one of several racing writers (threads or processes) creates the key.
 *
 * @example
 *   const store = new LocalObjectStore('/data/lake/bronze/transactions');
 */
export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private file(key: string): string {
    if (key.includes('..'))
      throw new FraudstreamError('FS_USAGE', `object key "${key}" must not contain ".."`);
    return path.join(this.root, key);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new FraudstreamError('FS_NOT_FOUND', `object "${key}" does not exist in ${this.root}`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
    await writeFile(tmp, body);
    await rename(tmp, target);
  }

  async putIfAbsent(key: string, body: Buffer | string): Promise<boolean> {
    const target = this.file(key);
    const dir = path.dirname(target);
    await mkdir(dir, { recursive: true });
    // The temp name starts with '.' so listings and vacuum never mistake it for table content.
    const tmp = path.join(dir, `.${path.basename(target)}.${randomUUID()}.tmp`);
    await writeFile(tmp, body, { flush: true });
    try {
      await link(tmp, target);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  async putFile(key: string, localFile: string): Promise<void> {
    const target = this.file(key);
    if (path.resolve(localFile) === target) return;
    await mkdir(path.dirname(target), { recursive: true });
    // copy then rename: a reader never sees a half-copied checkpoint
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
    try {
      await copyFile(localFile, tmp);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    // Walk only the directory that contains the prefix; keys are filtered by the full prefix.
    const slash = prefix.lastIndexOf('/');
    const startDir = slash < 0 ? '' : prefix.slice(0, slash);
    await this.walk(startDir, prefix, out);
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  private async walk(dirKey: string, prefix: string, out: ObjectInfo[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(this.file(dirKey), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') && entry.name.endsWith('.tmp')) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) await this.walk(key, prefix, out);
      } else if (key.startsWith(prefix)) {
        const st = await stat(this.file(key)).catch(() => null);
        if (st) out.push({ key, size: st.size, lastModified: st.mtimeMs });
      }
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const st = await stat(this.file(key)).catch(() => null);
    return st?.isFile() ? { key, size: st.size, lastModified: st.mtimeMs } : null;
  }

  localPath(key: string): string {
    return this.file(key);
  }

  scoped(prefix: string): ObjectStore {
    return new LocalObjectStore(this.file(prefix));
  }
}
