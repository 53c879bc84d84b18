// Child process for the exactly-once sink tests: an "engine" that commits each batch to Delta and
// then (every third batch) records its own committed position; it is SIGKILLed at random points and
// restarted from that position, so it replays batches Delta may already have.
// usage: node sink-process.ts <tableDir> <progressFile> <appId> <records> <mode: versioned|positioned>
//   versioned:  batch v = records 5v..5v+4, committed with commitBatch(appId, v)
//   positioned: each run cuts batches of a random size (boundaries differ between runs), committed
//               with commitPositioned; record i is (transactions, i % 2, floor(i / 2))
import { readFileSync, writeFileSync } from 'node:fs';
import { DeltaSink } from '../../src/lakehouse/sink.ts';
import { transactionRows, transactionSchema } from './fixtures.ts';

const [dir, progressFile, appId, recordsArg, mode] = process.argv.slice(2);
const records = Number(recordsArg);
let engineCommitted = -1; // last record index the engine has committed
try {
  engineCommitted = Number(readFileSync(progressFile, 'utf8'));
} catch {}
const sink = await DeltaSink.open({ table: dir, schema: transactionSchema });
let batchNo = 0;
for (let next = engineCommitted + 1; next < records; batchNo++) {
  const size = mode === 'positioned' ? 2 + Math.floor(Math.random() * 8) : 5;
  const count = Math.min(size, records - next);
  let outcome: string;
  if (mode === 'positioned') {
    const rows = transactionRows(next, count).map((r, k) => ({
      ...r,
      topic: 'transactions',
      partition: (next + k) % 2,
      offset: Math.floor((next + k) / 2),
    }));
    const result = await sink.commitPositioned({ appIdPrefix: appId, rows });
    outcome = result.committed
      ? `committed ${result.rowsWritten} skipped ${result.rowsSkipped}`
      : `${result.skipped}`;
  } else {
    const result = await sink.commitBatch({ appId, version: next / 5, rows: transactionRows(next, count) });
    outcome = result.committed ? 'committed' : `${result.skipped}`;
  }
  next += count;
  process.stdout.write(`${next - 1} ${outcome}\n`);
  // deterministic crash inside the window: Delta has the batch, the engine has not recorded it
  if (Number(process.env.SELF_KILL_AFTER_BATCHES) === batchNo + 1) process.kill(process.pid, 'SIGKILL');
  if (batchNo % 3 === 2 || next === records) writeFileSync(progressFile, String(next - 1));
}
process.stdout.write('done\n');
