// Child process for the concurrent-writer test: appends `count` batches with its own appId.
// usage: node append-process.ts <tableDir> <appId> <count> <firstRow>
import { DeltaTable } from '../../../src/lakehouse/delta/index.ts';
import { LocalObjectStore } from '../../../src/lakehouse/storage/index.ts';
import { transactionRows } from '../fixtures.ts';

const [dir, appId, count, firstRow] = process.argv.slice(2);
const table = await DeltaTable.open(new LocalObjectStore(dir));
let retries = 0;
for (let i = 0; i < Number(count); i++) {
  const result = await table.append(transactionRows(Number(firstRow) + i * 10, 10), {
    txn: { appId, version: i },
  });
  retries += result.retries;
}
process.stdout.write(JSON.stringify({ retries }));
