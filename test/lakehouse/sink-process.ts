// Child process for the exactly-once sink test: an "engine" that commits batch v to Delta and then
// records v as its own committed position; it is SIGKILLed at random points and restarted.
// usage: node sink-process.ts <tableDir> <progressFile> <appId> <batches>
import { readFileSync, writeFileSync } from 'node:fs';
import { DeltaSink } from '../../src/lakehouse/sink.ts';
import { transactionRows, transactionSchema } from './fixtures.ts';

const [dir, progressFile, appId, batches] = process.argv.slice(2);
let engineCommitted = -1;
try {
  engineCommitted = Number(readFileSync(progressFile, 'utf8'));
} catch {}
const sink = await DeltaSink.open({ table: dir, schema: transactionSchema });
for (let v = engineCommitted + 1; v < Number(batches); v++) {
  const result = await sink.commitBatch({ appId, version: v, rows: transactionRows(v * 5, 5) });
  process.stdout.write(`${v} ${result.committed ? 'committed' : result.skipped}\n`);
  // The engine commits every third batch, so a crash replays up to two batches Delta already has.
  if (v % 3 === 2 || v === Number(batches) - 1) writeFileSync(progressFile, String(v));
}
process.stdout.write('done\n');
