/**
 * Child process for lmdb-crash.test.ts: commits numbered batches into an LMDB store forever and
 * acknowledges each on stdout once `commit` returned. Batch n sets every `row-<j>` to n, replaces the
 * marker `marker-<n-1>` with `marker-<n>` and uses n as checkpoint; between commits it also stages
 * a write that is withdrawn again before the next commit and so must never become visible
 * (`uncommitted-*`). The parent SIGKILLs it at random moments.
 *
 * usage: node lmdb-crash-child.ts <dir> <rows>
 */
import { LmdbStoreBackend } from '../../../src/engine/state/internals/lmdb-backend.ts';

const [dir, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const store = LmdbStoreBackend.open({ dir, storeName: 'crash', taskId: '0_0' });
let batch = (store.readCheckpoint() ?? 0) + 1;
const value = Buffer.alloc(64);

function commitNext(): void {
  // Withdrawn before the commit: staged writes reach the file only through commit().
  store.delete(Buffer.from(`uncommitted-${batch}`));
  for (let j = 0; j < rows; j++) {
    value.fill(0);
    value.writeUInt32BE(batch, 0);
    store.put(Buffer.from(`row-${String(j).padStart(5, '0')}`), value);
  }
  store.delete(Buffer.from(`marker-${batch - 1}`));
  store.put(Buffer.from(`marker-${batch}`), Buffer.from(String(batch)));
  store.commit(batch);
  process.stdout.write(`committed ${batch}\n`);
  batch++;
  store.put(Buffer.from(`uncommitted-${batch}`), Buffer.from('never visible'));
  setImmediate(commitNext);
}
process.stdout.write('ready\n');
commitNext();
